"""Verify the Bearer JWTs that an identity provider issues; no user table.

The platform never issues tokens: every service checks the signature, the
expiry and the claims, and takes the caller's identity (``sub``) and role
from the token alone.
"""

import threading
import time

from cachetools import TLRUCache
from django.conf import settings
from django.utils.functional import cached_property
from jwt import PyJWKClient
from rest_framework.authentication import SessionAuthentication
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.models import TokenUser
from rest_framework_simplejwt.state import token_backend

from edu_common.conf import DEFAULT_ROLE_CLAIM, ROLES

MAX_SUBJECT_LENGTH = 255

SESSION_TOKEN_KEY = "edu_common.bearer_token"  # noqa: S105 (a key name)

# Checking a token's signature and claims is most of what authenticating a
# request costs, and a client sends one token with many requests: a process
# keeps the tokens it verified, by their exact text, until they expire, and
# for at most VERIFIED_TOKEN_MAX_AGE seconds: no longer than a JWKS key set
# is kept by default, so a withdrawn key is not honoured for longer.
VERIFIED_TOKENS_KEPT = 2048
VERIFIED_TOKEN_MAX_AGE = 300


def _usable_until(key, validated_token, now):
    """Return when a verified token must be checked again: at its expiry."""
    leeway = token_backend.get_leeway().total_seconds()
    return min(validated_token.payload["exp"] + leeway, now + VERIFIED_TOKEN_MAX_AGE)


_verified_tokens = TLRUCache(VERIFIED_TOKENS_KEPT, _usable_until, timer=time.time)
_verified_tokens_lock = threading.Lock()


def token_role(claims):
    """Return the platform role the claims carry, or None.

    The default claim, ``role``, holds one role as a string. A claim that
    ``JWT_ROLE_CLAIM`` names instead, top-level or a dotted path such as
    Keycloak's ``realm_access.roles``, may hold a list of strings, among
    which exactly one must be a platform role.
    """
    value = claims
    for name in settings.JWT_ROLE_CLAIM.split("."):
        value = value.get(name) if isinstance(value, dict) else None

    if isinstance(value, str):
        return value if value in ROLES else None
    if (
        settings.JWT_ROLE_CLAIM != DEFAULT_ROLE_CLAIM
        and isinstance(value, list)
        and all(isinstance(item, str) for item in value)
    ):
        roles = [item for item in value if item in ROLES]
        return roles[0] if len(roles) == 1 else None
    return None


class TokenIdentity(TokenUser):
    """The caller, as a verified token describes them."""

    @property
    def sub(self):
        return self.token["sub"]

    @cached_property
    def role(self):
        return token_role(self.token.payload)

    def __str__(self):
        return f"{self.role} {self.sub}"


class BearerTokenAuthentication(JWTStatelessUserAuthentication):
    """Authenticate a request by its ``Authorization: Bearer <JWT>`` header.

    simplejwt pins the algorithm and checks the signature, ``exp`` (required),
    ``iss`` and ``aud`` when configured, within the configured leeway; this
    class adds the platform's own claims: a ``sub`` and a known ``role``.
    """

    www_authenticate_realm = "edu"

    def __init__(self):
        # No user table: skip simplejwt's lookup of the user model, which DRF
        # would otherwise pay for on every request.
        pass

    def get_validated_token(self, raw_token):
        """Return the verified token, checked once and then kept until it expires."""
        # The issuer and audience required decide too (tests change them).
        key = (raw_token, token_backend.issuer, token_backend.audience)
        with _verified_tokens_lock:
            validated_token = _verified_tokens.get(key)
        if validated_token is None:
            validated_token = super().get_validated_token(raw_token)
            with _verified_tokens_lock:
                _verified_tokens[key] = validated_token
        return validated_token

    def get_user(self, validated_token):
        subject = validated_token.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT_LENGTH:
            raise InvalidToken("Token has no usable 'sub' claim.")

        if token_role(validated_token.payload) is None:
            raise InvalidToken("Token has no known role.")

        return super().get_user(validated_token)


class SessionTokenAuthentication(SessionAuthentication):
    """Authenticate a browser by the token it pasted into the sign-in page.

    The browsable API cannot send an ``Authorization`` header, so the sign-in
    page keeps the token in the session; each request verifies it afresh
    exactly as a Bearer header would be, and unsafe methods need the CSRF
    token, as with any session.
    """

    def authenticate(self, request):
        raw_token = request._request.session.get(SESSION_TOKEN_KEY)
        if not raw_token:
            return None

        bearer = BearerTokenAuthentication()
        validated_token = bearer.get_validated_token(raw_token)
        user = bearer.get_user(validated_token)
        self.enforce_csrf(request)
        return (user, validated_token)


def configure_key_set_client():
    """Give simplejwt a JWKS client with the platform's cache settings.

    Keys are cached for ``JWT_JWKS_CACHE_SECONDS``; a token with an unknown
    ``kid`` makes the client fetch the set again, at most once every
    ``JWT_JWKS_REFRESH_COOLDOWN`` seconds, so forged kids cannot flood the
    identity provider.
    """
    url = settings.SIMPLE_JWT.get("JWK_URL")
    if url:
        token_backend.jwks_client = PyJWKClient(
            url,
            lifespan=settings.JWT_JWKS_CACHE_SECONDS,
            cooldown_duration=settings.JWT_JWKS_REFRESH_COOLDOWN,
            timeout=5,
        )


def verify_token(raw_token):
    """Return the identity a raw token proves, or raise ``InvalidToken``."""
    bearer = BearerTokenAuthentication()
    return bearer.get_user(bearer.get_validated_token(raw_token))


def forwarded_authorization(request):
    """Return the ``Authorization`` header to send on, unchanged, to a sibling."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if header:
        return header

    raw_token = request.auth.token
    if isinstance(raw_token, bytes):
        raw_token = raw_token.decode()
    return f"Bearer {raw_token}"
