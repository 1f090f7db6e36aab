"""Settings of a minimal project that exercises the shared library."""

from pathlib import Path

from edu_common.conf import service_settings

globals().update(
    service_settings(
        service_name="libs-test",
        package="tests.libs.project",
        domain_app="tests.libs.project",
        schema="libs",
        url_prefix="api/libs",
        base_dir=Path(__file__).resolve().parent.parent.parent,
    )
)
