"""Fixtures of the teacher-service suite: a real admin-service beside it."""

import httpx
import pytest
from django.db import connection

from edu_common.remote import reset_siblings
from tests.conftest import ServiceProcess, database_url


@pytest.fixture(scope="session")
def admin_service(django_db_setup, django_db_blocker):
    """Serve admin-service for the session, on the test database."""
    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]

    service = ServiceProcess(
        "admin",
        database_url=database_url(test_database, "admin"),
        env={
            # No leeway, so a token that has just expired tells whose token
            # admin-service verifies: see the forwarding test.
            "JWT_LEEWAY": "0",
        },
    )
    try:
        service.migrate().start()
        yield service
    finally:
        # Stopped before pytest-django drops the database it connects to.
        service.stop()


@pytest.fixture(autouse=True)
def sibling_urls(settings, admin_service):
    """Send course checks to the session's admin-service, from a new client."""
    settings.SIBLING_URLS = {"admin-service": admin_service.url}
    reset_siblings()
    yield
    reset_siblings()


@pytest.fixture
def course(admin_service, bearer):
    """Create a course through admin-service's API and return its body."""
    response = httpx.post(
        f"{admin_service.url}/api/admin/courses",
        json={"name": "Distributed Systems"},
        headers=bearer("admin"),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()
