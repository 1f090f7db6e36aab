"""Sign tokens for local use; in production an identity provider issues them."""

import time
import uuid

import jwt

from edu_common.conf import ROLES


def mint_token(*, secret, role, sub=None, ttl=3600, issuer=None, audience=None):
    """Return an HS256 token with the claims the services expect."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")

    now = int(time.time())
    claims = {
        "sub": sub or str(uuid.uuid4()),
        "role": role,
        "iat": now,
        "exp": now + ttl,
    }
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")
