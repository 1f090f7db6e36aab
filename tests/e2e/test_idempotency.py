"""Create requests repeated with one ``Idempotency-Key`` create one row."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

DUPLICATES = 10


@pytest.fixture
def http():
    with httpx.Client(timeout=30) as client:
        yield client


def count_rows(database, query, value):
    with psycopg.connect(database.url()) as connection:
        return connection.execute(query, [value]).fetchone()[0]


def test_concurrent_duplicates_of_a_course_create_one_row(
    http, database, platform, bearer
):
    """Ten simultaneous posts with one key all answer 201 with a single id."""
    name = f"Once only {uuid.uuid4()}"
    headers = {**bearer("admin", sub="registrar"), "Idempotency-Key": str(uuid.uuid4())}
    url = f"{platform['admin'].url}/api/admin/courses"

    with ThreadPoolExecutor(max_workers=DUPLICATES) as pool:
        answers = list(
            pool.map(
                lambda _: http.post(url, json={"name": name}, headers=headers),
                range(DUPLICATES),
            )
        )

    assert [r.status_code for r in answers] == [201] * DUPLICATES
    assert len({r.json()["id"] for r in answers}) == 1
    stored = "SELECT count(*) FROM admin.courses WHERE name = %s"
    assert count_rows(database, stored, name) == 1


def test_replayed_assignment_through_two_hops_returns_the_same_id(
    http, database, platform, bearer
):
    """A retried assignment post, checked with admin-service, is not created twice."""
    course = http.post(
        f"{platform['admin'].url}/api/admin/courses",
        json={"name": "Retries"},
        headers=bearer("admin"),
    )
    url = (
        f"{platform['teacher'].url}/api/teacher/courses/"
        f"{course.json()['id']}/assignments"
    )
    headers = {
        **bearer("teacher", sub="lecturer"),
        "Idempotency-Key": str(uuid.uuid4()),
    }

    first = http.post(url, json={"title": "Say it twice"}, headers=headers)
    replay = http.post(url, json={"title": "Say it twice"}, headers=headers)

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json()["id"] == first.json()["id"]
    assert replay.headers.get("Idempotent-Replayed") == "true"
    stored = "SELECT count(*) FROM teacher.assignments WHERE course_id = %s"
    assert count_rows(database, stored, course.json()["id"]) == 1
