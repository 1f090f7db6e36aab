"""A service whose PostgreSQL is unreachable at start or goes away while serving.

The service reaches the suite's database through a loopback ``TcpProxy``
that the test starts, stops and cuts; the database itself never changes.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import ServiceProcess
from tests.e2e.faults import SilentServer, TcpProxy, port_of, through, wait_for

# /ready must refuse within this long while the database is unreachable.
READY_REFUSAL_BOUND = 3


@pytest.fixture
def http():
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture
def database_proxy(database, platform):
    """A proxy to the suite's migrated database; it does not listen yet."""
    proxy = TcpProxy(port_of(database.url()))
    yield proxy
    proxy.stop()


@pytest.fixture
def student(database, database_proxy, platform):
    """A student-service, not started yet, that reaches its database via the proxy."""
    service = ServiceProcess(
        "student",
        database_url=through(database_proxy, database.url()),
        env={
            "TEACHER_SERVICE_URL": platform["teacher"].url,
            "DATABASE_CONN_MAX_AGE": "60",
        },
    )
    yield service
    service.stop()


@pytest.fixture
def assignment_id(http, platform, bearer):
    """An assignment that the suite's teacher-service knows, in a new course."""
    course = http.post(
        f"{platform['admin'].url}/api/admin/courses",
        json={"name": "Storage"},
        headers=bearer("admin"),
    )
    assignment = http.post(
        f"{platform['teacher'].url}/api/teacher/courses/"
        f"{course.json()['id']}/assignments",
        json={"title": "Lose the disk"},
        headers=bearer("teacher"),
    )
    assert assignment.status_code == 201, assignment.text
    return assignment.json()["id"]


def is_ready(http, service):
    return http.get(f"{service.url}/ready").status_code == 200


def assert_database_unavailable(response):
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "database_unavailable"
    assert "Traceback" not in response.text


def test_service_started_without_its_database_stays_up_and_turns_ready_later(
    http, database_proxy, student
):
    """Live but not ready while the database is away; ready once it answers."""
    student.start()
    pid = student.process.pid

    health = http.get(f"{student.url}/health")
    started = time.monotonic()
    ready = http.get(f"{student.url}/ready")
    refused_in = time.monotonic() - started

    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["code"] == "not_ready"
    assert refused_in < READY_REFUSAL_BOUND

    database_proxy.start()
    wait_for(
        lambda: is_ready(http, student),
        timeout=15,
        message="the service did not turn ready once its database answered",
    )
    assert student.process.poll() is None
    assert student.process.pid == pid


def test_database_lost_between_and_during_requests_is_503_then_recovers(
    http, database_proxy, student, assignment_id, bearer
):
    """Losing the database answers 503 database_unavailable, never a 500."""
    database_proxy.start()
    student.start()
    headers = bearer("student")
    mine = f"{student.url}/api/student/submissions"
    submit = f"{student.url}/api/student/assignments/{assignment_id}/submissions"
    assert http.get(mine, headers=headers).status_code == 200

    # Between requests: the pooled connection dies while nobody uses it.
    database_proxy.stop()
    listed_without = http.get(mine, headers=headers)
    submitted_without = http.post(submit, json={}, headers=headers)

    assert_database_unavailable(listed_without)
    assert_database_unavailable(submitted_without)

    # During a request: its query on submissions is held on the way, then
    # every connection is cut, so the query fails on a live socket.
    database_proxy.start()
    wait_for(
        lambda: http.get(mine, headers=headers).status_code == 200,
        timeout=15,
        message="the service did not recover once its database was back",
    )
    database_proxy.pause(when=lambda data: b"submissions" in data)
    with ThreadPoolExecutor(max_workers=1) as pool:
        in_flight = pool.submit(http.get, mine, headers=headers)
        wait_for(
            lambda: database_proxy.held_chunks > 0,
            timeout=5,
            message="the query never reached the database",
        )
        database_proxy.stop()
        cut_short = in_flight.result()

    assert_database_unavailable(cut_short)

    database_proxy.start()
    wait_for(
        lambda: http.get(mine, headers=headers).status_code == 200,
        timeout=15,
        message="the service did not recover once its database was back",
    )
    # Every thread's pooled connection was cut; each must reconnect by itself.
    listed_after = [http.get(mine, headers=headers) for _ in range(8)]
    submitted_after = http.post(submit, json={}, headers=headers)

    assert [r.status_code for r in listed_after] == [200] * len(listed_after)
    assert submitted_after.status_code == 201, submitted_after.text


def test_connections_closed_by_the_database_while_idle_are_replaced_unseen(
    http, database_proxy, student, bearer
):
    """A kept connection the server closed between requests fails no request.

    As a database restart or an idle timeout would: every thread has a kept
    connection, the far end closes them all, and the next requests find
    out before their first query and connect again.
    """
    database_proxy.start()
    student.start()
    headers = bearer("student")
    mine = f"{student.url}/api/student/submissions"

    def batch():
        with ThreadPoolExecutor(max_workers=8) as pool:
            replies = list(
                pool.map(lambda _: http.get(mine, headers=headers), range(8))
            )
        return [reply.status_code for reply in replies]

    assert batch() + batch() == [200] * 16
    kept = database_proxy.connections
    database_proxy.cut()

    assert batch() + batch() + batch() == [200] * 24
    assert database_proxy.connections > kept


def test_a_database_that_never_answers_is_not_ready_within_the_bound(http, database):
    """A database host that accepts and stays silent: /ready 503 in under 3 s."""
    silent = SilentServer().start()
    service = ServiceProcess(
        "student",
        database_url=f"postgres://postgres@127.0.0.1:{silent.port}/edu",
    )
    try:
        service.start()
        started = time.monotonic()
        ready = http.get(f"{service.url}/ready")
        refused_in = time.monotonic() - started
    finally:
        service.stop()
        silent.stop()

    assert ready.status_code == 503
    assert refused_in < READY_REFUSAL_BOUND
    assert silent.connections >= 1
