"""Checks of the edu platform: ``nox`` runs the tests, ``nox -s lint`` the linters."""

import contextlib
import os
import socket
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import nox

nox.needs_version = ">=2024.10.9"
nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/edu"
TEST_JWT_SECRET = "edu-platform-test-secret-0123456789abcdef"

# Each service is its own Django project, so each suite runs in its own
# pytest process with that project's settings (None: no Django in-process).
SUITES = {
    "libs": "tests.libs.settings",
    "admin_svc": "admin_svc.settings",
    "teacher_svc": "teacher_svc.settings",
    "student_svc": "student_svc.settings",
    "e2e": None,
}


@nox.session
def tests(session):
    """Run every suite against PostgreSQL; posargs go to each pytest run."""
    session.install("-r", "requirements/dev.txt", "-e", "libs")
    with postgres(session) as database_url:
        env = {
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "JWT_SECRET": os.environ.get("JWT_SECRET", TEST_JWT_SECRET),
        }
        for suite, settings_module in SUITES.items():
            django = (
                ["--ds", settings_module] if settings_module else ["-p", "no:django"]
            )
            session.run("pytest", f"tests/{suite}", *django, *session.posargs, env=env)


@nox.session
def lint(session):
    """Check style and formatting with ruff."""
    session.install("-r", "requirements/dev.txt")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@contextlib.contextmanager
def postgres(session):
    """Yield DATABASE_URL: the environment's, the local server, or an embedded one.

    On a machine without PostgreSQL the pgserver wheel runs a private server
    under .nox/ for as long as the session lasts.
    """
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
    elif _answers("127.0.0.1", 5432):
        yield LOCAL_POSTGRES
    else:
        session.log("No PostgreSQL on 127.0.0.1:5432: starting an embedded one")
        session.install("pgserver==0.1.4")
        holder = subprocess.Popen(
            [
                str(Path(session.bin, "python")),
                "-c",
                "import pgserver, sys; server = pgserver.get_server(sys.argv[1]); "
                "print(server.get_uri(), flush=True); sys.stdin.read()",
                str(Path(".nox", "postgres").resolve()),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            socket_dir = parse_qs(urlsplit(holder.stdout.readline()).query)["host"][0]
            yield f"postgres://postgres@{quote(socket_dir, safe='')}/postgres"
        finally:
            holder.stdin.close()  # the holder's exit stops the server
            holder.wait(timeout=60)


def _answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False
