"""Serializer building blocks: fields derived from the model once per class."""

from rest_framework import serializers

from edu_common.models import IdempotencyKey
from edu_common.serializers import FieldsFromModelOnceMixin


def key_serializer_class():
    """Return a new serializer class, so that no test sees another's fields."""

    class KeySerializer(FieldsFromModelOnceMixin, serializers.ModelSerializer):
        class Meta:
            model = IdempotencyKey
            fields = ["key", "request_hash", "created_at"]
            read_only_fields = ["created_at"]

    return KeySerializer


def test_the_model_is_inspected_for_the_first_serializer_only(monkeypatch):
    """Serializers after the first reuse the fields derived from the model."""
    derived = []
    derive = serializers.ModelSerializer.get_fields
    monkeypatch.setattr(
        serializers.ModelSerializer,
        "get_fields",
        lambda serializer: derived.append(serializer) or derive(serializer),
    )
    key_serializer = key_serializer_class()

    made = [key_serializer() for _ in range(3)]

    assert [list(serializer.fields) for serializer in made] == [
        ["key", "request_hash", "created_at"]
    ] * 3
    assert len(derived) == 1


def test_each_serializer_binds_its_own_copy_of_the_fields():
    """No field is shared: each is bound to the serializer that uses it."""
    key_serializer = key_serializer_class()
    first, second = key_serializer(), key_serializer()

    assert first.fields["key"] is not second.fields["key"]
    assert first.fields["key"].parent is first
    assert second.fields["key"].parent is second


def test_later_serializers_keep_the_models_rules():
    """Limits taken from the model hold for every serializer, not the first only."""
    key_serializer = key_serializer_class()
    key_serializer(data={"key": "k", "request_hash": "h"}).is_valid()

    later = key_serializer(data={"key": "k", "request_hash": "h" * 65})

    assert not later.is_valid()
    assert list(later.errors) == ["request_hash"]
    assert later.fields["created_at"].read_only
