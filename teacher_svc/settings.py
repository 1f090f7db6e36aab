"""Settings of teacher-service; the shared part lives in ``edu_common.conf``."""

from pathlib import Path

from edu_common.conf import service_settings

globals().update(
    service_settings(
        service_name="teacher-service",
        package="teacher_svc",
        domain_app="teacher_svc.assignments",
        schema="teacher",
        url_prefix="api/teacher",
        base_dir=Path(__file__).resolve().parent.parent,
        siblings=[("admin-service", "ADMIN_SERVICE_URL")],
    )
)
