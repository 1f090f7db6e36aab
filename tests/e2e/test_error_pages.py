"""Django's own error pages answer JSON, with DEBUG on as with it off."""

import httpx
import pytest

from tests.conftest import ServiceProcess


@pytest.fixture(scope="module", params=["true", "false"], ids=["debug", "production"])
def admin_service(request, database):
    service = ServiceProcess(
        "admin", database_url=database.url(), env={"DEBUG": request.param}
    )
    yield service.migrate().start()
    service.stop()


@pytest.mark.parametrize(
    ("method", "path", "headers", "status", "code"),
    [
        ("GET", "/api/admin/no-such-thing", {}, 404, "not_found"),
        ("GET", "/", {"Accept": "text/html"}, 404, "not_found"),
        ("GET", "/health", {"Host": "evil.example"}, 400, "bad_request"),
        ("TRACE", "/ready", {}, 405, "method_not_allowed"),
        ("GET", "/health/", {}, 200, None),
    ],
)
def test_framework_errors_have_the_common_json_body(
    admin_service, method, path, headers, status, code
):
    """Unknown paths, a foreign Host and a wrong method get problem JSON."""
    response = httpx.request(method, f"{admin_service.url}{path}", headers=headers)

    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    if code:
        assert response.json()["code"] == code
