"""HTTP endpoints of the submissions API."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from edu_common.authentication import forwarded_authorization
from edu_common.idempotency import idempotent
from edu_common.ids import resource_id
from edu_common.openapi import IDEMPOTENCY_HEADERS, SIBLING_ERRORS, problems
from edu_common.permissions import IsStudent
from student_svc.submissions.selectors import (
    submission_get_for_student,
    submission_list_for_student,
)
from student_svc.submissions.serializers import SubmissionSerializer
from student_svc.submissions.services import submission_create


class SubmissionViewSet(viewsets.GenericViewSet):
    """A student's own submissions: hand one in, read and list one's own."""

    serializer_class = SubmissionSerializer

    def get_permissions(self):
        # Anyone signed in may ask for a submission; only its student finds it.
        if self.action == "retrieve":
            return [IsAuthenticated()]
        return [IsStudent()]

    def get_queryset(self):
        return submission_list_for_student(student_id=self.request.user.sub)

    @extend_schema(
        parameters=IDEMPOTENCY_HEADERS,
        responses=problems(
            "assignment_not_found",
            "invalid_idempotency_key",
            "idempotency_key_reused",
            *SIBLING_ERRORS,
        ),
    )
    @idempotent
    def create(self, request, assignment_id):
        """Hand in to an assignment that teacher-service knows (student)."""
        # A malformed id names no assignment, whatever the body holds.
        assignment_id = resource_id("assignment", assignment_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        submission = submission_create(
            assignment_id=assignment_id,
            **serializer.validated_data,
            student_id=request.user.sub,
            authorization=forwarded_authorization(request),
        )
        return Response(
            self.get_serializer(submission).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=problems("submission_not_found"))
    def retrieve(self, request, pk):
        """Return one of the caller's own submissions; anyone else's is 404."""
        submission = submission_get_for_student(pk, student_id=request.user.sub)
        return Response(self.get_serializer(submission).data)

    def list(self, request):
        """List the caller's own submissions, newest first (student)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
