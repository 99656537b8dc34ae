"""The JSON API under /api/v1: one blueprint, bearer tokens, one envelope, schemas that generate the spec.

Every area registers its endpoints on ``bp`` (staff reads in ``app.api.orders``, customer endpoints in
``app.customers.api``, ...) and declares them with ``spec.validate``: the same pydantic models validate the
request, check the response and make ``/api/v1/openapi.json``.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, request
from pydantic import BaseModel
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from app.api.errors import APIError
from app.api.envelope import ok
from app.api.schemas import Envelope, ErrorEnvelope

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _validation_failed(req, resp, req_validation_error, instance, model_adapter=None):
    """spectree's ``before`` hook: a request that breaks its schema is a 422 in the envelope, per field."""
    if req_validation_error is None:
        return
    errors: dict[str, list[str]] = {}
    for err in req_validation_error.errors():
        field = ".".join(str(p) for p in err.get("loc", ())) or "body"
        message = err.get("msg", "Invalid value.")
        if err.get("type") == "extra_forbidden":
            message = "Unknown field."
        errors.setdefault(field, []).append(message)
    raise APIError(422, "Some fields are not valid: " + ", ".join(errors) + ".", code="invalid", errors=errors)


def _response_invalid(req, resp, resp_validation_error, instance, model_adapter=None):
    """spectree's ``after`` hook: a response that breaks its own schema is our bug: a logged 500."""
    if resp_validation_error is not None:
        raise RuntimeError(f"API response does not match its schema: {resp_validation_error}")


def _schema_name(model) -> str:
    """Component names OpenAPI accepts (``^[A-Za-z0-9._-]+$``): ``Envelope[OrderOut]`` becomes ``OrderOutEnvelope``."""
    name = model.__name__
    if "[" in name:
        outer, inner = name.rstrip("]").split("[", 1)
        return inner.replace(", ", "_").replace("[", "_").replace("]", "") + outer
    return name


spec = SpecTree(
    "flask",
    naming_strategy=_schema_name,
    nested_naming_strategy=lambda _parent, child: child,
    validation_error_model=ErrorEnvelope,
    title="Order Desk API",
    version="1.0",
    description=(
        "JSON API of Order Desk. Sign in with POST /api/v1/auth/token (customers) or /api/v1/auth/staff-token "
        "(staff) and send `Authorization: Bearer <access_token>`. Every answer is an envelope: "
        "`{success, data, message, status_code}` or `{success: false, message, code, errors, status_code}`. "
        "Money is a string with two decimals; times are ISO 8601 UTC."
    ),
    path="_spectree",  # spectree's own doc routes are not registered: /api/v1/openapi.json and /api/docs are ours
    page_templates={},
    mode="strict",  # only endpoints declared with spec.validate
    annotations=True,
    before=_validation_failed,
    after=_response_invalid,
    validation_error_status=422,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer",
                                                                          bearer_format="JWT"))],
)


@bp.before_request
def _json_only():
    """A body must be JSON (415 otherwise) and well-formed (400 otherwise); no cookies, no CSRF here."""
    if request.method in ("POST", "PUT", "PATCH") and request.content_length != 0 and (
        request.content_length or request.stream
    ):
        raw = request.get_data(cache=True)
        if raw:
            if request.mimetype != "application/json":
                raise UnsupportedMediaType("Send the body as application/json.")
            try:
                request.get_json()
            except BadRequest:
                raise BadRequest("The body is not valid JSON.") from None


@bp.after_request
def _api_headers(response):
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.pop("Set-Cookie", None)  # the API never sets a session cookie
    origins = current_app.config.get("API_CORS_ORIGINS") or []
    origin = request.headers.get("Origin")
    if origin and origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Idempotency-Key"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE"
    return response


def register_api(app: Flask) -> None:
    """Blueprint, CSRF exemption, rate limits and the spec. Called by create_app."""
    from app.api import auth_routes, docs, orders  # noqa: F401  (endpoints register on bp)
    from app.api.ratelimits import apply_rate_limits
    from app.customers import api as customer_api  # noqa: F401
    from app.extensions import csrf

    csrf.exempt(bp)
    apply_rate_limits(bp)
    app.register_blueprint(bp)
    app.register_blueprint(docs.docs_bp)
    spec.app = app  # what spectree's register() does, without its CDN doc pages


class Pong(BaseModel):
    pong: bool


@bp.get("/ping")
@spec.validate(resp=Response(HTTP_200=Envelope[Pong]), tags=["meta"])
def ping():
    """Is the API up? No token needed; the cheapest request the API answers (the benchmarks' floor)."""
    return ok({"pong": True})


@bp.get("/openapi.json", endpoint="openapi_json")
def openapi_json():
    """The OpenAPI 3.1 document, generated from the endpoints' schemas."""
    return current_app.json.response(spec.spec)
