"""Reads of the courses app."""

from django.core.exceptions import ValidationError

from admin_svc.courses.models import Course
from edu_common.exceptions import ResourceNotFound


def course_get(course_id):
    """Return the course, or raise ``ResourceNotFound`` (a malformed id too)."""
    try:
        return Course.objects.get(pk=course_id)
    except (Course.DoesNotExist, ValidationError):
        raise ResourceNotFound("course", course_id) from None


def course_list():
    """Return every course, newest first."""
    return Course.objects.all()
