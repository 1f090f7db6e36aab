"""Role permissions: each grants access to callers whose token has that role.

Combine them with DRF's operators, e.g. ``IsAdmin | IsTeacher``.
"""

from rest_framework.permissions import BasePermission


class HasRole(BasePermission):
    """Grant access when the authenticated caller's role is ``role``."""

    role = None

    def has_permission(self, request, view):
        return getattr(request.user, "role", None) == self.role


class IsAdmin(HasRole):
    """Grant access to admins."""

    role = "admin"
    message = "This action needs the admin role."


class IsTeacher(HasRole):
    """Grant access to teachers."""

    role = "teacher"
    message = "This action needs the teacher role."


class IsStudent(HasRole):
    """Grant access to students."""

    role = "student"
    message = "This action needs the student role."
