"""HTTP endpoints of the assignments API."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from edu_common.authentication import forwarded_authorization
from edu_common.idempotency import idempotent
from edu_common.ids import resource_id
from edu_common.openapi import IDEMPOTENCY_HEADERS, SIBLING_ERRORS, problems
from edu_common.permissions import IsStudent, IsTeacher
from teacher_svc.assignments.selectors import assignment_get, assignment_list_for_course
from teacher_svc.assignments.serializers import AssignmentSerializer
from teacher_svc.assignments.services import assignment_create


class AssignmentViewSet(viewsets.GenericViewSet):
    """Assignments. Teachers create them; teachers and students read them."""

    serializer_class = AssignmentSerializer

    def get_permissions(self):
        if self.action == "create":
            return [IsTeacher()]
        return [(IsTeacher | IsStudent)()]

    def get_queryset(self):
        return assignment_list_for_course(self.kwargs["course_id"])

    @extend_schema(
        parameters=IDEMPOTENCY_HEADERS,
        responses=problems(
            "course_not_found",
            "invalid_idempotency_key",
            "idempotency_key_reused",
            *SIBLING_ERRORS,
        ),
    )
    @idempotent
    def create(self, request, course_id):
        """Create an assignment in a course that admin-service knows (teacher)."""
        # A malformed id names no course, whatever the body holds.
        course_id = resource_id("course", course_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        assignment = assignment_create(
            course_id=course_id,
            **serializer.validated_data,
            created_by=request.user.sub,
            authorization=forwarded_authorization(request),
        )
        return Response(
            self.get_serializer(assignment).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=problems("assignment_not_found"))
    def retrieve(self, request, pk):
        """Return one assignment (teacher, student)."""
        return Response(self.get_serializer(assignment_get(pk)).data)

    @extend_schema(responses=problems("course_not_found"))
    def list(self, request, course_id):
        """List a course's assignments, newest first (teacher, student)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
