"""Serializer building blocks shared by the services."""

from django.db import models
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A string field that takes JSON strings only, not numbers turned to text."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializerMixin:
    """Reject body fields the client may not set, and values of the wrong type.

    A silently ignored field hides a client's typo, or an attempt to set
    what the server decides (an id, a creator, a student).
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }

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
