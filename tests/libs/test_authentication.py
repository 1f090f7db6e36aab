"""Bearer JWT verification: what is accepted, and every way a token is refused."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import TEST_JWT_SECRET

WHOAMI = "/api/libs/whoami"


def claims(**overrides):
    now = int(time.time())
    payload = {"sub": "user-1", "role": "teacher", "iat": now, "exp": now + 300}
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


def signed(payload, key=TEST_JWT_SECRET, algorithm="HS256", headers=None):
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


def call(api, raw_token):
    return api.get(WHOAMI, HTTP_AUTHORIZATION=f"Bearer {raw_token}")


def assert_refused(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401
    assert body["code"] in {
        "token_not_valid",
        "authentication_failed",
        "not_authenticated",
    }
    assert body["detail"]


def test_valid_token_identifies_the_caller_by_sub_and_role(api):
    """A well-formed HS256 token authenticates with its sub and role."""
    response = call(api, signed(claims()))

    assert response.status_code == 200
    assert response.json() == {"sub": "user-1", "role": "teacher"}


def test_missing_header_is_401_with_bearer_challenge(api):
    """No Authorization header: 401, a Bearer challenge and a JSON body."""
    response = api.get(WHOAMI)

    assert_refused(response)
    assert response.json()["code"] == "not_authenticated"


def test_tampered_payload_under_the_old_signature_is_refused(api):
    """Changing the role in the payload breaks the signature."""
    header, _, signature = signed(claims(role="student")).split(".")
    forged = base64.urlsafe_b64encode(json.dumps(claims(role="admin")).encode())
    tampered = ".".join([header, forged.decode().rstrip("="), signature])

    assert_refused(call(api, tampered))


def test_expired_token_is_refused(api):
    """A token that expired beyond the leeway is refused."""
    assert_refused(call(api, signed(claims(exp=int(time.time()) - 60))))


def test_expiry_within_the_leeway_is_accepted(api):
    """A token expired a few seconds ago passes: clocks drift."""
    assert call(api, signed(claims(exp=int(time.time()) - 3))).status_code == 200


def test_issued_at_slightly_in_the_future_is_accepted(api):
    """An iat a few seconds ahead (clock skew within the leeway) is accepted."""
    assert call(api, signed(claims(iat=int(time.time()) + 5))).status_code == 200


def test_alg_none_is_refused(api):
    """An unsigned token (alg none) is refused."""
    assert_refused(call(api, jwt.encode(claims(), None, algorithm="none")))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_another_hmac_algorithm_is_refused(api):
    """HS512 is refused while HS256 is pinned, even with the right key."""
    assert_refused(call(api, signed(claims(), algorithm="HS512")))


def test_rs256_token_is_refused_when_hs256_is_pinned(api):
    """An RS256 token is refused while HS256 is pinned."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    assert_refused(call(api, signed(claims(), key=private_key, algorithm="RS256")))


def test_token_signed_with_another_key_is_refused(api):
    """A token signed with a different secret is refused."""
    assert_refused(call(api, signed(claims(), key="another-secret-" + "x" * 32)))


@pytest.mark.parametrize("claim", ["sub", "role", "exp"])
def test_token_missing_a_required_claim_is_refused(api, claim):
    """sub, role and exp are each required."""
    assert_refused(call(api, signed(claims(**{claim: None}))))


@pytest.mark.parametrize(
    "role",
    ["superuser", "", 7, {"name": "admin"}, ["admin", "teacher"], [7], ["viewer"]],
)
def test_unknown_or_non_string_role_is_refused(api, role):
    """A role must be admin, teacher or student: one string, or one in a list."""
    assert_refused(call(api, signed(claims(role=role))))


def test_a_list_of_roles_with_one_platform_role_is_accepted(api):
    """A list as identity providers send it yields its one platform role."""
    response = call(api, signed(claims(role=["offline_access", "student"])))

    assert response.json()["role"] == "student"


def test_the_role_claim_can_be_a_path_into_nested_claims(api, settings):
    """JWT_ROLE_CLAIM=realm_access.roles reads Keycloak's realm roles."""
    settings.JWT_ROLE_CLAIM = "realm_access.roles"
    token = signed(claims(role=None, realm_access={"roles": ["uma", "admin"]}))

    assert call(api, token).json() == {"sub": "user-1", "role": "admin"}
    assert_refused(call(api, signed(claims(role="admin"))))


def test_overlong_sub_is_refused(api):
    """A sub longer than a record can hold is refused, not stored truncated."""
    assert_refused(call(api, signed(claims(sub="x" * 256))))


@pytest.mark.parametrize("raw", ["garbage", "a.b.c", "x" * 10_000])
def test_garbage_is_refused(api, raw):
    """Strings that are not JWTs, a 10 kB one included, are refused."""
    assert_refused(call(api, raw))


def test_other_scheme_is_not_accepted(api):
    """Only the Bearer scheme authenticates."""
    response = api.get(WHOAMI, HTTP_AUTHORIZATION=f"Token {signed(claims())}")

    assert_refused(response)


class TestIssuerAndAudience:
    """JWT_ISSUER and JWT_AUDIENCE, when set, are required and must match."""

    @pytest.fixture(autouse=True)
    def configured(self, monkeypatch):
        # simplejwt builds its token backend from settings once, at import:
        # configure that backend as JWT_ISSUER and JWT_AUDIENCE would.
        from rest_framework_simplejwt.state import token_backend

        monkeypatch.setattr(token_backend, "issuer", "https://idp.example")
        monkeypatch.setattr(token_backend, "audience", "edu")

    def test_matching_issuer_and_audience_are_accepted(self, api):
        """iss and aud equal to the configured values pass."""
        token = signed(claims(iss="https://idp.example", aud="edu"))

        assert call(api, token).status_code == 200

    @pytest.mark.parametrize(
        "overrides",
        [
            {"aud": "edu"},
            {"iss": "https://idp.example"},
            {"iss": "https://evil.example", "aud": "edu"},
            {"iss": "https://idp.example", "aud": "other"},
        ],
        ids=["no-iss", "no-aud", "wrong-iss", "wrong-aud"],
    )
    def test_missing_or_wrong_issuer_or_audience_is_refused(self, api, overrides):
        """A missing or different iss or aud is refused."""
        assert_refused(call(api, signed(claims(**overrides))))
