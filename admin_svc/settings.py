"""Settings of admin-service; the shared part lives in ``edu_common.conf``."""

from pathlib import Path

from edu_common.conf import service_settings

globals().update(
    service_settings(
        service_name="admin-service",
        package="admin_svc",
        domain_app="admin_svc.courses",
        schema="admin",
        url_prefix="api/admin",
        base_dir=Path(__file__).resolve().parent.parent,
    )
)
