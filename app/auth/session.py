"""Loading the signed-in staff user. The session id embeds a per-user token that sign-out rotates."""
from __future__ import annotations

import secrets

from app.extensions import db
from app.models import StaffUser


def load_user(session_id: str) -> StaffUser | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_token or "", token):
        return None
    return user


def rotate_session_token(user: StaffUser) -> None:
    """Invalidate every session of ``user`` (sign-out, password change, deactivation)."""
    user.session_token = secrets.token_hex(16)
