"""``manage_all.py token`` prints a token the services accept."""

import os
import subprocess
import sys
import time

import jwt
import pytest

from tests.conftest import ROOT

SECRET = "a-secret-only-this-test-knows-0123456789"


def run_token(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("JWT_SECRET", "JWT_ISSUER", "JWT_AUDIENCE")
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage_all.py"), "token", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_token_carries_the_role_subject_and_lifetime_asked_for():
    """Signed with JWT_SECRET, HS256, with the issuer and audience configured."""
    before = int(time.time())
    result = run_token(
        *("--role", "teacher", "--sub", "grace", "--ttl", "120"),
        JWT_SECRET=SECRET,
        JWT_ISSUER="edu-platform",
        JWT_AUDIENCE="edu-api",
    )

    assert result.returncode == 0, result.stderr
    claims = jwt.decode(
        result.stdout.strip(),
        SECRET,
        algorithms=["HS256"],
        issuer="edu-platform",
        audience="edu-api",
    )
    assert (claims["sub"], claims["role"]) == ("grace", "teacher")
    assert before + 120 <= claims["exp"] <= int(time.time()) + 120


def test_another_secret_does_not_verify_the_token():
    """The token is bound to the secret it was signed with."""
    result = run_token("--role", "admin", JWT_SECRET=SECRET)

    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(result.stdout.strip(), SECRET + "-not", algorithms=["HS256"])


def test_an_unknown_role_is_refused():
    """Only the platform's three roles can be asked for."""
    result = run_token("--role", "janitor")

    assert result.returncode != 0
    assert "invalid choice: 'janitor'" in result.stderr
