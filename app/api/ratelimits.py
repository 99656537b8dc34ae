"""Rate limits of the API (Flask-Limiter): per account behind a token and per address on every endpoint, and a
tighter per-address limit on the token endpoints. Storage: Redis when REDIS_URL is set (shared by every worker),
memory otherwise. A breach is a 429 envelope with Retry-After."""
from __future__ import annotations

from flask import current_app, request

from app.api.auth import rate_limit_key
from app.extensions import limiter


def _address() -> str:
    return request.remote_addr or "?"


def _per_caller() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _per_address() -> str:
    return current_app.config["API_ADDRESS_RATE_LIMIT"]


def _token_requests() -> str:
    return current_app.config["API_TOKEN_RATE_LIMIT"]


def apply_rate_limits(bp) -> None:
    limiter.limit(_per_caller, key_func=rate_limit_key, scope="api-caller")(bp)
    limiter.limit(_per_address, key_func=_address, scope="api-address")(bp)


# Token endpoints: on top of the blueprint's limits.
token_limit = limiter.limit(_token_requests, key_func=_address, scope="api-token", override_defaults=False)
