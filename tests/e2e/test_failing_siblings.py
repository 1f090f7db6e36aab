"""student-service when teacher-service is down, hangs, or fails half its calls.

Each test runs a student-service of its own against a loopback stand-in for
teacher-service (see ``tests.e2e.faults``), over the suite's database.
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from tests.conftest import ServiceProcess
from tests.e2e.faults import FaultyHttpProxy, SilentServer, TcpProxy, wait_for

CIRCUIT_FAILURE_THRESHOLD = 3
CIRCUIT_OPEN_DURATION = 2
REQUEST_TIME_BUDGET = 3
# Room for the client, gunicorn and a busy machine on top of the budget.
BUDGET_MARGIN = 2


@pytest.fixture
def http():
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture
def assignment_id(http, platform, bearer):
    """An assignment that the suite's teacher-service knows, in a new course."""
    course = http.post(
        f"{platform['admin'].url}/api/admin/courses",
        json={"name": "Reliability"},
        headers=bearer("admin"),
    )
    assert course.status_code == 201, course.text
    assignment = http.post(
        f"{platform['teacher'].url}/api/teacher/courses/"
        f"{course.json()['id']}/assignments",
        json={"title": "Fail well"},
        headers=bearer("teacher"),
    )
    assert assignment.status_code == 201, assignment.text
    return assignment.json()["id"]


@pytest.fixture
def serve_student(database):
    """Return a function that starts a student-service; all are stopped after."""
    started = []

    def serve(teacher_url, **env):
        service = ServiceProcess(
            "student",
            database_url=database.url(),
            env={"TEACHER_SERVICE_URL": teacher_url, **env},
        )
        started.append(service)
        return service.start()

    yield serve
    for service in started:
        service.stop()


@pytest.fixture
def teacher_behind_proxy(database, platform):
    """A teacher-service of this test's own, reached through a counting proxy."""
    teacher = ServiceProcess(
        "teacher",
        database_url=database.url(),
        env={"ADMIN_SERVICE_URL": platform["admin"].url},
    )
    proxy = TcpProxy(teacher.port)
    try:
        teacher.start()
        proxy.start()
        yield teacher, proxy
    finally:
        proxy.stop()
        teacher.stop()


def submissions_url(student, assignment_id):
    return f"{student.url}/api/student/assignments/{assignment_id}/submissions"


def traffic(proxy):
    """Return what has reached the proxy so far: connections and data."""
    return proxy.connections, proxy.chunks_from_clients


def submit_until_admitted(http, url, headers, timeout):
    """Submit until the circuit lets a call through; return that reply."""
    deadline = time.monotonic() + timeout
    while True:
        response = http.post(url, json={}, headers=headers)
        if response.json().get("code") != "circuit_open":
            return response
        assert time.monotonic() < deadline, "the circuit never let a trial through"
        time.sleep(0.1)


def test_circuit_opens_on_a_stopped_teacher_fails_fast_and_closes_after_a_trial(
    http, serve_student, teacher_behind_proxy, assignment_id, bearer
):
    """502 after retries, then 503 with no call; a trial reopens or closes it."""
    teacher, proxy = teacher_behind_proxy
    student = serve_student(
        proxy.url,
        RETRY_COUNT="2",
        RETRY_BACKOFF_MS="50",
        CIRCUIT_FAILURE_THRESHOLD=str(CIRCUIT_FAILURE_THRESHOLD),
        CIRCUIT_OPEN_DURATION=str(CIRCUIT_OPEN_DURATION),
    )
    url = submissions_url(student, assignment_id)
    headers = bearer("student")
    assert http.post(url, json={}, headers=headers).status_code == 201

    teacher.stop()
    before_failures = traffic(proxy)
    failures = [
        http.post(url, json={}, headers=headers)
        for _ in range(CIRCUIT_FAILURE_THRESHOLD)
    ]
    opened_by = time.monotonic()
    after_failures = traffic(proxy)
    refused = [http.post(url, json={}, headers=headers) for _ in range(3)]

    assert [r.status_code for r in failures] == [502] * CIRCUIT_FAILURE_THRESHOLD
    assert {r.json()["code"] for r in failures} == {"sibling_failed"}
    # Every failed call was tried more than once before it gave up.
    assert after_failures[0] - before_failures[0] > len(failures)
    assert [r.status_code for r in refused] == [503] * len(refused)
    assert {r.json()["code"] for r in refused} == {"circuit_open"}
    for response in refused:
        assert 1 <= int(response.headers["Retry-After"]) <= CIRCUIT_OPEN_DURATION
    assert traffic(proxy) == after_failures, "an open circuit let a call out"

    trial = submit_until_admitted(http, url, headers, CIRCUIT_OPEN_DURATION + 3)
    admitted_after = time.monotonic() - opened_by
    after_trial = traffic(proxy)
    reopened = http.post(url, json={}, headers=headers)

    assert admitted_after >= CIRCUIT_OPEN_DURATION / 2
    assert trial.status_code == 502
    assert after_trial[0] > after_failures[0], "the trial call never left"
    assert reopened.status_code == 503
    assert reopened.json()["code"] == "circuit_open"
    assert traffic(proxy) == after_trial, "a reopened circuit let a call out"

    teacher.start()
    recovered = submit_until_admitted(http, url, headers, CIRCUIT_OPEN_DURATION + 3)
    after_recovery = traffic(proxy)
    closed = [http.post(url, json={}, headers=headers) for _ in range(3)]

    assert recovered.status_code == 201, recovered.text
    assert [r.status_code for r in closed] == [201] * len(closed)
    assert traffic(proxy)[1] > after_recovery[1]


def test_hung_teacher_answers_within_the_budget_while_other_requests_are_served(
    http, serve_student, bearer
):
    """Calls to a silent sibling end in 502/504 in budget; lists still answer."""
    silent = SilentServer().start()
    hung_calls = 4
    try:
        # Eight threads: four wait on the silent sibling, the rest stay free.
        student = serve_student(
            silent.url,
            REQUEST_TIME_BUDGET=str(REQUEST_TIME_BUDGET),
            HTTP_CONNECT_TIMEOUT="20",
            HTTP_REQUEST_TIMEOUT="20",
            CIRCUIT_FAILURE_THRESHOLD="50",
            GUNICORN_THREADS="8",
        )
        headers = bearer("student")
        url = submissions_url(student, uuid.uuid4())

        def timed_submission():
            started = time.monotonic()
            response = http.post(url, json={}, headers=headers)
            return response, time.monotonic() - started

        with ThreadPoolExecutor(max_workers=hung_calls) as pool:
            pending = [pool.submit(timed_submission) for _ in range(hung_calls)]
            wait_for(
                lambda: silent.connections >= hung_calls,
                timeout=REQUEST_TIME_BUDGET,
                message="the calls never reached the silent sibling",
            )
            listed = http.get(f"{student.url}/api/student/submissions", headers=headers)
            still_hung = sum(not call.done() for call in pending)
            answers = [call.result() for call in pending]
    finally:
        silent.stop()

    assert listed.status_code == 200, listed.text
    assert still_hung == hung_calls, "the list waited for the hung calls"
    for response, elapsed in answers:
        assert response.status_code in (502, 504), response.text
        assert response.json()["code"] in ("sibling_failed", "sibling_timeout")
        assert elapsed < REQUEST_TIME_BUDGET + BUDGET_MARGIN


def stored_submission_ids(database, assignment_id):
    with psycopg.connect(database.url()) as connection:
        rows = connection.execute(
            "SELECT id FROM student.submissions WHERE assignment_id = %s",
            [assignment_id],
        ).fetchall()
    return [str(row_id) for (row_id,) in rows]


def test_flaky_teacher_under_load_every_201_is_one_row_and_no_row_lacks_one(
    database, platform, serve_student, assignment_id, bearer
):
    """Half the sibling's calls fail; each request answers, rows match 201s."""
    flaky = FaultyHttpProxy(platform["teacher"].url, failure_rate=0.5, seed=7)
    flaky.start()
    try:
        student = serve_student(flaky.url, RETRY_BACKOFF_MS="20", GUNICORN_THREADS="8")
        url = submissions_url(student, assignment_id)
        headers = bearer("student")

        with (
            httpx.Client(timeout=60) as client,
            ThreadPoolExecutor(max_workers=8) as pool,
        ):
            answers = list(
                pool.map(
                    lambda n: client.post(
                        url, json={"content": f"try {n}"}, headers=headers
                    ),
                    range(40),
                )
            )
    finally:
        flaky.stop()

    created = [r.json()["id"] for r in answers if r.status_code == 201]
    assert flaky.failed > 0, "the sibling never failed"
    assert created, "no submission went through"
    assert {r.status_code for r in answers} <= {201, 502, 503, 504}
    assert len(set(created)) == len(created)
    assert sorted(stored_submission_ids(database, assignment_id)) == sorted(created)
