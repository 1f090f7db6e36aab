"""URLs of student-service."""

from edu_common.urls import (  # noqa: F401 (Django reads the handlers)
    endpoint,
    handler400,
    handler403,
    handler404,
    handler500,
    service_urlpatterns,
)
from student_svc.submissions.views import SubmissionViewSet

urlpatterns = service_urlpatterns(
    "api/student",
    [
        endpoint(
            r"assignments/(?P<assignment_id>[^/]+)/submissions",
            SubmissionViewSet.as_view({"post": "create"}),
            "assignment-submissions",
        ),
        endpoint(
            "submissions",
            SubmissionViewSet.as_view({"get": "list"}),
            "submission-list",
        ),
        endpoint(
            r"submissions/(?P<pk>[^/]+)",
            SubmissionViewSet.as_view({"get": "retrieve"}),
            "submission-detail",
        ),
    ],
    links={"my submissions": "submission-list"},
)
