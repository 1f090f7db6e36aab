"""HTTP endpoints of the courses API."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from admin_svc.courses.selectors import course_get, course_list
from admin_svc.courses.serializers import CourseSerializer
from admin_svc.courses.services import course_create
from edu_common.idempotency import idempotent
from edu_common.openapi import IDEMPOTENCY_HEADERS, problems
from edu_common.permissions import IsAdmin, IsTeacher


class CourseViewSet(viewsets.GenericViewSet):
    """Courses. Admins create them; admins and teachers read them."""

    serializer_class = CourseSerializer

    def get_permissions(self):
        if self.action == "create":
            return [IsAdmin()]
        return [(IsAdmin | IsTeacher)()]

    def get_queryset(self):
        return course_list()

    @extend_schema(
        parameters=IDEMPOTENCY_HEADERS,
        responses=problems("invalid_idempotency_key", "idempotency_key_reused"),
    )
    @idempotent
    def create(self, request):
        """Create a course (admin)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        course = course_create(**serializer.validated_data, created_by=request.user.sub)
        return Response(
            self.get_serializer(course).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=problems("course_not_found"))
    def retrieve(self, request, pk):
        """Return one course (admin, teacher)."""
        return Response(self.get_serializer(course_get(pk)).data)

    def list(self, request):
        """List courses, newest first (admin, teacher)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
