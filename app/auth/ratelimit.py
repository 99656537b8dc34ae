"""Slow down password guessing: failed sign-ins counted in the database (so the counts hold across processes
and workers), per account, per address and per trusted device.

An untrusted client (no device cookie for the account, see app/auth/devices.py) is held back by the failures of
untrusted clients on the account and by every failure from its address; the per-address limit is much higher,
since a whole shop may share one public address. A trusted client is held back only by the failures of its own
device cookie, so a browser that signed in before keeps signing in while its address or account is throttled
by someone else, and a stolen device cookie still gets only a few guesses.

The functions take (email, address, device) and know nothing of Flask's request: the sign-in page and the API's
token endpoint share them.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import SignInAttempt
from app.models.types import utcnow


@dataclass(frozen=True)
class Limits:
    per_account: int  # failures within ``window`` that lock an account for untrusted clients, or a device cookie
    window: int
    per_address: int  # failures within ``address_window`` that lock an address for untrusted clients
    address_window: int
    lockout: int  # seconds locked after the latest failure

    @classmethod
    def from_config(cls, config: Mapping) -> Limits:
        return cls(per_account=config["LOGIN_MAX_FAILURES"], window=config["LOGIN_WINDOW_SECONDS"],
                   per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
                   address_window=config["LOGIN_ADDRESS_WINDOW_SECONDS"], lockout=config["LOGIN_LOCKOUT_SECONDS"])


def seconds_until_allowed(email: str, address: str, device: str | None, *, limits: Limits) -> int:
    """0 when a sign-in may be tried now; otherwise how long to wait.

    ``device`` is the nonce of the client's valid device cookie for ``email`` (None: an untrusted client).
    """
    if device:
        checks = [(SignInAttempt.device == device, limits.per_account, limits.window)]
    else:
        checks = [(_untrusted(email), limits.per_account, limits.window),
                  (SignInAttempt.ip == address, limits.per_address, limits.address_window)]
    return max(_wait(cond, max_failures, window, limits.lockout) for cond, max_failures, window in checks)


def record_failure(email: str, address: str, device: str | None) -> None:
    """Remember a failed sign-in; failures older than a day are forgotten (the table never grows unbounded)."""
    prune()
    db.session.add(SignInAttempt(email=email.lower()[:254], ip=address[:64], device=device))


def clear_failures(email: str, device: str | None) -> None:
    """After a successful sign-in: forget the failures of the client that signed in (its device cookie's, or
    those of untrusted clients on the account)."""
    cond = SignInAttempt.device == device if device else _untrusted(email)
    db.session.execute(sa.delete(SignInAttempt).where(cond))


def prune(older_than: timedelta = timedelta(days=1)) -> None:
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.created_at < utcnow() - older_than))


def _untrusted(email: str):
    return sa.and_(SignInAttempt.email == email.lower(), SignInAttempt.device.is_(None))


def _wait(cond, max_failures: int, window: int, lockout: int) -> int:
    """Seconds left of the lockout when ``max_failures`` failures matching ``cond`` fell within ``window``
    seconds, counted from the latest of them; else 0."""
    now = utcnow()
    times = list(db.session.scalars(
        sa.select(SignInAttempt.created_at)
        .where(cond, SignInAttempt.created_at >= now - timedelta(seconds=max(window, lockout)))
        .order_by(SignInAttempt.created_at.desc()).limit(max_failures)
    ))
    if len(times) >= max_failures and (times[0] - times[-1]).total_seconds() <= window:
        return max(0, math.ceil(lockout - (now - times[0]).total_seconds()))
    return 0
