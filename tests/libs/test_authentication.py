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
    ["superuser", "", 7, {"name": "admin"}, ["admin"], ["admin", "teacher"], [7]],
)
def test_unknown_or_non_string_role_is_refused(api, role):
    """The role claim must hold one of admin, teacher or student, as a string."""
    assert_refused(call(api, signed(claims(role=role))))


def test_a_configured_claim_may_list_roles_with_one_platform_role(api, settings):
    """JWT_ROLE_CLAIM=groups reads a list, as Cognito sends cognito:groups."""
    settings.JWT_ROLE_CLAIM = "groups"

    accepted = call(api, signed(claims(role=None, groups=["beta", "student"])))
    ambiguous = call(api, signed(claims(role=None, groups=["admin", "student"])))

    assert accepted.json()["role"] == "student"
    assert_refused(ambiguous)


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


class TestVerifiedTokensAreKept:
    """A token is verified on its first use and trusted until it expires."""

    @pytest.fixture
    def decodes(self, monkeypatch):
        """Count the signature checks simplejwt's token backend makes."""
        from rest_framework_simplejwt.state import token_backend

        checked = []
        decode = token_backend.decode
        monkeypatch.setattr(
            token_backend,
            "decode",
            lambda token, verify=True: checked.append(token) or decode(token, verify),
        )
        return checked

    def test_a_token_sent_again_is_not_verified_again(self, api, decodes):
        """The second request with the same token skips the signature check."""
        token = signed(claims(sub="kept-1"))

        responses = [call(api, token) for _ in range(3)]

        assert [response.status_code for response in responses] == [200] * 3
        assert len(decodes) == 1

    def test_a_kept_token_is_refused_once_it_expires(self, api, monkeypatch):
        """Keeping a token never stretches its lifetime past exp and the leeway."""
        from rest_framework_simplejwt.state import token_backend

        monkeypatch.setattr(token_backend, "leeway", 0)
        expires = int(time.time()) + 1
        token = signed(claims(sub="kept-2", exp=expires))
        assert call(api, token).status_code == 200

        time.sleep(max(0, expires - time.time()) + 0.1)

        assert_refused(call(api, token))

    def test_a_refused_token_is_checked_again_every_time(self, api, decodes):
        """Only successes are kept: a bad token costs a check on each request."""
        token = signed(claims(sub="kept-3"), key="another-secret-0123456789abcdef0")

        for _ in range(2):
            assert_refused(call(api, token))
        assert len(decodes) == 2

    def test_a_kept_token_is_checked_again_for_a_new_issuer_and_audience(
        self, api, monkeypatch
    ):
        """Requiring an issuer and audience applies to tokens verified before."""
        from rest_framework_simplejwt.state import token_backend

        token = signed(claims(sub="kept-4"))
        assert call(api, token).status_code == 200

        monkeypatch.setattr(token_backend, "issuer", "https://idp.example")
        monkeypatch.setattr(token_backend, "audience", "edu")

        assert_refused(call(api, token))
