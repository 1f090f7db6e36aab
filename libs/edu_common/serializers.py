"""Serializer building blocks shared by the services."""

import copy

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


class FieldsFromModelOnceMixin:
    """Derive a ModelSerializer's fields from its model once per class.

    DRF inspects the model anew for every serializer it makes, which costs
    more than rendering one object. The fields derived the first time are
    kept unbound, and each serializer gets its own copy, as DRF does with
    declared fields.
    """

    def get_fields(self):
        cls = type(self)
        fields = cls.__dict__.get("_fields_from_model")
        if fields is None:
            # Two threads may both derive them: the same fields, either kept.
            fields = super().get_fields()
            cls._fields_from_model = fields
        return copy.deepcopy(fields)
