"""HTTP endpoints of the submissions API."""

from rest_framework import status, viewsets
from rest_framework.response import Response

from edu_common.authentication import forwarded_authorization
from edu_common.idempotency import idempotent
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
    permission_classes = [IsStudent]

    def get_queryset(self):
        return submission_list_for_student(student_id=self.request.user.sub)

    @idempotent
    def create(self, request, assignment_id):
        """Hand in to an assignment that teacher-service knows (student)."""
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

    def retrieve(self, request, pk):
        """Return one of the caller's own submissions (student)."""
        submission = submission_get_for_student(pk, student_id=request.user.sub)
        return Response(self.get_serializer(submission).data)

    def list(self, request):
        """List the caller's own submissions, newest first (student)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
