"""Ids of resources as URL paths carry them: a UUID, or no such resource."""

import uuid

from edu_common.exceptions import ResourceNotFound


def resource_id(label, value):
    """Return ``value`` as a UUID, or raise ``ResourceNotFound`` naming ``label``."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ResourceNotFound(label, value) from None
