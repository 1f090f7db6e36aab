"""Reads of the assignments app."""

from edu_common.exceptions import ResourceNotFound
from edu_common.ids import resource_id
from teacher_svc.assignments.models import Assignment


def assignment_get(assignment_id):
    """Return the assignment, or raise ``ResourceNotFound`` (a malformed id too)."""
    try:
        return Assignment.objects.get(pk=resource_id("assignment", assignment_id))
    except Assignment.DoesNotExist:
        raise ResourceNotFound("assignment", assignment_id) from None


def assignment_list_for_course(course_id):
    """Return a course's assignments, newest first.

    A course with no assignments lists none; an id that cannot be a course's
    raises ``ResourceNotFound``, as every malformed path id does.
    """
    return Assignment.objects.filter(course_id=resource_id("course", course_id))
