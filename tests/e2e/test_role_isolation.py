"""Each service connects as its own database role and reaches only its schema.

``manage_all.py bootstrap-db`` makes the roles, with a prefix of this run's
own, in a throwaway database; the three services migrate and serve the slice
as those roles. The roles and the database are dropped afterwards.
"""

import os
import re
import secrets
import subprocess
import sys
import uuid

import httpx
import psycopg
import pytest
from psycopg import sql

from tests.conftest import ROOT, ServiceProcess, ThrowawayDatabase, database_url

SCHEMAS = ("admin", "teacher", "student")


def printed_urls(output):
    """Return the DATABASE_URL that bootstrap-db printed for each service."""
    found = re.findall(r"(admin|teacher|student)-service\s+DATABASE_URL=(\S+)", output)
    return dict(found)


@pytest.fixture(scope="module")
def bootstrapped():
    """A throwaway database with one login role per service; each one's URL.

    Yields the role-name prefix and the URLs, passwords included.
    """
    prefix = f"edu_test_{uuid.uuid4().hex[:8]}_"
    database = ThrowawayDatabase().create()
    passwords = {f"{key.upper()}_DB_PASSWORD": secrets.token_hex(12) for key in SCHEMAS}
    try:
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage_all.py"),
                "bootstrap-db",
                *("--owner-url", database.url()),
                *("--role-prefix", prefix),
                "--show-passwords",
            ],
            env={**os.environ, **passwords},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        yield prefix, database, printed_urls(result.stdout)
    finally:
        database.drop()
        with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
            for key in SCHEMAS:
                connection.execute(
                    sql.SQL("DROP ROLE IF EXISTS {}").format(
                        sql.Identifier(f"{prefix}{key}")
                    )
                )


@pytest.fixture(scope="module")
def platform_as_roles(bootstrapped):
    """The three services, wired, each migrated and served as its own role."""
    _, _, urls = bootstrapped
    admin = ServiceProcess("admin", database_url=urls["admin"])
    teacher = ServiceProcess(
        "teacher", database_url=urls["teacher"], env={"ADMIN_SERVICE_URL": admin.url}
    )
    student = ServiceProcess(
        "student",
        database_url=urls["student"],
        env={"TEACHER_SERVICE_URL": teacher.url},
    )
    services = {"admin": admin, "teacher": teacher, "student": student}
    try:
        for service in services.values():
            service.migrate().start()
        yield services
    finally:
        for service in services.values():
            service.stop()


def test_each_service_serves_the_slice_as_its_own_role(
    bootstrapped, platform_as_roles, bearer
):
    """The slice succeeds, and each schema's tables belong to its service's role."""
    prefix, database, _ = bootstrapped
    admin, teacher, student = (platform_as_roles[key] for key in SCHEMAS)

    with httpx.Client(timeout=30) as http:
        course = http.post(
            f"{admin.url}/api/admin/courses",
            json={"name": "Least privilege"},
            headers=bearer("admin"),
        )
        assignment = http.post(
            f"{teacher.url}/api/teacher/courses/{course.json()['id']}/assignments",
            json={"title": "Grant nothing more"},
            headers=bearer("teacher"),
        )
        submission = http.post(
            f"{student.url}/api/student/assignments/"
            f"{assignment.json()['id']}/submissions",
            json={"content": "Only my schema."},
            headers=bearer("student"),
        )

    assert [r.status_code for r in (course, assignment, submission)] == [201] * 3
    with psycopg.connect(database.url()) as connection:
        owners = dict(
            connection.execute(
                "SELECT schemaname, tableowner FROM pg_tables WHERE tablename"
                " IN ('courses', 'assignments', 'submissions')"
            ).fetchall()
        )
    assert owners == {key: f"{prefix}{key}" for key in SCHEMAS}


def test_admin_service_role_is_refused_on_teacher_assignments(
    bootstrapped, platform_as_roles
):
    """Connected as admin-service's role, reading teacher.assignments is denied."""
    _, _, urls = bootstrapped

    with (
        psycopg.connect(urls["admin"]) as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="teacher"),
    ):
        connection.execute("SELECT * FROM teacher.assignments")
