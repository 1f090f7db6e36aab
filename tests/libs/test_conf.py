"""Configuration from the environment: defaults, and failing loudly at start."""

import os
import subprocess
import sys

import pytest

from edu_common.conf import search_path_schema
from tests.conftest import ROOT

SECRET = "a-very-secret-value-that-must-never-be-printed"


def start(env):
    """Run ``manage.py check`` for admin-service with only ``env`` set."""
    return subprocess.run(
        [sys.executable, str(ROOT / "admin_svc" / "manage.py"), "check"],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def assert_stops_naming(result, variable):
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert len(output.strip().splitlines()) == 1, output
    assert variable in output
    assert "Traceback" not in output
    assert SECRET not in output


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DEBUG": "false", "DATABASE_URL": "postgres://u@h/db"}, "JWT_SECRET"),
        ({"DEBUG": "false", "JWT_SECRET": SECRET}, "DATABASE_URL"),
        (
            {"DEBUG": "false", "JWT_SECRET": SECRET, "DATABASE_URL": "nonsense"},
            "DATABASE_URL",
        ),
        ({"DEBUG": "true", "JWT_SECRET": "short"}, "JWT_SECRET"),
        ({"DEBUG": "true", "RETRY_COUNT": "three"}, "RETRY_COUNT"),
        ({"DEBUG": "true", "HTTP_REQUEST_TIMEOUT": "soon"}, "HTTP_REQUEST_TIMEOUT"),
        ({"DEBUG": "true", "JWT_ALGORITHM": "HS512"}, "JWT_ALGORITHM"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "true", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DEBUG": "true", "JWT_ALGORITHM": "RS256"}, "JWT_PUBLIC_KEY"),
        (
            {"DEBUG": "true", "JWT_ALGORITHM": "ES256", "JWT_PUBLIC_KEY": SECRET},
            "JWT_PUBLIC_KEY",
        ),
        (
            {
                "DEBUG": "false",
                "DATABASE_URL": "postgres://u@h/db",
                "JWT_ALGORITHM": "RS256",
                "JWT_JWKS_URL": "https://idp.example/jwks",
            },
            "DJANGO_SECRET_KEY",
        ),
    ],
    ids=[
        "no-secret",
        "no-database",
        "bad-database",
        "short-secret",
        "bad-int",
        "bad-float",
        "unknown-algorithm",
        "bad-debug",
        "bad-log-level",
        "no-public-key",
        "bad-public-key",
        "no-django-key",
    ],
)
def test_bad_configuration_stops_with_one_line_naming_the_variable(env, variable):
    """The process exits with one line that names the variable, not its value."""
    assert_stops_naming(start(env), variable)


def test_database_password_never_appears_in_the_error():
    """A malformed URL's password is not echoed back."""
    result = start(
        {
            "DEBUG": "false",
            "JWT_SECRET": SECRET,
            "DATABASE_URL": f"bogus://u:{SECRET}@h",
        }
    )

    assert_stops_naming(result, "DATABASE_URL")


def test_debug_without_database_url_uses_an_embedded_database():
    """With DEBUG on and no DATABASE_URL the service starts on SQLite and says so."""
    result = start({"DEBUG": "true"})

    assert result.returncode == 0, result.stderr
    assert "keeping data in" in result.stdout  # logs go to stdout


def test_search_path_from_the_url_options_names_the_schema(settings):
    """The schema comes from the URL's options when it has one."""
    database = {"OPTIONS": {"options": "-c search_path=teacher,public"}}

    assert search_path_schema(database) == "teacher"
    assert search_path_schema({"OPTIONS": {}}) is None


def test_service_connection_uses_its_own_schema(settings):
    """Without options in DATABASE_URL the service's own schema is the search_path."""
    options = settings.DATABASES["default"]["OPTIONS"]["options"]

    assert options.endswith("-c search_path=libs")
    assert settings.DATABASE_SCHEMA == "libs"
