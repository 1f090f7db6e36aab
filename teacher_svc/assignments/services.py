"""Writes of the assignments app."""

from edu_common.remote import RemoteResource
from teacher_svc.assignments.models import Assignment

COURSES = RemoteResource(
    sibling="admin-service", path="/api/admin/courses/{id}", label="course"
)


def assignment_create(*, course_id, title, created_by, authorization):
    """Create an assignment in a course that admin-service confirms exists.

    ``course_id`` is a UUID (see ``edu_common.ids``); ``authorization`` is
    the caller's own header, forwarded unchanged.
    """
    COURSES.fetch(course_id, authorization=authorization)
    return Assignment.objects.create(
        course_id=course_id, title=title, created_by=created_by
    )
