"""Writes of the courses app."""

from admin_svc.courses.models import Course


def course_create(*, name, created_by):
    """Create a course on behalf of the caller ``created_by``."""
    return Course.objects.create(name=name, created_by=created_by)
