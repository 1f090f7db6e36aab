"""URLs of admin-service."""

from admin_svc.courses.views import CourseViewSet
from edu_common.urls import (  # noqa: F401 (Django reads the handlers)
    endpoint,
    handler400,
    handler403,
    handler404,
    handler500,
    service_urlpatterns,
)

urlpatterns = service_urlpatterns(
    "api/admin",
    [
        endpoint(
            "courses",
            CourseViewSet.as_view({"get": "list", "post": "create"}),
            "course-list",
        ),
        endpoint(
            r"courses/(?P<pk>[^/]+)",
            CourseViewSet.as_view({"get": "retrieve"}),
            "course-detail",
        ),
    ],
    links={"courses": "course-list"},
)
