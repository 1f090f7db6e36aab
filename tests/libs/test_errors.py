"""One JSON error body for every failure, HTTP's and the platform's own."""

import pytest
from django.test import Client

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


@pytest.fixture
def admin(api, bearer):
    api.credentials(HTTP_AUTHORIZATION=bearer("admin")["Authorization"])
    return api


def assert_problem(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["code"] == code
    return body


def test_validation_error_names_each_field(admin):
    """A field over its limit answers 400 with the field's messages."""
    body = assert_problem(
        admin.post("/api/libs/admin-notes", {"text": "x" * 11}, format="json"),
        400,
        "invalid",
    )

    assert "text" in body["errors"]


def test_unknown_and_read_only_fields_are_rejected(admin):
    """A field the client may not set is named, not silently dropped."""
    response = admin.post(
        "/api/libs/admin-notes", {"text": "ok", "id": "x", "owner": "me"}, format="json"
    )

    assert set(assert_problem(response, 400, "invalid")["errors"]) == {"id", "owner"}


def test_body_that_is_not_an_object_is_400(admin):
    """A JSON list where an object belongs answers 400."""
    assert_problem(
        admin.post("/api/libs/admin-notes", [1, 2], format="json"), 400, "invalid"
    )


def test_malformed_json_is_400(admin):
    """Bytes that are not JSON answer 400 parse_error."""
    response = admin.post(
        "/api/libs/admin-notes", "{not json", content_type="application/json"
    )

    assert_problem(response, 400, "parse_error")


def test_wrong_content_type_is_415(admin):
    """Only JSON bodies are accepted."""
    response = admin.post("/api/libs/admin-notes", "text=hi", content_type="text/plain")

    assert_problem(response, 415, "unsupported_media_type")


def test_wrong_method_is_405(admin):
    """A method the endpoint does not serve answers 405."""
    assert_problem(admin.delete("/api/libs/admin-notes"), 405, "method_not_allowed")


def test_unknown_path_is_a_json_404():
    """Django's own 404 (DEBUG off) has the same body shape."""
    assert_problem(Client().get("/no/such/path"), 404, "not_found")


def test_resource_not_found_names_the_resource(admin):
    """A domain not-found answers 404 with a code and detail naming it."""
    body = assert_problem(
        admin.get("/api/libs/failing/missing"), 404, "course_not_found"
    )

    assert "c-1" in body["detail"]


def test_open_circuit_is_503_with_retry_after(admin):
    """An open circuit answers 503 and says when to retry, rounded up."""
    response = admin.get("/api/libs/failing/circuit")

    assert_problem(response, 503, "circuit_open")
    assert response["Retry-After"] == "13"


def test_sibling_timeout_is_502(admin):
    """A sibling that never answered is a bad gateway, with its own code."""
    assert_problem(admin.get("/api/libs/failing/timeout"), 502, "sibling_timeout")


def test_a_busy_sibling_is_503_with_its_retry_after(admin):
    """A sibling's 429 tells the caller to come back, in whole seconds."""
    response = admin.get("/api/libs/failing/busy")

    assert_problem(response, 503, "sibling_busy")
    assert response["Retry-After"] == "5"


@pytest.mark.parametrize("kind", ["unreachable", "rejected", "garbled"])
def test_a_sibling_that_fails_refuses_or_garbles_is_502(admin, kind):
    """The sibling's failure, or its refusal of our call, is not the caller's."""
    response = admin.get(f"/api/libs/failing/{kind}")

    assert_problem(response, 502, "sibling_failed")
    assert "Retry-After" not in response


def test_database_failure_is_503(admin):
    """A database that went away answers 503, not a 500 traceback."""
    assert_problem(admin.get("/api/libs/failing/database"), 503, "database_unavailable")


def test_unexpected_error_is_a_json_500_without_details(bearer):
    """A bug answers 500 with the common shape and no traceback or message."""
    client = Client(raise_request_exception=False)

    response = client.get("/api/libs/failing/bug", headers=bearer("admin"))

    body = assert_problem(response, 500, "server_error")
    assert "division" not in response.content.decode()
    assert "Traceback" not in body["detail"]


@pytest.mark.parametrize("path", ["/health", "/ready"])
@pytest.mark.parametrize("method", ["post", "delete", "trace"])
def test_probes_answer_other_methods_with_a_json_405(path, method):
    """Django's own 405 has the common body, and no CSRF check comes first."""
    response = getattr(Client(), method)(path)

    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
