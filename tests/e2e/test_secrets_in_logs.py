"""No secret and no token ever reaches a service's log or an error body.

The three services run with ``LOG_LEVEL=DEBUG``, a JWT secret of this test's
own and a database role with a password, their output captured in files,
through the slice and through failures: bad tokens, a sibling down and the
database cut away.
"""

import secrets
import uuid
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from psycopg import sql

from edu_common.tokens import mint_token
from tests.conftest import ServiceProcess, ThrowawayDatabase, database_url
from tests.e2e.faults import TcpProxy, port_of, through

JWT_SECRET = f"edu-platform-logs-secret-{secrets.token_hex(16)}"
FORGING_SECRET = f"edu-platform-forging-secret-{secrets.token_hex(16)}"


def with_credentials(url, user, password):
    """Return ``url`` connecting as ``user`` with ``password``."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))


@pytest.fixture
def role_with_password():
    """A throwaway database owned by a login role with a password; its URL."""
    role = f"edu_test_{uuid.uuid4().hex[:8]}_logs"
    password = secrets.token_hex(16)
    database = ThrowawayDatabase().create()
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
        connection.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(database.name), sql.Identifier(role)
            )
        )
    try:
        yield with_credentials(database.url(), role, password), password
    finally:
        database.drop()
        with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
            connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def logged_platform(tmp_path, role_with_password):
    """The three services logging at DEBUG into files; student's database proxied.

    Yields the services, the proxy in front of student-service's database and
    the log files.
    """
    url, _ = role_with_password
    database_proxy = TcpProxy(port_of(url)).start()
    env = {"JWT_SECRET": JWT_SECRET, "LOG_LEVEL": "DEBUG"}
    logs = {key: tmp_path / f"{key}.log" for key in ("admin", "teacher", "student")}
    admin = ServiceProcess("admin", database_url=url, env=env, log_path=logs["admin"])
    teacher = ServiceProcess(
        "teacher",
        database_url=url,
        env={**env, "ADMIN_SERVICE_URL": admin.url},
        log_path=logs["teacher"],
    )
    student = ServiceProcess(
        "student",
        database_url=through(database_proxy, url),
        env={**env, "TEACHER_SERVICE_URL": teacher.url},
        log_path=logs["student"],
    )
    services = {"admin": admin, "teacher": teacher, "student": student}
    try:
        for service in services.values():
            service.migrate().start()
        yield services, database_proxy, logs
    finally:
        for service in services.values():
            service.stop()
        database_proxy.stop()


def sign(role, **claims):
    return mint_token(secret=JWT_SECRET, role=role, **claims)


def test_no_secret_or_token_reaches_a_log_or_an_error_body(
    logged_platform, role_with_password
):
    """JWT secret, database password and tokens stay out of logs and replies."""
    services, database_proxy, logs = logged_platform
    admin, teacher, student = (services[key] for key in ("admin", "teacher", "student"))
    _, database_password = role_with_password
    tokens = {
        "admin": sign("admin"),
        "teacher": sign("teacher"),
        "student": sign("student"),
        "expired": sign("student", ttl=-3600),
        "forged": mint_token(secret=FORGING_SECRET, role="admin"),
        "garbage": f"garbage-{secrets.token_hex(12)}",
    }
    replies = []
    http = httpx.Client(timeout=30)

    def call(method, url, token, body=None):
        response = http.request(
            method, url, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        replies.append(response)
        return response

    with http:
        course = call(
            "POST", f"{admin.url}/api/admin/courses", tokens["admin"], {"name": "Ops"}
        )
        assignment = call(
            "POST",
            f"{teacher.url}/api/teacher/courses/{course.json()['id']}/assignments",
            tokens["teacher"],
            {"title": "Keep secrets"},
        )
        submit = (
            f"{student.url}/api/student/assignments/"
            f"{assignment.json()['id']}/submissions"
        )
        mine = f"{student.url}/api/student/submissions"
        submitted = call("POST", submit, tokens["student"], {"content": "Done."})
        listed = call("GET", mine, tokens["student"])
        missing = call(
            "POST",
            f"{student.url}/api/student/assignments/{uuid.uuid4()}/submissions",
            tokens["student"],
            {},
        )
        wrong_role = call("GET", mine, tokens["teacher"])
        refused = [
            call("GET", f"{service.url}/api/{key}/{path}", tokens[bad])
            for key, service, path in (
                ("admin", admin, "courses"),
                ("teacher", teacher, f"assignments/{uuid.uuid4()}"),
                ("student", student, "submissions"),
            )
            for bad in ("expired", "forged", "garbage")
        ]

        teacher.stop()
        sibling_down = call("POST", submit, tokens["student"], {})
        database_proxy.stop()
        database_down = call("GET", mine, tokens["student"])

    for service in services.values():
        service.stop()

    assert [r.status_code for r in (course, assignment, submitted, listed)] == [
        201,
        201,
        201,
        200,
    ]
    assert (missing.status_code, wrong_role.status_code) == (404, 403)
    assert {r.status_code for r in refused} == {401}
    assert sibling_down.status_code == 502
    assert database_down.status_code == 503

    written = {key: path.read_text(errors="replace") for key, path in logs.items()}
    for key, text in written.items():
        assert f"/api/{key}/" in text, f"{key}-service's log was not captured"

    secrets_used = {
        "the JWT secret": JWT_SECRET,
        "the forging secret": FORGING_SECRET,
        "the database password": database_password,
        **{f"the {name} token": token for name, token in tokens.items()},
        **{
            f"the {name} token's signature": token.rsplit(".", 1)[-1]
            for name, token in tokens.items()
        },
    }
    for name, value in secrets_used.items():
        for key, text in written.items():
            assert value not in text, f"{name} is in {key}-service's log"
        for reply in replies:
            assert value not in reply.text, f"{name} is in a reply to {reply.url}"
