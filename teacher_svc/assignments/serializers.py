"""Request and response bodies of the assignments API."""

from rest_framework import serializers

from edu_common.serializers import FieldsFromModelOnceMixin, StrictSerializerMixin
from teacher_svc.assignments.models import Assignment


class AssignmentSerializer(
    FieldsFromModelOnceMixin, StrictSerializerMixin, serializers.ModelSerializer
):
    """An assignment: only its title is given; the course comes from the path."""

    class Meta:
        model = Assignment
        fields = ["id", "course_id", "title", "created_at"]
        read_only_fields = ["id", "course_id", "created_at"]
