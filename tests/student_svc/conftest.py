"""Fixtures of the student-service suite: real teacher- and admin-services."""

import httpx
import pytest
from django.db import connection

from edu_common.remote import reset_siblings
from tests.conftest import ServiceProcess, database_url


@pytest.fixture(scope="session")
def siblings(django_db_setup, django_db_blocker):
    """Serve admin- and teacher-service for the session on the test database.

    Each keeps its tables in its own schema of the database that pytest-django
    created, and teacher-service checks courses on this admin-service.
    """
    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]

    admin = ServiceProcess(
        "admin",
        database_url=database_url(test_database, "admin"),
    )
    teacher = ServiceProcess(
        "teacher",
        database_url=database_url(test_database, "teacher"),
        env={
            "ADMIN_SERVICE_URL": admin.url,
            # No leeway, so a token that has just expired tells whose token
            # teacher-service verifies: see the forwarding test.
            "JWT_LEEWAY": "0",
        },
    )
    try:
        admin.migrate()
        teacher.migrate()
        admin.start(wait=False)
        teacher.start(wait=False)
        admin.wait_until_serving()
        teacher.wait_until_serving()
        yield {"admin": admin, "teacher": teacher}
    finally:
        # Stopped before pytest-django drops the database they connect to.
        teacher.stop()
        admin.stop()


@pytest.fixture
def teacher_service(siblings):
    """The session's teacher-service."""
    return siblings["teacher"]


@pytest.fixture(autouse=True)
def sibling_urls(settings, teacher_service):
    """Send assignment checks to the session's teacher-service, freshly."""
    settings.SIBLING_URLS = {"teacher-service": teacher_service.url}
    reset_siblings()
    yield
    reset_siblings()


@pytest.fixture
def assignment(siblings, bearer):
    """Create a course, then an assignment in it, through the siblings."""
    with httpx.Client(timeout=10) as http:
        course = http.post(
            f"{siblings['admin'].url}/api/admin/courses",
            json={"name": "Distributed Systems"},
            headers=bearer("admin"),
        )
        assert course.status_code == 201, course.text
        created = http.post(
            f"{siblings['teacher'].url}/api/teacher/courses/"
            f"{course.json()['id']}/assignments",
            json={"title": "Design a circuit breaker"},
            headers=bearer("teacher"),
        )
    assert created.status_code == 201, created.text
    return created.json()
