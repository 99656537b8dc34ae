"""The JSON API foundation: tokens, the envelope, errors, scoping, rate limits, the OpenAPI document."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from app.api import tokens
from app.models.types import utcnow
from tests.api_support import assert_error
from tests.factories import make_order


# --- tokens ------------------------------------------------------------------------------------------

def test_customer_signs_in_and_gets_a_bearer_token(api, shop):
    response = api.client.post("/api/v1/auth/token", json={"email": "BUYER@shop.test", "password": "correct horse battery"})
    body = response.get_json()
    assert response.status_code == 200
    assert body["success"] is True and body["status_code"] == 200 and body["message"] == "Success"
    assert body["data"]["token_type"] == "Bearer" and body["data"]["expires_in"] == 3600
    assert "Set-Cookie" not in response.headers


def test_wrong_password_and_unknown_email_get_the_same_401(api, shop):
    wrong = api.client.post("/api/v1/auth/token", json={"email": "buyer@shop.test", "password": "nope"})
    unknown = api.client.post("/api/v1/auth/token", json={"email": "ghost@shop.test", "password": "nope"})
    assert assert_error(wrong, 401)["message"] == assert_error(unknown, 401)["message"]


def test_failed_token_requests_are_throttled(api, shop, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert api.client.post("/api/v1/auth/token", json={"email": "buyer@shop.test", "password": "x"}).status_code == 401
    response = api.client.post("/api/v1/auth/token", json={"email": "buyer@shop.test", "password": "correct horse battery"})
    assert_error(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_staff_token_carries_role_and_branches(api, shop, app):
    token = api.token("staff1@shop.test", staff=True)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["kind"] == "staff" and claims["role"] == "staff" and claims["branches"] == [shop.branch1.id]


def _forge(app, **overrides):
    claims = {"sub": "1", "kind": "customer", "ver": 0, "aud": tokens.AUDIENCE, "iat": utcnow(),
              "exp": utcnow() + timedelta(hours=1)} | overrides
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, tokens.signing_key(app.config["SECRET_KEY"]), algorithm="HS256")


def _alg_none(claims: dict) -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{enc({'alg': 'none', 'typ': 'JWT'})}.{enc(claims)}."


@pytest.mark.parametrize("case", ["expired", "wrong_audience", "alg_none", "hs512", "tampered", "no_exp", "no_aud",
                                  "other_key", "revoked", "garbage", "staff_kind_for_customer_id"])
def test_bad_tokens_are_401(api, shop, app, case):
    customer = shop.customer
    good = dict(sub=str(customer.id), ver=customer.api_token_version)
    key = tokens.signing_key(app.config["SECRET_KEY"])
    if case == "expired":
        token = _forge(app, **good, iat=utcnow() - timedelta(hours=2), exp=utcnow() - timedelta(hours=1))
    elif case == "wrong_audience":
        token = _forge(app, **good, aud="someone-else")
    elif case == "alg_none":
        token = _alg_none({"sub": str(customer.id), "kind": "customer", "ver": 0, "aud": tokens.AUDIENCE,
                           "iat": 1, "exp": 4102444800})
    elif case == "hs512":
        token = jwt.encode({"sub": str(customer.id), "kind": "customer", "ver": 0, "aud": tokens.AUDIENCE,
                            "iat": utcnow(), "exp": utcnow() + timedelta(hours=1)}, key, algorithm="HS512")
    elif case == "tampered":
        head, payload, sig = api.token("buyer@shop.test").split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["sub"] = str(customer.id + 1)
        token = f"{head}.{base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b'=').decode()}.{sig}"
    elif case == "no_exp":
        token = _forge(app, **good, exp=None)
    elif case == "no_aud":
        token = _forge(app, **good, aud=None)
    elif case == "other_key":
        token = jwt.encode({"sub": str(customer.id), "kind": "customer", "ver": 0, "aud": tokens.AUDIENCE,
                            "iat": utcnow(), "exp": utcnow() + timedelta(hours=1)}, "not-our-key-at-all-32-bytes-long!", algorithm="HS256")
    elif case == "revoked":
        token = api.token("buyer@shop.test")
        customer.api_token_version += 1
        from app.extensions import db
        db.session.commit()
    elif case == "garbage":
        token = "not-a-jwt"
    else:
        token = _forge(app, sub="999999", kind="staff", ver=None)  # a well-signed token of no account
    response = api.get("/api/v1/orders", token)
    body = assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert body["code"] == "unauthorized"


def test_no_token_is_401(api, shop):
    assert_error(api.get("/api/v1/orders"), 401)


def test_customer_token_on_staff_endpoint_is_403(api, shop):
    assert_error(api.get("/api/v1/orders", api.token("buyer@shop.test")), 403)


# --- staff reads -------------------------------------------------------------------------------------

def test_staff_list_is_scoped_and_filtered_like_the_pages(api, shop):
    mine = make_order(shop.branch1, customer=shop.customer)
    make_order(shop.branch2, customer=shop.customer)
    from app.extensions import db
    db.session.commit()
    token = api.token("staff1@shop.test", staff=True)
    body = api.get("/api/v1/orders?per_page=20", token).get_json()
    assert [o["code"] for o in body["data"]["orders"]] == [mine.code]
    assert body["data"]["pagination"] == {"total": 1, "count": 1, "limit": 20, "current_page": 1, "total_pages": 1}
    assert api.get("/api/v1/orders?status=FULFILLED", token).get_json()["data"]["orders"] == []


@pytest.mark.parametrize("query,field", [("status=NOPE", "status"), ("per_page=7", "per_page"),
                                         ("created_from=2026-13-45", "created_from"), ("total_min=abc", "total_min")])
def test_staff_list_bad_parameter_is_422_naming_it(api, shop, query, field):
    token = api.token("staff1@shop.test", staff=True)
    assert_error(api.get(f"/api/v1/orders?{query}", token), 422, field)


def test_staff_order_in_full_money_as_strings(api, shop):
    order = make_order(shop.branch1, customer=shop.customer, lines=(("19.99", 3),), delivery_fee="65.00", paid=True)
    from app.extensions import db
    db.session.commit()
    body = api.get(f"/api/v1/orders/{order.id}", api.token("staff1@shop.test", staff=True)).get_json()
    data = body["data"]
    assert data["total"] == "124.97" and data["subtotal"] == "59.97" and data["paid_total"] == "124.97"
    assert data["items"][0]["unit_price"] == "19.99" and data["items"][0]["quantity"] == 3
    assert data["branch"] == {"id": shop.branch1.id, "code": "CPT", "name": "Cape Town"}
    assert data["created_at"].endswith("Z")
    for key in ("payments", "parcels", "events", "shipping_address", "billing_address", "extra_data"):
        assert key in data


def test_another_branchs_order_is_404_like_a_missing_one(api, shop):
    other = make_order(shop.branch2, customer=shop.customer)
    from app.extensions import db
    db.session.commit()
    token = api.token("staff1@shop.test", staff=True)
    assert_error(api.get(f"/api/v1/orders/{other.id}", token), 404)
    assert_error(api.get("/api/v1/orders/2147483647", token), 404)
    assert_error(api.get("/api/v1/orders/99999999999999999999", token), 404)


# --- envelope and request shape ----------------------------------------------------------------------

def test_every_error_is_an_envelope(api, shop):
    assert_error(api.get("/api/v1/nothing-here"), 404)
    assert_error(api.client.delete("/api/v1/auth/token"), 405)
    assert_error(api.client.post("/api/v1/auth/token", data="email=a", content_type="application/x-www-form-urlencoded"), 415)
    assert_error(api.client.post("/api/v1/auth/token", data="{not json", content_type="application/json"), 400)
    assert_error(api.client.post("/api/v1/auth/token", json={"email": "a@b.c"}), 422, "password")
    assert_error(api.client.post("/api/v1/auth/token", json={"email": "a@b.c", "password": "x", "admin": True}), 422, "admin")
    assert_error(api.client.post("/api/v1/auth/token", json={"email": 5, "password": ["x"]}), 422, "email")


def test_too_large_body_is_413_envelope(api, shop):
    big = json.dumps({"email": "a" * (3 * 1024 * 1024), "password": "x"})
    assert_error(api.client.post("/api/v1/auth/token", data=big, content_type="application/json"), 413)


def test_server_error_is_an_envelope_with_an_error_id(api, shop, app, monkeypatch, caplog):
    from app.api import orders as staff_api

    def boom(*_a, **_k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(staff_api.listing, "run", boom)
    token = api.token("staff1@shop.test", staff=True)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        body = assert_error(api.get("/api/v1/orders", token), 500)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert body["error_id"] and body["error_id"] in caplog.text


def test_api_needs_no_csrf_and_sets_no_cookie(api, shop, app):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    response = api.client.post("/api/v1/auth/token", json={"email": "buyer@shop.test", "password": "correct horse battery"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_cors_is_off_unless_configured(api, shop, app):
    response = api.get("/api/v1/orders", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
    app.config["API_CORS_ORIGINS"] = ["https://app.example"]
    try:
        response = api.get("/api/v1/orders", headers={"Origin": "https://app.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    finally:
        app.config["API_CORS_ORIGINS"] = []


# --- rate limits -------------------------------------------------------------------------------------

def test_token_endpoint_is_rate_limited_per_address(api, shop, app):
    app.config["LOGIN_MAX_FAILURES"] = 1000  # this test is about the rate limit, not the sign-in throttle
    try:
        statuses = [api.client.post("/api/v1/auth/token", json={"email": f"x{i}@y.z", "password": "p"}).status_code
                    for i in range(21)]
    finally:
        app.config["LOGIN_MAX_FAILURES"] = 5
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    response = api.client.post("/api/v1/auth/token", json={"email": "buyer@shop.test", "password": "correct horse battery"})
    assert_error(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_requests_are_rate_limited_per_token(api, shop, app):
    from app.extensions import limiter

    token = api.token("staff1@shop.test", staff=True)
    app.config["API_RATE_LIMIT"] = "3/minute"
    try:
        statuses = [api.get("/api/v1/orders", token).status_code for _ in range(4)]
        # Another account from the same address still has its own budget.
        other = api.get("/api/v1/orders", api.token("staff2@shop.test", staff=True)).status_code
    finally:
        app.config["API_RATE_LIMIT"] = "600/minute"
        limiter.reset()
    assert statuses == [200, 200, 200, 429] and other == 200


# --- OpenAPI -----------------------------------------------------------------------------------------

def test_openapi_document_is_valid_3_1(api, db):
    from openapi_spec_validator import validate

    document = api.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert "/api/v1/orders/{order_id}" in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_docs_page_renders_from_the_spec_without_cdn(api, db):
    response = api.client.get("/api/docs")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "/api/v1/orders/{order_id}" in html
    assert "https://" not in html.split("<main", 1)[0]  # no external assets in the head
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_ping_needs_no_token_and_every_response_says_its_server_time(api, db):
    response = api.get("/api/v1/ping")
    assert response.get_json()["data"] == {"pong": True}
    assert response.headers["Server-Timing"].startswith("app;dur=")
