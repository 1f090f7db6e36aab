"""A service asked to stop (SIGTERM) while requests are in flight."""

import signal
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from tests.conftest import ServiceProcess
from tests.e2e.faults import FaultyHttpProxy, wait_for

GRACEFUL_TIMEOUT = 10
IN_FLIGHT = 6
# How long each check with teacher-service is held up on the way.
TEACHER_DELAY = 1.0


@pytest.fixture
def assignment_id(platform, bearer):
    """An assignment that the suite's teacher-service knows, in a new course."""
    with httpx.Client(timeout=30) as http:
        course = http.post(
            f"{platform['admin'].url}/api/admin/courses",
            json={"name": "Operations"},
            headers=bearer("admin"),
        )
        assignment = http.post(
            f"{platform['teacher'].url}/api/teacher/courses/"
            f"{course.json()['id']}/assignments",
            json={"title": "Drain before you go"},
            headers=bearer("teacher"),
        )
    assert assignment.status_code == 201, assignment.text
    return assignment.json()["id"]


@pytest.fixture
def slow_teacher(platform):
    """The suite's teacher-service behind a proxy that delays every call."""
    proxy = FaultyHttpProxy(platform["teacher"].url, delay=TEACHER_DELAY)
    yield proxy.start()
    proxy.stop()


@pytest.fixture
def student(database, slow_teacher):
    """A student-service whose calls to teacher-service take a second."""
    service = ServiceProcess(
        "student",
        database_url=database.url(),
        env={
            "TEACHER_SERVICE_URL": slow_teacher.url,
            "GUNICORN_THREADS": "8",
            "GUNICORN_GRACEFUL_TIMEOUT": str(GRACEFUL_TIMEOUT),
        },
    )
    yield service.start()
    service.stop()


def test_sigterm_lets_every_in_flight_submission_finish_and_store_its_row(
    database, student, slow_teacher, assignment_id, bearer
):
    """Accepted submissions all answer 201 and are stored; then the process exits."""
    url = f"{student.url}/api/student/assignments/{assignment_id}/submissions"
    headers = bearer("student")

    with (
        httpx.Client(timeout=30) as http,
        ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool,
    ):
        in_flight = [
            pool.submit(http.post, url, json={"content": f"draft {n}"}, headers=headers)
            for n in range(IN_FLIGHT)
        ]
        wait_for(
            lambda: slow_teacher.received >= IN_FLIGHT,
            timeout=TEACHER_DELAY * 5,
            message="the submissions never reached teacher-service",
        )
        student.process.send_signal(signal.SIGTERM)
        answers = [call.result() for call in in_flight]
    exit_code = student.process.wait(timeout=GRACEFUL_TIMEOUT + 5)

    assert [r.status_code for r in answers] == [201] * IN_FLIGHT
    with psycopg.connect(database.url()) as connection:
        stored = connection.execute(
            "SELECT id::text FROM student.submissions WHERE assignment_id = %s",
            [assignment_id],
        ).fetchall()
    assert sorted(row_id for (row_id,) in stored) == sorted(
        r.json()["id"] for r in answers
    )
    assert exit_code == 0
