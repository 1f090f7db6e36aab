"""Fixtures shared by every suite: tokens, and services as real processes."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from psycopg import sql

from edu_common.tokens import mint_token

ROOT = Path(__file__).resolve().parent.parent

# The secret the suites sign with; noxfile.py gives the services the same.
TEST_JWT_SECRET = os.environ.get(
    "JWT_SECRET", "edu-platform-test-secret-0123456789abcdef"
)
POSTGRES_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/edu")


@pytest.fixture
def token():
    """Return a function that signs a token for a role, as an IdP would."""

    def sign(role, sub=None, **kwargs):
        return mint_token(secret=TEST_JWT_SECRET, role=role, sub=sub, **kwargs)

    return sign


@pytest.fixture
def bearer(token):
    """Return a function that builds an ``Authorization`` header for a role."""

    def header(role, sub=None):
        return {"Authorization": f"Bearer {token(role, sub=sub)}"}

    return header


PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


@pytest.fixture
def expect_problem():
    """Return a checker of the JSON problem body every error reply carries."""

    def check(response, status, code):
        assert response.status_code == status, response.content
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body.keys() >= PROBLEM_KEYS
        assert (body["status"], body["code"]) == (status, code)
        return body

    return check


@pytest.fixture
def post_json(client):
    """Return a function that posts ``body`` as JSON with the given headers."""

    def post(url, body, headers=None):
        return client.post(
            url, body, content_type="application/json", headers=headers or {}
        )

    return post


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(name, schema=None):
    """Return a URL for database ``name`` on the suite's PostgreSQL server."""
    parts = urlsplit(POSTGRES_URL)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "options"]
    if schema:
        query.append(("options", f"-c search_path={schema}"))
    return urlunsplit(
        parts._replace(path=f"/{name}", query=urlencode(query, quote_via=quote))
    )


class ThrowawayDatabase:
    """A PostgreSQL database that exists for one test run."""

    def __init__(self):
        self.name = f"edu_test_{uuid.uuid4().hex[:12]}"

    def _admin(self):
        return psycopg.connect(database_url("postgres"), autocommit=True)

    def create(self):
        with self._admin() as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name))
            )
        return self

    def drop(self):
        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.name)
                )
            )

    def url(self, schema=None):
        return database_url(self.name, schema)


class ServiceProcess:
    """One service served by gunicorn on loopback, as its container serves it."""

    def __init__(self, key, *, database_url, env=None, log_path=None):
        self.key = key
        self.package = f"{key}_svc"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            # pytest-django exports the suite's settings; the process has its own.
            "DJANGO_SETTINGS_MODULE": f"{self.package}.settings",
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "JWT_SECRET": TEST_JWT_SECRET,
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "4",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        # Where stdout and stderr go; None leaves them on the test's output.
        self.log_path = log_path
        self.process = None
        self._log = None

    def migrate(self):
        subprocess.run(
            [sys.executable, str(ROOT / self.package / "manage.py"), "migrate", "-v0"],
            env=self.env,
            cwd=ROOT,
            check=True,
        )
        return self

    def start(self, wait=True):
        if self.log_path is not None and self._log is None:
            self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage_all.py"), "serve", self.key],
            env=self.env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT if self._log else None,
        )
        if wait:
            self.wait_until_serving()
        return self

    def wait_until_serving(self, path="/health", timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.package} exited with {self.process.returncode}"
                )
            try:
                if httpx.get(f"{self.url}{path}", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.package} did not serve {path} within {timeout} s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
