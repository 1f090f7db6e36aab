"""Tests of the log lines: one JSON object each, with the request's id and caller."""

import io
import json
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from edu_common.conf import service_settings
from edu_common.logs import ConsoleFormatter, RequestContextFilter
from edu_common.remote import RemotePolicy, SiblingClient
from tests.libs.recorder import Recorder

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def written(caplog):
    """Return what the service's stdout handler writes, one JSON object a line."""
    caplog.set_level(logging.DEBUG, logger="edu_common")
    handler = next(h for h in logging.getLogger().handlers if h.name == "stdout")
    stream = io.StringIO()
    previous = handler.setStream(stream)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    lines.raw = stream.getvalue
    yield lines
    handler.setStream(previous)


def access_lines(lines):
    return [line for line in lines if line["logger"] == "edu_common.access"]


def test_each_request_gets_an_access_line_with_its_caller(api, token, written):
    """Method, path, status, duration, sub and role, stamped with the id."""
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token('admin', sub='alice')}")

    api.get("/api/libs/whoami", headers={"X-Request-ID": "access-1"})

    [line] = access_lines(written())
    assert line["message"].startswith("GET /api/libs/whoami 200 in ")
    assert ISO_UTC.match(line["time"])
    assert line["level"] == "INFO"
    assert line["service"] == "libs-test"
    assert line["request_id"] == "access-1"
    assert line["method"] == "GET"
    assert line["path"] == "/api/libs/whoami"
    assert line["route"] == "whoami"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert (line["sub"], line["role"]) == ("alice", "admin")


def test_a_foreign_host_is_one_access_line_not_an_error(client, written):
    """A Host outside ALLOWED_HOSTS is the client's 400: no ERROR, no traceback."""
    response = client.get("/health", headers={"Host": "evil.example"})

    lines = written()
    assert response.status_code == 400
    assert [(line["logger"], line["status"]) for line in lines] == [
        ("edu_common.access", 400)
    ]
    assert "Traceback" not in written.raw()


def test_an_anonymous_request_logs_no_caller(api, written):
    """A request without a verified token has no sub and no role."""
    api.get("/api/libs/whoami")

    [line] = access_lines(written())
    assert line["status"] == 401
    assert "sub" not in line
    assert "role" not in line


def test_no_token_is_written(api, token, written):
    """Neither a good token nor a rejected one reaches the log."""
    good = token("admin")
    forged = token("admin")[:-4] + "AAAA"

    api.get("/api/libs/whoami", headers={"Authorization": f"Bearer {good}"})
    api.get("/api/libs/whoami", headers={"Authorization": f"Bearer {forged}"})

    assert len(access_lines(written())) == 2
    assert good not in written.raw()
    assert forged.rsplit(".", 1)[-1] not in written.raw()


def test_every_line_of_a_request_has_its_id(api, bearer, written):
    """The handler's warning and the access line both carry the request id."""
    api.get(
        "/api/libs/failing/circuit",
        headers={**bearer("admin"), "X-Request-ID": "many-lines-1"},
    )

    lines = [line for line in written() if line["request_id"] == "many-lines-1"]
    assert {line["logger"] for line in lines} >= {
        "edu_common.errors",
        "edu_common.access",
    }


def test_a_line_outside_a_request_has_no_request_id(written):
    """Start-up and background lines say request_id null, not a stale id."""
    logging.getLogger("edu_common.test").warning("outside %s", "any request")

    [line] = written()
    assert line["message"] == "outside any request"
    assert line["request_id"] is None


def test_probes_get_an_access_line_too(api, written):
    """Every request is logged, a probe's included, with its route to filter on."""
    api.get("/health")

    [line] = access_lines(written())
    assert line["level"] == "INFO"
    assert line["route"] == "health"


def test_each_call_to_a_sibling_gets_a_line(written):
    """Sibling, attempt, outcome and duration of every attempt, retries too."""
    sibling = Recorder(503)
    client = SiblingClient(
        "admin-service", sibling.url, RemotePolicy(retry_backoff_ms=1)
    )
    try:
        client.request("GET", "/api/admin/courses/1")
    finally:
        client.close()
        sibling.stop()

    calls = [line for line in written() if line["logger"] == "edu_common.remote"]
    assert [(line["attempt"], line["outcome"]) for line in calls] == [
        (1, "503"),
        (2, "200"),
    ]
    assert {line["sibling"] for line in calls} == {"admin-service"}
    assert all(isinstance(line["duration_ms"], float) for line in calls)


@pytest.fixture
def environment(monkeypatch):
    """Start from an environment where DEBUG and LOG_LEVEL are not set."""
    for name in ("DEBUG", "LOG_LEVEL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def logging_settings(tmp_path):
    return service_settings(
        service_name="libs-test",
        package="libs_test",
        domain_app="tests.libs.project",
        schema="libs",
        url_prefix="api/libs",
        base_dir=Path(tmp_path),
    )["LOGGING"]


def test_log_level_sets_the_level(environment, tmp_path):
    """LOG_LEVEL, in any case, is the root logger's level."""
    environment.setenv("DEBUG", "true")
    environment.setenv("LOG_LEVEL", "warning")

    assert logging_settings(tmp_path)["root"]["level"] == "WARNING"


def test_json_lines_unless_debug(environment, tmp_path):
    """JSON on stdout by default; one readable line with DEBUG on."""
    environment.setenv("DATABASE_URL", "postgres://u@127.0.0.1:5432/edu")
    production = logging_settings(tmp_path)["handlers"]["stdout"]
    environment.setenv("DEBUG", "true")
    environment.delenv("DATABASE_URL")
    development = logging_settings(tmp_path)["handlers"]["stdout"]

    assert production["formatter"] == "json"
    assert production["stream"] == "ext://sys.stdout"
    assert development["formatter"] == "console"


def test_the_console_line_ends_with_the_request_id():
    """The readable format is one line: time, level, service, logger, message, id."""
    record = logging.LogRecord(
        "edu_common.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None
    )
    record.service = "admin-service"
    record.request_id = "console-1"

    line = ConsoleFormatter().format(record)

    assert "\n" not in line
    assert re.match(r"^\d\d:\d\d:\d\d INFO +admin-service edu_common.access: ", line)
    assert line.endswith("GET /x [console-1]")


def test_a_record_logged_after_the_request_still_names_its_id(client):
    """Django's own line about a failed response carries the request's id."""
    response = client.get("/health", headers={"X-Request-ID": "late-line-1"})
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "x", (), None
    )
    record.request = SimpleNamespace(request_id=response.wsgi_request.request_id)

    RequestContextFilter("libs-test").filter(record)

    assert record.request_id == "late-line-1"
