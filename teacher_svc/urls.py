"""URLs of teacher-service."""

from edu_common.urls import (  # noqa: F401 (Django reads the handlers)
    endpoint,
    handler400,
    handler403,
    handler404,
    handler500,
    service_urlpatterns,
)
from teacher_svc.assignments.views import AssignmentViewSet

urlpatterns = service_urlpatterns(
    "api/teacher",
    [
        endpoint(
            r"courses/(?P<course_id>[^/]+)/assignments",
            AssignmentViewSet.as_view({"get": "list", "post": "create"}),
            "course-assignments",
        ),
        endpoint(
            r"assignments/(?P<pk>[^/]+)",
            AssignmentViewSet.as_view({"get": "retrieve"}),
            "assignment-detail",
        ),
    ],
    links={},
)
