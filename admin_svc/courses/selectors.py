"""Reads of the courses app."""

from admin_svc.courses.models import Course
from edu_common.exceptions import ResourceNotFound
from edu_common.ids import resource_id


def course_get(course_id):
    """Return the course, or raise ``ResourceNotFound`` (a malformed id too)."""
    try:
        return Course.objects.get(pk=resource_id("course", course_id))
    except Course.DoesNotExist:
        raise ResourceNotFound("course", course_id) from None


def course_list():
    """Return every course, newest first."""
    return Course.objects.all()
