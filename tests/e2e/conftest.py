"""The three services as real processes on loopback, over one PostgreSQL database."""

import pytest

from tests.conftest import ServiceProcess, ThrowawayDatabase


@pytest.fixture(scope="session")
def database():
    """A fresh database that each service migrates into its own schema."""
    database = ThrowawayDatabase().create()
    yield database
    database.drop()


@pytest.fixture(scope="session")
def platform(database):
    """Serve admin-, teacher- and student-service, wired to each other."""
    admin = ServiceProcess("admin", database_url=database.url())
    teacher = ServiceProcess(
        "teacher", database_url=database.url(), env={"ADMIN_SERVICE_URL": admin.url}
    )
    student = ServiceProcess(
        "student", database_url=database.url(), env={"TEACHER_SERVICE_URL": teacher.url}
    )
    services = {"admin": admin, "teacher": teacher, "student": student}
    try:
        for service in services.values():
            service.migrate().start()
        yield services
    finally:
        for service in services.values():
            service.stop()
