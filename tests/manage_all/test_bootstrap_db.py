"""``manage_all.py bootstrap-db`` against the local PostgreSQL server.

The owner is a role like a managed database's: it owns the database and may
create roles, and is no superuser. Every role name starts with a prefix of
this run's own, and the roles and the database are dropped afterwards.
"""

import os
import re
import subprocess
import sys
import uuid
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from tests.conftest import ROOT, ThrowawayDatabase, database_url

PASSWORDS = {
    "admin": "admin password/1",
    "teacher": "teacher password:2",
    "student": "student password@3",
}


def superuser():
    return psycopg.connect(database_url("postgres"), autocommit=True)


def bootstrap(owner_url, prefix, *options, passwords=PASSWORDS, env=None):
    """Run the command as its own process, as an operator would; return it."""
    env = {
        **{name: value for name, value in os.environ.items() if "DATABASE" not in name},
        **{f"{key.upper()}_DB_PASSWORD": value for key, value in passwords.items()},
        **(env or {}),
    }
    command = [sys.executable, str(ROOT / "manage_all.py"), "bootstrap-db"]
    return subprocess.run(
        [*command, "--owner-url", owner_url, "--role-prefix", prefix, *options],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def printed_urls(output):
    """Return the DATABASE_URL printed for each service, by schema."""
    urls = re.findall(r"(admin|teacher|student)-service\s+DATABASE_URL=(\S+)", output)
    return dict(urls)


@pytest.fixture(scope="module")
def prefix():
    """A role-name prefix no other run uses; its roles are dropped at the end."""
    prefix = f"edu_test_{uuid.uuid4().hex[:8]}_"
    yield prefix
    with superuser() as connection:
        roles = connection.execute(
            "SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", [prefix]
        ).fetchall()
        for (role,) in roles:
            connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture(scope="module")
def owner_url(prefix):
    """A throwaway database owned by a CREATEROLE role; its owner URL."""
    owner = f"{prefix}owner"
    database = ThrowawayDatabase().create()
    with superuser() as connection:
        connection.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEROLE").format(sql.Identifier(owner))
        )
        connection.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(database.name), sql.Identifier(owner)
            )
        )
    # Open public to everyone, as PostgreSQL 14 and older left it.
    with psycopg.connect(database.url(), autocommit=True) as connection:
        connection.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    yield database.url().replace("postgres@", f"{owner}@", 1)
    database.drop()


@pytest.fixture(scope="module")
def runs(owner_url, prefix):
    """Bootstrap, let teacher-service make a table and share it, bootstrap again.

    The second run must keep the table and take the stray grant back.
    """
    first = bootstrap(owner_url, prefix)
    assert first.returncode == 0, first.stderr
    teacher_url = printed_urls(first.stdout)["teacher"].replace(
        "***", quote(PASSWORDS["teacher"], safe="")
    )
    with psycopg.connect(teacher_url) as connection:
        connection.execute("CREATE TABLE teacher.assignments (title text)")
        connection.execute("INSERT INTO teacher.assignments VALUES ('Read chapter 1')")
        for grant in (
            "GRANT USAGE ON SCHEMA teacher TO {}",
            "GRANT SELECT ON teacher.assignments TO {}",
        ):
            connection.execute(sql.SQL(grant).format(sql.Identifier(f"{prefix}admin")))
    second = bootstrap(owner_url, prefix, "--show-passwords")
    assert second.returncode == 0, second.stderr
    return first, second


def connect_as(runs, schema):
    return psycopg.connect(printed_urls(runs[1].stdout)[schema], autocommit=True)


def test_first_run_creates_one_role_per_service(runs, prefix):
    """The first run creates a login role for each service."""
    for schema in PASSWORDS:
        assert f"role {prefix}{schema}: created" in runs[0].stdout


def test_second_run_updates_the_roles_and_creates_nothing(runs):
    """Running again updates the roles and creates none anew."""
    assert "created" not in runs[1].stdout
    assert runs[1].stdout.count(": updated") == 3


def test_second_run_keeps_the_tables_and_their_rows(runs):
    """Running again leaves the services' tables and rows alone."""
    with connect_as(runs, "teacher") as connection:
        rows = connection.execute("SELECT title FROM teacher.assignments").fetchall()

    assert rows == [("Read chapter 1",)]


def test_each_role_lands_in_its_own_schema(runs, prefix):
    """Each role's search_path is its own schema."""
    for schema in PASSWORDS:
        with connect_as(runs, schema) as connection:
            user, search_path = connection.execute(
                "SELECT current_user, current_setting('search_path')"
            ).fetchone()

        assert (user, search_path) == (f"{prefix}{schema}", schema)


def test_each_role_owns_its_own_schema(runs, prefix):
    """Each schema is owned by its service's role."""
    with connect_as(runs, "admin") as connection:
        owners = dict(
            connection.execute(
                "SELECT nspname, nspowner::regrole::text FROM pg_namespace"
                " WHERE nspname = ANY(%s)",
                [list(PASSWORDS)],
            ).fetchall()
        )

    assert owners == {schema: f"{prefix}{schema}" for schema in PASSWORDS}


def test_admin_role_cannot_read_teacher_assignments(runs):
    """The admin-service role is refused on teacher.assignments."""
    with (
        connect_as(runs, "admin") as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="schema teacher"),
    ):
        connection.execute("SELECT * FROM teacher.assignments")


def test_no_role_can_create_in_public(runs):
    """No service role may create anything in public."""
    for schema in PASSWORDS:
        with (
            connect_as(runs, schema) as connection,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            connection.execute("CREATE TABLE public.stray (id int)")


def test_passwords_are_printed_only_when_asked(runs):
    """Passwords show as *** unless --show-passwords is given."""
    first, second = runs
    for password in PASSWORDS.values():
        assert quote(password, safe="") not in first.stdout
        assert quote(password, safe="") in second.stdout
    assert first.stdout.count(":***@") == 3


def test_passwords_can_come_from_the_services_own_urls(owner_url, prefix, runs):
    """A role's password may come from its service's DATABASE_URL."""
    service_urls = {
        f"{schema.upper()}_DATABASE_URL": url
        for schema, url in printed_urls(runs[1].stdout).items()
    }

    result = bootstrap(owner_url, prefix, passwords={}, env=service_urls)

    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": updated") == 3


def test_a_service_url_naming_another_role_is_refused(owner_url, prefix, runs):
    """A service URL that names another role stops the command."""
    admin_url = printed_urls(runs[1].stdout)["admin"]
    wrong_role = admin_url.replace(f"{prefix}admin:", f"{prefix}teacher:")

    result = bootstrap(
        owner_url, prefix, passwords={}, env={"ADMIN_DATABASE_URL": wrong_role}
    )

    assert result.returncode != 0
    assert "ADMIN_DATABASE_URL connects as" in result.stderr


def test_missing_password_stops_before_touching_the_database(owner_url, prefix):
    """Without a password the command stops before any change."""
    result = bootstrap(
        owner_url, f"{prefix}unused_", passwords={"admin": "a", "teacher": "t"}
    )

    assert result.returncode != 0
    assert "STUDENT_DB_PASSWORD" in result.stderr
    with superuser() as connection:
        stray = connection.execute(
            "SELECT count(*) FROM pg_roles WHERE starts_with(rolname, %s)",
            [f"{prefix}unused_"],
        ).fetchone()
    assert stray == (0,)
