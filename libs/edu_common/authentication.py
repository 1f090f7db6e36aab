"""Verify the Bearer JWTs that an identity provider issues; no user table.

The platform never issues tokens: every service checks the signature, the
expiry and the claims, and takes the caller's identity (``sub``) and role
from the token alone.
"""

from django.conf import settings
from django.utils.functional import cached_property
from rest_framework.authentication import SessionAuthentication
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.models import TokenUser

from edu_common.conf import ROLES

MAX_SUBJECT_LENGTH = 255

SESSION_TOKEN_KEY = "edu_common.bearer_token"  # noqa: S105 (a key name)


class TokenIdentity(TokenUser):
    """The caller, as a verified token describes them."""

    @property
    def sub(self):
        return self.token["sub"]

    @cached_property
    def role(self):
        return self.token[settings.JWT_ROLE_CLAIM]

    def __str__(self):
        return f"{self.role} {self.sub}"


class BearerTokenAuthentication(JWTStatelessUserAuthentication):
    """Authenticate a request by its ``Authorization: Bearer <JWT>`` header.

    simplejwt pins the algorithm and checks the signature, ``exp`` (required),
    ``iss`` and ``aud`` when configured, within the configured leeway; this
    class adds the platform's own claims: a ``sub`` and a known ``role``.
    """

    www_authenticate_realm = "edu"

    def get_user(self, validated_token):
        subject = validated_token.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT_LENGTH:
            raise InvalidToken("Token has no usable 'sub' claim.")

        role = validated_token.get(settings.JWT_ROLE_CLAIM)
        if not isinstance(role, str) or role not in ROLES:
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
