"""Who is calling the API: the bearer token is checked on every request and the account loaded fresh.

``customer_required`` / ``staff_required`` guard endpoints; a valid token of the other kind is 403. The caller
is on ``g.api_customer`` or ``g.api_staff``.
"""
from __future__ import annotations

from functools import wraps

from flask import current_app, g, request

from app.api import tokens
from app.api.errors import APIError
from app.extensions import db
from app.models import Customer, StaffUser

UNAUTHORIZED = "Send a valid bearer token: sign in at /api/v1/auth/token."


def _unauthorized(message: str = UNAUTHORIZED) -> APIError:
    return APIError(401, message, code="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="order-desk"'})


def bearer_claims() -> tokens.TokenClaims | None:
    """The verified claims of this request's bearer token, None without one; cached for the request."""
    if "api_claims" in g:
        return g.api_claims
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    claims = None
    if scheme.lower() == "bearer" and token.strip():
        try:
            claims = tokens.decode(token.strip(), secret_key=current_app.config["SECRET_KEY"])
        except tokens.InvalidToken:
            claims = None
    g.api_claims = claims
    return claims


def current_caller():
    """The signed-in customer or staff member behind the bearer token (401 when there is none)."""
    claims = bearer_claims()
    if claims is None:
        raise _unauthorized()
    if claims.kind == "customer":
        customer = db.session.get(Customer, claims.subject)
        if customer is None or customer.api_token_version != claims.version:
            raise _unauthorized("This token was revoked or its account closed. Sign in again.")
        g.api_customer = customer
        return customer
    staff = db.session.get(StaffUser, claims.subject)
    if staff is None or not staff.active:
        raise _unauthorized("This token's account is disabled. Sign in again.")
    g.api_staff = staff
    return staff


def _require(kind: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            caller = current_caller()
            if (kind == "customer") != isinstance(caller, Customer):
                raise APIError(403, f"This endpoint is for {kind} tokens.", code="forbidden")
            return view(*args, **kwargs)

        wrapped.api_token_kind = kind  # read by the OpenAPI security section
        return wrapped

    return decorator


customer_required = _require("customer")
staff_required = _require("staff")


def rate_limit_key() -> str:
    """Per account for a valid token (so a new token does not reset the budget), else per address."""
    claims = bearer_claims()
    if claims is not None:
        return f"{claims.kind}:{claims.subject}"
    return f"addr:{request.remote_addr or '?'}"
