"""Settings of student-service; the shared part lives in ``edu_common.conf``."""

from pathlib import Path

from edu_common.conf import service_settings

globals().update(
    service_settings(
        service_name="student-service",
        package="student_svc",
        domain_app="student_svc.submissions",
        schema="student",
        url_prefix="api/student",
        base_dir=Path(__file__).resolve().parent.parent,
        siblings=[("teacher-service", "TEACHER_SERVICE_URL")],
    )
)
