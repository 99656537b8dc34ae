"""Staff sign-in and sign-out."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import devices, ratelimit
from app.auth.forms import SignInForm
from app.auth.session import rotate_session_token
from app.extensions import db
from app.models import StaffUser
from app.models.types import utcnow

bp = Blueprint("auth", __name__)

WRONG = "Email or password is not right, or the account is disabled."


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("orders.index"))
    form = SignInForm()
    if form.validate_on_submit():
        email, ip = form.email.data.strip().lower(), request.remote_addr or "?"
        device = devices.trusted_nonce(request.cookies.get(devices.COOKIE_NAME), email, **_device_keys())
        limits = ratelimit.Limits.from_config(current_app.config)
        if wait := ratelimit.seconds_until_allowed(email, ip, device, limits=limits):
            return _refused(form, _wait_message(wait), 429)
        user = db.session.scalar(sa.select(StaffUser).where(sa.func.lower(StaffUser.email) == email))
        if user is None or not user.active or not user.check_password(form.password.data):
            ratelimit.record_failure(email, ip, device)
            db.session.commit()
            return _refused(form, WRONG, 401)
        ratelimit.clear_failures(email, device)
        if not user.session_token:
            rotate_session_token(user)
        user.last_login_at = utcnow()
        db.session.commit()
        session.clear()  # a fresh session at sign-in (no fixation)
        login_user(user)
        response = redirect(_safe_next(request.args.get("next")) or url_for("orders.index"))
        _remember_device(response, email)
        return response
    return render_template("auth/login.html", form=form, demo=_demo_accounts())


@bp.post("/logout")
@login_required
def logout():
    rotate_session_token(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def _refused(form: SignInForm, message: str, status: int):
    form.form_errors.append(message)
    return render_template("auth/login.html", form=form, demo=_demo_accounts()), status


def _wait_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}."


def _device_keys() -> dict:
    return {"secret": current_app.secret_key, "max_age": current_app.config["LOGIN_DEVICE_COOKIE_DAYS"] * 86400}


def _remember_device(response, email: str) -> None:
    """Trust this browser for ``email`` from now on (a fresh device cookie nonce), sent only to the sign-in page."""
    keys = _device_keys()
    value = devices.remember(request.cookies.get(devices.COOKIE_NAME), email, **keys)
    response.set_cookie(devices.COOKIE_NAME, value, max_age=keys["max_age"], path=url_for("auth.login"),
                        httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax")


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _demo_accounts() -> list[tuple[str, str, str]]:
    """Shown on the sign-in page only while the demo shop is loaded."""
    if not db.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == "admin@demo.test")):
        return []
    return [("admin@demo.test", "demo-admin", "Admin, every branch"),
            ("manager@demo.test", "demo-manager", "Manager, branches 1 and 2"),
            ("staff@demo.test", "demo-staff", "Staff, branch 1")]
