"""Slow down password guessing: failed sign-ins per account and per address, counted in the database
(so it holds across processes and workers)."""
from __future__ import annotations

import math
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import SignInAttempt
from app.models.types import utcnow


def seconds_until_allowed(email: str, ip: str, *, max_failures: int, window: int, lockout: int) -> int:
    """0 when a sign-in may be tried now; otherwise how long to wait.

    More than ``max_failures`` failures within ``window`` seconds, for the account or for the address,
    locks further tries for ``lockout`` seconds after the latest failure.
    """
    now = utcnow()
    since = now - timedelta(seconds=max(window, lockout))
    for cond in (SignInAttempt.email == email.lower(), SignInAttempt.ip == ip):
        times = list(db.session.scalars(
            sa.select(SignInAttempt.created_at).where(cond, SignInAttempt.created_at >= since)
            .order_by(SignInAttempt.created_at.desc()).limit(max_failures)
        ))
        if len(times) >= max_failures and (times[0] - times[-1]).total_seconds() <= window:
            wait = lockout - (now - times[0]).total_seconds()
            if wait > 0:
                return math.ceil(wait)
    return 0


def record_failure(email: str, ip: str) -> None:
    """Remember a failed sign-in; failures older than a day are forgotten (the table never grows unbounded)."""
    prune()
    db.session.add(SignInAttempt(email=email.lower()[:254], ip=ip[:64]))


def clear_failures(email: str) -> None:
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.email == email.lower()))


def prune(older_than: timedelta = timedelta(days=1)) -> None:
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.created_at < utcnow() - older_than))
