"""Views that exercise authentication, role permissions and error bodies."""

from django.db import OperationalError
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from edu_common.exceptions import (
    CircuitOpen,
    ResourceNotFound,
    SiblingBusy,
    SiblingInvalidReply,
    SiblingRejected,
    SiblingTimeout,
    SiblingUnavailable,
)
from edu_common.permissions import IsAdmin, IsStudent, IsTeacher
from edu_common.serializers import StrictCharField, StrictSerializerMixin
from edu_common.urls import (  # noqa: F401 (Django reads the handlers)
    endpoint,
    handler400,
    handler403,
    handler404,
    handler500,
    service_urlpatterns,
)


class WhoAmI(APIView):
    def get(self, request):
        return Response({"sub": request.user.sub, "role": request.user.role})


class NoteSerializer(StrictSerializerMixin, serializers.Serializer):
    text = StrictCharField(max_length=10)
    id = serializers.CharField(read_only=True)


class AdminNotes(APIView):
    permission_classes = [IsAdmin]

    def post(self, request):
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data, status=201)


class TeachersAndStudents(APIView):
    permission_classes = [IsTeacher | IsStudent]

    def get(self, request):
        return Response({"role": request.user.role})


class Failing(APIView):
    errors = {
        "missing": ResourceNotFound("course", "c-1"),
        "circuit": CircuitOpen("teacher-service", 12.2),
        "timeout": SiblingTimeout("admin-service", "no answer"),
        "busy": SiblingBusy("admin-service", 4.5),
        "unreachable": SiblingUnavailable("admin-service", "connection refused"),
        "rejected": SiblingRejected("admin-service", 401),
        "garbled": SiblingInvalidReply("admin-service", "not a JSON object"),
        "database": OperationalError("connection refused"),
        "bug": ZeroDivisionError("division by zero"),
    }

    def get(self, request, kind):
        raise self.errors[kind]


urlpatterns = service_urlpatterns(
    "api/libs",
    [
        endpoint("whoami", WhoAmI.as_view(), "whoami"),
        endpoint("admin-notes", AdminNotes.as_view(), "admin-notes"),
        endpoint("lessons", TeachersAndStudents.as_view(), "lessons"),
        endpoint(r"failing/(?P<kind>\w+)", Failing.as_view(), "failing"),
    ],
    links={},
)
