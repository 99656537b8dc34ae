"""Token endpoints: customers and staff exchange email and password for a bearer token.

Wrong credentials are one 401 whatever was wrong (no account oracle); failed tries are throttled like the
staff sign-in page (per account and per address, in the database) and the endpoints are rate limited."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, request
from pydantic import BaseModel, Field
from spectree import Response

from app.api import bp, spec, tokens
from app.api.envelope import ok
from app.api.errors import APIError
from app.api.ratelimits import token_limit
from app.api.schemas import Envelope, ErrorEnvelope, Strict
from app.auth import ratelimit
from app.extensions import db
from app.models import Customer, StaffUser
from app.models.types import utcnow

WRONG = "Email or password is not right."


class Credentials(Strict):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int


ERRORS = {"HTTP_401": ErrorEnvelope, "HTTP_422": ErrorEnvelope, "HTTP_429": ErrorEnvelope}


@bp.post("/auth/token")
@token_limit
@spec.validate(json=Credentials, resp=Response(HTTP_200=Envelope[TokenOut], **ERRORS), tags=["auth"])
def customer_token(json: Credentials):
    """Sign a customer in: a bearer token for the customer endpoints."""
    customer = _check(json, "customer", lambda email: db.session.scalar(
        sa.select(Customer).where(sa.func.lower(Customer.email) == email)))
    customer.api_last_sign_in_at = utcnow()  # shown to admins on /customers/<id>
    db.session.commit()
    return _token(customer, "customer", {"ver": customer.api_token_version})


@bp.post("/auth/staff-token")
@token_limit
@spec.validate(json=Credentials, resp=Response(HTTP_200=Envelope[TokenOut], **ERRORS), tags=["auth"])
def staff_token(json: Credentials):
    """Sign a staff member in: a bearer token scoped to their role and branches, as the pages are."""
    staff = _check(json, "staff", lambda email: db.session.scalar(
        sa.select(StaffUser).where(sa.func.lower(StaffUser.email) == email, StaffUser.active.is_(True))))
    return _token(staff, "staff", {"role": staff.role.value, "branches": staff.branch_ids})


def _check(body: Credentials, kind: str, find):
    email, address = body.email.strip().lower(), request.remote_addr or "?"
    throttle_key = email if kind == "staff" else f"customer:{email}"
    # An API client has no device cookie: it is throttled as an untrusted client (per account and per address).
    wait = ratelimit.seconds_until_allowed(throttle_key, address, None,
                                           limits=ratelimit.Limits.from_config(current_app.config))
    if wait:
        raise APIError(429, f"Too many failed sign-ins. Try again in {wait} seconds.", code="throttled",
                       headers={"Retry-After": str(wait)})
    account = find(email)
    if account is None or not account.check_password(body.password):
        ratelimit.record_failure(throttle_key, address, None)
        db.session.commit()
        raise APIError(401, WRONG, code="unauthorized")
    ratelimit.clear_failures(throttle_key, None)
    db.session.commit()
    return account


def _token(account, kind: str, extra: dict):
    ttl = current_app.config["API_TOKEN_TTL_SECONDS"]
    token = tokens.issue(secret_key=current_app.config["SECRET_KEY"], kind=kind, subject=account.id, ttl=ttl,
                         extra=extra)
    return ok({"access_token": token, "token_type": "Bearer", "expires_in": ttl})
