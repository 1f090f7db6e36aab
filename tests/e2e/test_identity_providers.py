"""Tokens from real identity providers: RS256 and ES256, a public key or a JWKS."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.conftest import TEST_JWT_SECRET, ServiceProcess

COURSES = "/api/admin/courses"


def claims(**extra):
    now = int(time.time())
    return {"sub": "idp-user", "role": "admin", "iat": now, "exp": now + 300, **extra}


def public_pem(private_key):
    return (
        private_key.public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )


def get_courses(service, token):
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{service.url}{COURSES}", headers=headers, timeout=10)


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def rs256_service(database, rsa_key):
    """admin-service trusting one RSA public key, roles read as Keycloak's."""
    service = ServiceProcess(
        "admin",
        database_url=database.url(),
        env={
            "JWT_ALGORITHM": "RS256",
            "JWT_PUBLIC_KEY": public_pem(rsa_key),
            "JWT_ROLE_CLAIM": "realm_access.roles",
            "DJANGO_SECRET_KEY": "an-rs256-deployment-has-its-own-django-key",
        },
    )
    yield service.migrate().start()
    service.stop()


def test_rs256_token_signed_by_the_configured_key_is_accepted(rs256_service, rsa_key):
    """A Keycloak-like RS256 token with realm roles authenticates."""
    token = jwt.encode(
        claims(realm_access={"roles": ["offline_access", "admin"]}),
        rsa_key,
        algorithm="RS256",
    )

    assert get_courses(rs256_service, token).status_code == 200


def test_rs256_service_refuses_other_keys_and_algorithms(rs256_service, rsa_key):
    """Another RSA key, an HS256 token or a top-level role claim are refused."""
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    roles = {"realm_access": {"roles": ["admin"]}}

    tokens = [
        jwt.encode(claims(**roles), other_key, algorithm="RS256"),
        jwt.encode(claims(**roles), "s" * 40, algorithm="HS256"),
        jwt.encode(claims(), rsa_key, algorithm="RS256"),
    ]

    assert [get_courses(rs256_service, t).status_code for t in tokens] == [401] * 3


class KeySet:
    """A JWKS endpoint on loopback whose keys a test can rotate."""

    def __init__(self):
        self.keys = {}
        self.fetches = 0
        key_set = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                key_set.fetches += 1
                body = json.dumps({"keys": list(key_set.keys.values())}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, kid):
        private_key = ec.generate_private_key(ec.SECP256R1())
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        self.keys[kid] = {**jwk, "kid": kid, "alg": "ES256", "use": "sig"}
        return private_key


@pytest.fixture(scope="module")
def key_set():
    keys = KeySet()
    yield keys
    keys.server.shutdown()


@pytest.fixture(scope="module")
def es256_service(database, key_set):
    """admin-service that takes its ES256 keys from a JWKS URL."""
    service = ServiceProcess(
        "admin",
        database_url=database.url(),
        env={
            "JWT_ALGORITHM": "ES256",
            "JWT_JWKS_URL": key_set.url,
            "JWT_JWKS_REFRESH_COOLDOWN": "1",
            "DJANGO_SECRET_KEY": "an-es256-deployment-has-its-own-django-key",
        },
    )
    yield service.migrate().start()
    service.stop()


def test_jwks_keys_are_cached_and_refreshed_on_an_unknown_kid(es256_service, key_set):
    """Known kids reuse the cached set; a new kid makes the service fetch again."""
    first = jwt.encode(claims(), key_set.add("first"), "ES256", {"kid": "first"})

    assert get_courses(es256_service, first).status_code == 200
    fetched = key_set.fetches
    assert get_courses(es256_service, first).status_code == 200
    assert key_set.fetches == fetched

    rotated = jwt.encode(claims(), key_set.add("second"), "ES256", {"kid": "second"})
    time.sleep(1.2)  # past the refresh cooldown the test configured
    assert get_courses(es256_service, rotated).status_code == 200
    assert key_set.fetches == fetched + 1


def test_jwks_service_refuses_a_kid_it_cannot_find(es256_service, key_set):
    """A token whose kid is not in the key set, or signed by a stray key, is 401."""
    stray = ec.generate_private_key(ec.SECP256R1())

    unknown_kid = jwt.encode(claims(), stray, "ES256", headers={"kid": "nobody"})
    wrong_key = jwt.encode(claims(), stray, "ES256", headers={"kid": "first"})

    assert get_courses(es256_service, unknown_kid).status_code == 401
    assert get_courses(es256_service, wrong_key).status_code == 401


def test_a_10_kb_token_is_401_through_gunicorn(platform):
    """A huge header reaches the application and is refused as a token."""
    response = get_courses(platform["admin"], "x" * 10_000)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


@pytest.fixture(scope="module")
def issuer_service(database):
    """admin-service that requires a given issuer and audience."""
    service = ServiceProcess(
        "admin",
        database_url=database.url(),
        env={"JWT_ISSUER": "https://idp.example", "JWT_AUDIENCE": "edu"},
    )
    yield service.migrate().start()
    service.stop()


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"iss": "https://idp.example", "aud": "edu"}, 200),
        ({"aud": "edu"}, 401),
        ({"iss": "https://idp.example"}, 401),
        ({"iss": "https://other.example", "aud": "edu"}, 401),
        ({"iss": "https://idp.example", "aud": "billing"}, 401),
    ],
    ids=["matching", "no-iss", "no-aud", "wrong-iss", "wrong-aud"],
)
def test_jwt_issuer_and_audience_from_the_environment_are_enforced(
    issuer_service, extra, status
):
    """With JWT_ISSUER and JWT_AUDIENCE set, iss and aud are required to match."""
    token = jwt.encode(claims(**extra), TEST_JWT_SECRET, algorithm="HS256")

    assert get_courses(issuer_service, token).status_code == status
