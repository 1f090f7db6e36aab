"""Role permissions: each grants access to callers whose token has that role.

Combine them with DRF's operators, e.g. ``IsAdmin | IsTeacher``.
"""

from rest_framework.permissions import AND, OR, AllowAny, BasePermission

from edu_common.conf import ROLES


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


def allowed_roles(permissions):
    """Return the roles that all of ``permissions`` let in, or None for anyone.

    Understands the role permissions, DRF's ``|`` and ``&``, ``AllowAny``
    and ``IsAuthenticated``; any other permission is taken to admit every
    role, so the answer may be wider than the truth, never narrower.
    """
    admitted = None
    for permission in permissions:
        roles = _admitted(permission)
        if roles is not None:
            admitted = roles if admitted is None else admitted & roles
    if admitted is None:
        return None
    return [role for role in ROLES if role in admitted]


def _admitted(permission):
    """Return the set of roles one permission admits, or None for anyone."""
    if isinstance(permission, HasRole):
        return {permission.role}
    if isinstance(permission, AllowAny):
        return None
    if isinstance(permission, (OR, AND)):
        first, second = _admitted(permission.op1), _admitted(permission.op2)
        if isinstance(permission, OR):
            return None if first is None or second is None else first | second
        if first is None or second is None:
            return second if first is None else first
        return first & second
    return set(ROLES)
