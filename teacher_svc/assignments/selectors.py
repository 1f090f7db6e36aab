"""Reads of the assignments app."""

from django.core.exceptions import ValidationError

from edu_common.exceptions import ResourceNotFound
from teacher_svc.assignments.models import Assignment


def assignment_get(assignment_id):
    """Return the assignment, or raise ``ResourceNotFound`` (a malformed id too)."""
    try:
        return Assignment.objects.get(pk=assignment_id)
    except (Assignment.DoesNotExist, ValidationError):
        raise ResourceNotFound("assignment", assignment_id) from None


def assignment_list_for_course(course_id):
    """Return a course's assignments, newest first.

    A course with no assignments lists none; an id that cannot be a course's
    raises ``ResourceNotFound``, as every malformed path id does.
    """
    try:
        return Assignment.objects.filter(course_id=course_id)
    except ValidationError:
        raise ResourceNotFound("course", course_id) from None
