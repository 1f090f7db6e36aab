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


def test_a_body_over_the_limit_is_413_with_debug_on_or_off(admin_service, bearer):
    """Django's own body limit answers 413 JSON, never its 400 debug page."""
    body = b'{"name": "' + b"x" * 70_000 + b'"}'
    headers = {**bearer("admin"), "Content-Type": "application/json"}

    response = httpx.post(
        f"{admin_service.url}/api/admin/courses", content=body, headers=headers
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_chunked_body_is_411_not_read_as_empty(admin_service, bearer):
    """A body without Content-Length is refused, not silently dropped."""
    headers = {**bearer("admin"), "Content-Type": "application/json"}

    def chunks():
        yield b'{"name": '
        yield b'"Chunked"}'

    response = httpx.post(
        f"{admin_service.url}/api/admin/courses", content=chunks(), headers=headers
    )

    assert response.status_code == 411
    assert response.json()["code"] == "length_required"
    listed = httpx.get(f"{admin_service.url}/api/admin/courses", headers=headers)
    assert "Chunked" not in listed.text
