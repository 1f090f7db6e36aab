"""Request and response bodies of the courses API."""

from rest_framework import serializers

from admin_svc.courses.models import Course
from edu_common.serializers import FieldsFromModelOnceMixin, StrictSerializerMixin


class CourseSerializer(
    FieldsFromModelOnceMixin, StrictSerializerMixin, serializers.ModelSerializer
):
    """A course: only its name is given; the id and time are the server's."""

    class Meta:
        model = Course
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]
