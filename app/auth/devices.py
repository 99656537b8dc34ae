"""Device cookies, after OWASP's "Slow Down Online Guessing Attacks with Device Cookies".

A browser that signs in successfully gets a signed cookie holding, for each account signed in from it, the
account's email and a random nonce. When the browser signs in to one of those accounts again, the nonce makes it
a trusted client: app/auth/ratelimit.py counts its failures per nonce, and the lockouts of untrusted clients (per
account and per address) do not hold it back. A shop where everyone shares one public address keeps working
while someone guesses passwords from that address.

Plain functions of the cookie's value and the signing secret (no Flask request), so the API's token endpoint can
use them as the sign-in page does.
"""
from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "device"
SALT = "sign-in-device"
MAX_ACCOUNTS = 10  # accounts remembered by one browser (a shared computer at a counter), most recent first


def trusted_nonce(cookie: str | None, email: str, *, secret: str, max_age: int) -> str | None:
    """The nonce ``cookie`` holds for ``email``, or None when the cookie is missing, forged, expired or for
    other accounts only."""
    return dict(_entries(cookie, secret=secret, max_age=max_age)).get(email.lower())


def remember(cookie: str | None, email: str, *, secret: str, max_age: int) -> str:
    """The cookie's new value after a successful sign-in to ``email``: that account with a fresh nonce, then the
    other accounts the cookie still holds."""
    email = email.lower()
    others = [(e, n) for e, n in _entries(cookie, secret=secret, max_age=max_age) if e != email]
    return _serializer(secret).dumps([(email, secrets.token_urlsafe(16)), *others][:MAX_ACCOUNTS])


def _entries(cookie: str | None, *, secret: str, max_age: int) -> list[tuple[str, str]]:
    if not cookie:
        return []
    try:
        data = _serializer(secret).loads(cookie, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return []
    if not isinstance(data, list):
        return []
    return [(pair[0], pair[1]) for pair in data
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)]


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)
