"""Checks of the edu platform: ``nox`` runs the tests, ``nox -s lint`` the linters."""

import os

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
    env = {
        "DEBUG": "false",
        "DATABASE_URL": os.environ.get("DATABASE_URL", LOCAL_POSTGRES),
        "JWT_SECRET": os.environ.get("JWT_SECRET", TEST_JWT_SECRET),
    }
    for suite, settings_module in SUITES.items():
        django = ["--ds", settings_module] if settings_module else ["-p", "no:django"]
        session.run("pytest", f"tests/{suite}", *django, *session.posargs, env=env)


@nox.session
def lint(session):
    """Check style and formatting with ruff."""
    session.install("-r", "requirements/dev.txt")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
