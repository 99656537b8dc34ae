"""Bearer tokens of the JSON API: JWTs signed with HS256 (PyJWT), pinned on decode.

Claims: ``sub`` (the account id as a string), ``kind`` ("customer" or "staff"), ``aud``, ``iat``, ``exp``,
``jti``; a customer token carries ``ver`` (the customer's ``api_token_version``: bumping it revokes every token
issued before); a staff token carries ``role`` and ``branches`` (informational: what it reads is scoped by the
account's current branches, loaded on every request).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import jwt

from app.models.types import utcnow

ALGORITHM = "HS256"
AUDIENCE = "order-desk-api"
REQUIRED = ["exp", "iat", "sub", "aud", "kind"]


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class TokenClaims:
    kind: str
    subject: int
    version: int | None
    claims: dict


def signing_key(secret_key: str) -> bytes:
    """A key of its own for API tokens, derived from SECRET_KEY (a session cookie can never pass as a token)."""
    return hmac.new(secret_key.encode(), b"order-desk api tokens v1", hashlib.sha256).digest()


def issue(*, secret_key: str, kind: str, subject: int, ttl: int, extra: dict | None = None) -> str:
    now = utcnow()
    claims = {"sub": str(subject), "kind": kind, "aud": AUDIENCE, "iat": now, "exp": now + timedelta(seconds=ttl),
              "jti": secrets.token_hex(8), **(extra or {})}
    return jwt.encode(claims, signing_key(secret_key), algorithm=ALGORITHM)


def decode(token: str, *, secret_key: str) -> TokenClaims:
    """The token's claims, or InvalidToken: only HS256 with our key, every required claim present and valid."""
    try:
        claims = jwt.decode(token, signing_key(secret_key), algorithms=[ALGORITHM], audience=AUDIENCE,
                            options={"require": REQUIRED})
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    sub, kind = claims.get("sub"), claims.get("kind")
    if not (isinstance(sub, str) and sub.isdigit() and 0 < int(sub) < 2**31) or kind not in ("customer", "staff"):
        raise InvalidToken("bad subject")
    version = claims.get("ver")
    if kind == "customer" and not isinstance(version, int):
        raise InvalidToken("missing version")
    return TokenClaims(kind, int(sub), version, claims)
