"""Following requests through the running services: ids, JSON logs, metrics."""

import json
import re
import uuid

import httpx
import pytest

from tests.conftest import ServiceProcess, free_port

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
KEYS = ("admin", "teacher", "student")


@pytest.fixture(scope="module")
def traced(database, tmp_path_factory):
    """The three services logging at INFO into files; student with two workers."""
    folder = tmp_path_factory.mktemp("logs")
    # As in the image: every line reaches the file as it is written.
    env = {"LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
    admin = ServiceProcess(
        "admin", database_url=database.url(), env=env, log_path=folder / "admin.log"
    )
    teacher = ServiceProcess(
        "teacher",
        database_url=database.url(),
        env={**env, "ADMIN_SERVICE_URL": admin.url},
        log_path=folder / "teacher.log",
    )
    student = ServiceProcess(
        "student",
        database_url=database.url(),
        env={**env, "TEACHER_SERVICE_URL": teacher.url, "GUNICORN_WORKERS": "2"},
        log_path=folder / "student.log",
    )
    services = {"admin": admin, "teacher": teacher, "student": student}
    try:
        for service in services.values():
            service.migrate().start()
        yield services
    finally:
        for service in services.values():
            service.stop()


@pytest.fixture
def http():
    with httpx.Client(timeout=30) as client:
        yield client


def log_lines(service):
    """Return the JSON lines a service has written so far."""
    text = service.log_path.read_text(errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def lines_with(service, request_id):
    return [line for line in log_lines(service) if line["request_id"] == request_id]


def access_line(service, request_id):
    [line] = [
        line
        for line in lines_with(service, request_id)
        if line["logger"] == "edu_common.access"
    ]
    return line


def metric(text, name, **labels):
    """Return the value of one sample in Prometheus text, or None."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    series = f"{name}{{{wanted}}}" if labels else name
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def student_without_teacher(database, tmp_path, **env):
    """A student-service, not started, with nobody at its teacher-service address.

    It logs to a file and does not retry, so each submission fails at once.
    """
    return ServiceProcess(
        "student",
        database_url=database.url(),
        env={
            "TEACHER_SERVICE_URL": f"http://127.0.0.1:{free_port()}",
            "RETRY_COUNT": "0",
            "PYTHONUNBUFFERED": "1",
            **env,
        },
        log_path=tmp_path / "student.log",
    )


def slice_through(http, traced, bearer, request_ids, student_sub):
    """Create a course, an assignment and a submission, each with its own id."""
    admin, teacher, student = (traced[key] for key in KEYS)
    course = http.post(
        f"{admin.url}/api/admin/courses",
        json={"name": "Observability"},
        headers={**bearer("admin"), "X-Request-ID": request_ids[0]},
    ).json()
    assignment = http.post(
        f"{teacher.url}/api/teacher/courses/{course['id']}/assignments",
        json={"title": "Follow one request"},
        headers={**bearer("teacher"), "X-Request-ID": request_ids[1]},
    ).json()
    submission = http.post(
        f"{student.url}/api/student/assignments/{assignment['id']}/submissions",
        json={"content": "By its id."},
        headers={
            **bearer("student", sub=student_sub),
            "X-Request-ID": request_ids[2],
            "traceparent": TRACEPARENT,
        },
    )
    return course, assignment, submission


def test_each_hop_logs_the_callers_request_id(http, traced, bearer):
    """A submission's id is on student's and teacher's lines; an assignment's
    on teacher's and admin's: each call to a sibling carries the id."""
    ids = [f"e2e-{step}-{uuid.uuid4()}" for step in ("course", "assignment", "sub")]
    student_sub = str(uuid.uuid4())

    course, assignment, submission = slice_through(
        http, traced, bearer, ids, student_sub
    )

    assert submission.status_code == 201, submission.text
    assert submission.headers["X-Request-ID"] == ids[2]
    admin, teacher, student = (traced[key] for key in KEYS)

    asked = access_line(teacher, ids[2])
    assert (asked["method"], asked["status"]) == ("GET", 200)
    assert asked["path"] == f"/api/teacher/assignments/{assignment['id']}"
    assert (asked["sub"], asked["role"]) == (student_sub, "student")
    assert asked["traceparent"] == TRACEPARENT
    [call] = [
        line
        for line in lines_with(student, ids[2])
        if line["logger"] == "edu_common.remote"
    ]
    assert (call["sibling"], call["attempt"], call["outcome"]) == (
        "teacher-service",
        1,
        "200",
    )
    assert call["duration_ms"] >= 0

    checked = access_line(admin, ids[1])
    assert checked["path"] == f"/api/admin/courses/{course['id']}"
    assert checked["role"] == "teacher"


def test_one_id_follows_the_slice_through_all_three_services(http, traced, bearer):
    """Sent with every step, one id finds the lines of all three services."""
    request_id = f"e2e-slice-{uuid.uuid4()}"

    *_, submission = slice_through(
        http, traced, bearer, [request_id] * 3, str(uuid.uuid4())
    )

    assert submission.status_code == 201, submission.text
    for key in KEYS:
        services_seen = {
            line["service"] for line in lines_with(traced[key], request_id)
        }
        assert services_seen == {f"{key}-service"}


def test_every_line_a_service_writes_is_one_json_object(http, traced, bearer):
    """gunicorn's own lines and the requests' lines alike: JSON, one per line."""
    slice_through(http, traced, bearer, [f"e2e-json-{uuid.uuid4()}"] * 3, "ada")

    for key in KEYS:
        lines = traced[key].log_path.read_text().splitlines()
        assert lines
        for line in lines:
            record = json.loads(line)
            assert record.keys() >= {"time", "level", "service", "logger", "message"}
            assert "request_id" in record


def test_log_level_leaves_out_the_lines_below_it(http, database, bearer, tmp_path):
    """At WARNING the opening circuit is logged; the INFO lines are not."""
    student = student_without_teacher(
        database, tmp_path, LOG_LEVEL="WARNING", CIRCUIT_FAILURE_THRESHOLD="1"
    )
    try:
        student.start()
        failed = http.post(
            f"{student.url}/api/student/assignments/{uuid.uuid4()}/submissions",
            json={},
            headers=bearer("student"),
        )
    finally:
        student.stop()

    lines = lines_with(student, failed.headers["X-Request-ID"])
    assert failed.status_code == 502
    assert ("edu_common.remote", "WARNING") in {
        (line["logger"], line["level"]) for line in lines
    }
    assert {line["level"] for line in log_lines(student)} <= {"WARNING", "ERROR"}


def test_the_access_line_has_every_field_and_no_token(http, traced, token):
    """time, level, service, logger, message, request id, method, path, status,
    duration, sub and role; the token itself appears nowhere."""
    student = traced["student"]
    secret_token = token("student", sub="reader-1")

    http.get(
        f"{student.url}/api/student/submissions",
        headers={"Authorization": f"Bearer {secret_token}", "X-Request-ID": "fields-1"},
    )

    line = access_line(student, "fields-1")
    assert set(line) >= {
        "time",
        "level",
        "service",
        "logger",
        "message",
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "sub",
        "role",
    }
    assert (line["service"], line["level"]) == ("student-service", "INFO")
    assert (line["sub"], line["role"], line["status"]) == ("reader-1", "student", 200)
    for key in KEYS:
        assert secret_token not in traced[key].log_path.read_text(errors="replace")


def test_an_error_three_services_away_names_the_id_it_is_logged_under(
    http, traced, bearer
):
    """A 404 from teacher-service reaches the client with the id both logged."""
    student, teacher = traced["student"], traced["teacher"]

    response = http.post(
        f"{student.url}/api/student/assignments/{uuid.uuid4()}/submissions",
        json={},
        headers=bearer("student"),
    )

    assert response.status_code == 404
    request_id = response.json()["request_id"]
    assert request_id == response.headers["X-Request-ID"]
    assert access_line(teacher, request_id)["status"] == 404
    assert access_line(student, request_id)["status"] == 404


def test_metrics_add_up_every_worker(http, traced, bearer):
    """Requests, calls to teacher-service, its circuit and the database."""
    student = traced["student"]
    before = http.get(f"{student.url}/metrics").text
    labels = {"route": "submission-list", "method": "GET", "status": "200"}

    for _ in range(6):
        # A new connection each time, so that both workers may take some.
        response = httpx.get(
            f"{student.url}/api/student/submissions", headers=bearer("student")
        )
        assert response.status_code == 200
    after = http.get(f"{student.url}/metrics")

    assert after.status_code == 200
    text = after.text
    counted = metric(text, "edu_http_requests_total", **labels)
    assert counted == (metric(before, "edu_http_requests_total", **labels) or 0) + 6
    assert (
        metric(
            text,
            "edu_http_request_duration_seconds_count",
            route="submission-list",
            method="GET",
        )
        >= 6
    )
    assert metric(text, "edu_circuit_state", sibling="teacher-service") == 0
    assert metric(text, "edu_database_up") == 1
    assert "# TYPE edu_sibling_calls_total counter" in text


def test_metrics_are_not_served_under_the_api_prefix(http, traced):
    """/metrics lives outside /api/<service>, where the Ingress does not route."""
    for key in KEYS:
        service = traced[key]
        assert http.get(f"{service.url}/api/{key}/metrics").status_code == 404
        assert http.get(f"{service.url}/metrics").status_code == 200


def test_each_service_serves_its_schema_and_docs(http, traced):
    """/api/<service>/schema/ (JSON with ?format=json) and /api/<service>/docs/."""
    for key in KEYS:
        base = f"{traced[key].url}/api/{key}"
        schema = http.get(f"{base}/schema/", params={"format": "json"})
        docs = http.get(f"{base}/docs/")

        assert schema.status_code == 200
        assert schema.json()["info"]["title"] == f"{key}-service"
        assert docs.status_code == 200
        assert "swagger-ui" in docs.text


@pytest.fixture
def student_alone(database, tmp_path):
    """student-service whose teacher-service address has nobody listening."""
    service = student_without_teacher(database, tmp_path, LOG_LEVEL="INFO")
    yield service.migrate().start()
    service.stop()


def test_an_opening_circuit_shows_in_the_metrics_and_the_log(
    http, student_alone, bearer
):
    """Five failed calls open the circuit: gauge 2 and one WARNING, with the id."""
    url = f"{student_alone.url}/api/student/assignments/{uuid.uuid4()}/submissions"
    closed = http.get(f"{student_alone.url}/metrics").text

    for attempt in range(5):
        response = http.post(
            url,
            json={},
            headers={**bearer("student"), "X-Request-ID": f"down-{attempt}"},
        )
        assert response.status_code == 502
    opened = http.get(f"{student_alone.url}/metrics").text

    assert metric(closed, "edu_circuit_state", sibling="teacher-service") == 0
    assert metric(opened, "edu_circuit_state", sibling="teacher-service") == 2
    assert (
        metric(
            opened,
            "edu_sibling_calls_total",
            sibling="teacher-service",
            outcome="ConnectError",
        )
        == 5
    )
    [warning] = [
        line
        for line in log_lines(student_alone)
        if line["logger"] == "edu_common.remote" and line["level"] == "WARNING"
    ]
    assert (warning["sibling"], warning["circuit"]) == ("teacher-service", "open")
    assert warning["request_id"] == "down-4"
