"""Serializer building blocks shared by the services."""

from rest_framework import serializers


class StrictSerializerMixin:
    """Reject body fields the client may not set instead of dropping them.

    A silently ignored field hides a client's typo, or an attempt to set
    what the server decides (an id, a creator, a student).
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {
                name for name, field in self.fields.items() if not field.read_only
            }
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field cannot be set."] for name in unknown}
                )
        return super().to_internal_value(data)
