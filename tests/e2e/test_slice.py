"""The vertical slice across the three services, over real HTTP."""

import os
import subprocess
import sys
import uuid

import httpx
import psycopg
import pytest

from tests.conftest import ROOT, TEST_JWT_SECRET, ServiceProcess, free_port


@pytest.fixture
def http():
    with httpx.Client(timeout=30) as client:
        yield client


def create_course(http, platform, bearer):
    response = http.post(
        f"{platform['admin'].url}/api/admin/courses",
        json={"name": "Networks"},
        headers=bearer("admin"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def create_assignment(http, platform, bearer, course_id):
    response = http.post(
        f"{platform['teacher'].url}/api/teacher/courses/{course_id}/assignments",
        json={"title": "Routing tables"},
        headers=bearer("teacher"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_every_service_is_ready(http, platform):
    """Each service answers /ready once migrated and connected."""
    for service in platform.values():
        assert http.get(f"{service.url}/ready").status_code == 200


def test_slice_course_then_assignment_then_submission(http, platform, bearer):
    """Admin creates a course, a teacher an assignment in it, a student submits."""
    course = create_course(http, platform, bearer)
    assignment = create_assignment(http, platform, bearer, course["id"])
    student = str(uuid.uuid4())

    response = http.post(
        f"{platform['student'].url}/api/student/assignments/{assignment['id']}/submissions",
        json={"content": "Longest prefix wins."},
        headers=bearer("student", sub=student),
    )

    assert response.status_code == 201, response.text
    submission = response.json()
    assert submission["assignment_id"] == assignment["id"]
    assert submission["student_id"] == student
    assert assignment["course_id"] == course["id"]

    mine = http.get(
        f"{platform['student'].url}/api/student/submissions",
        headers=bearer("student", sub=student),
    )
    assert [row["id"] for row in mine.json()["results"]] == [submission["id"]]


def test_assignment_in_a_missing_course_is_404_naming_it(http, platform, bearer):
    """teacher-service answers 404 when admin-service does not know the course."""
    missing = str(uuid.uuid4())

    response = http.post(
        f"{platform['teacher'].url}/api/teacher/courses/{missing}/assignments",
        json={"title": "Orphan"},
        headers=bearer("teacher"),
    )

    assert response.status_code == 404
    assert response.json()["code"] == "course_not_found"
    assert missing in response.json()["detail"]


def test_submission_to_a_missing_assignment_is_404(http, platform, bearer):
    """student-service answers 404 when teacher-service does not know it."""
    missing = str(uuid.uuid4())

    response = http.post(
        f"{platform['student'].url}/api/student/assignments/{missing}/submissions",
        json={"content": None},
        headers=bearer("student"),
    )

    assert response.status_code == 404
    assert response.json()["code"] == "assignment_not_found"


def test_demo_command_runs_the_slice(platform):
    """``manage_all.py demo`` succeeds against running services."""
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage_all.py"),
            "demo",
            *("--admin-url", platform["admin"].url),
            *("--teacher-url", platform["teacher"].url),
            *("--student-url", platform["student"].url),
        ],
        env={**os.environ, "JWT_SECRET": TEST_JWT_SECRET},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "The slice succeeded." in result.stdout


@pytest.fixture
def student_without_teacher(database, platform):
    """student-service whose teacher-service address has nobody listening."""
    service = ServiceProcess(
        "student",
        database_url=database.url(),
        env={
            "TEACHER_SERVICE_URL": f"http://127.0.0.1:{free_port()}",
            "CIRCUIT_OPEN_DURATION": "2",
        },
    )
    yield service.start()
    service.stop()


def count_submissions(database):
    with psycopg.connect(database.url()) as connection:
        return connection.execute(
            "SELECT count(*) FROM student.submissions"
        ).fetchone()[0]


def test_teacher_down_gives_502_then_503_once_the_circuit_opens(
    http, database, student_without_teacher, bearer
):
    """Five failed submissions answer 502; then the open circuit answers 503 at once."""
    url = (
        f"{student_without_teacher.url}/api/student/assignments/"
        f"{uuid.uuid4()}/submissions"
    )
    stored_before = count_submissions(database)

    failures = [http.post(url, json={}, headers=bearer("student")) for _ in range(5)]
    refused = http.post(url, json={}, headers=bearer("student"))

    assert [response.status_code for response in failures] == [502] * 5
    assert {response.json()["code"] for response in failures} == {"sibling_failed"}
    assert refused.status_code == 503
    assert refused.json()["code"] == "circuit_open"
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    assert count_submissions(database) == stored_before
