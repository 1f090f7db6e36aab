"""Request and response bodies of the submissions API."""

from rest_framework import serializers

from edu_common.serializers import (
    FieldsFromModelOnceMixin,
    StrictCharField,
    StrictSerializerMixin,
)
from student_svc.submissions.models import CONTENT_MAX_LENGTH, Submission


class SubmissionSerializer(
    FieldsFromModelOnceMixin, StrictSerializerMixin, serializers.ModelSerializer
):
    """A submission: only its content is given; the student is the token's sub."""

    content = StrictCharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        max_length=CONTENT_MAX_LENGTH,
        default=None,
    )

    class Meta:
        model = Submission
        fields = ["id", "assignment_id", "student_id", "content", "created_at"]
        read_only_fields = ["id", "assignment_id", "student_id", "created_at"]
