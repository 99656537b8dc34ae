"""Every error under /api/ leaves in the envelope: domain errors, HTTP errors, validation, rate limits, 500s.

One table maps domain errors to status codes (Stripe-style: one typed body for every error)."""
from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from app.api.envelope import error_body
from app.exceptions import DomainError, InvalidTransition, StaleObject, ValidationFailed

class APIError(Exception):
    """An error raised by API code itself (auth, request shape), with its status."""

    def __init__(self, status: int, message: str, *, code: str, errors: dict[str, list[str]] | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.errors, self.headers = status, message, code, errors, headers


# Domain error → HTTP status. ValidationFailed is 422 in the API (the request was understood, its values
# break a rule); a subclass may set ``api_status`` to say otherwise (e.g. 400 for a refused cancellation).
DOMAIN_STATUS: list[tuple[type[DomainError], int]] = [
    (ValidationFailed, 422),
    (StaleObject, 409),
    (InvalidTransition, 409),
    (DomainError, 409),
]

HTTP_MESSAGES = {
    400: "The request was not understood.",
    401: "Sign in first: send a valid bearer token.",
    403: "This token may not use this endpoint.",
    404: "Not found.",
    405: "This method is not allowed here.",
    409: "Conflict.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    422: "Some fields are not valid.",
    429: "Too many requests. Slow down and try again later.",
}


def domain_status(exc: DomainError) -> int:
    explicit = getattr(exc, "api_status", None)
    if explicit:
        return explicit
    return next(status for cls, status in DOMAIN_STATUS if isinstance(exc, cls))


def respond(status: int, message: str, *, code: str, errors=None, headers=None, error_id=None):
    response = jsonify(error_body(status, message, code=code, errors=errors, error_id=error_id))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def handle_api_error(exc: APIError):
    return respond(exc.status, exc.message, code=exc.code, errors=exc.errors, headers=exc.headers)


def handle_domain_error(exc: DomainError):
    from app.extensions import db

    db.session.rollback()
    field = getattr(exc, "field", None)
    errors = {field: [exc.message]} if field else None
    return respond(domain_status(exc), exc.message, code=exc.code, errors=errors)


def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    custom = exc.description and exc.description != type(exc).description
    message = exc.description if custom else (HTTP_MESSAGES.get(status) or exc.description or exc.name)
    if status == 429:
        # Flask-Limiter's description names the limit that was hit ("600 per 1 minute").
        message = f"Too many requests ({exc.description}). Try again later."
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    response = respond(status, message, code=exc.name.lower().replace(" ", "_"), headers=headers)
    return response


SERVER_ERROR = "Something went wrong on our side. Quote the error id if you report it."


def register(app) -> None:
    """API errors and domain errors escaping an API view. HTTP errors (404, 405, 429 ...) and 500s reach the
    envelope through the app's own handlers, which call ``handle_http_error`` / ``handle_server_error`` for
    /api/ paths (app/__init__.py)."""
    app.register_error_handler(APIError, handle_api_error)

    @app.errorhandler(DomainError)
    def _domain(exc):
        if is_api_request():
            return handle_domain_error(exc)
        raise exc

    @app.errorhandler(HTTPException)
    def _http(exc):
        # Codes without a page handler of their own (401, 413, 415, 422, 429 ...).
        if is_api_request():
            return handle_http_error(exc)
        return exc
