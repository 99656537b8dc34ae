"""Staff sign-in, sign-out, CSRF, security headers, error pages and /healthz."""
from __future__ import annotations

import re

import pytest

from app.models import StaffUser
from tests import factories


def test_sign_in_page_has_labelled_fields_and_csrf(client, db):
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="email">Email</label>' in html
    assert '<label for="password">Password</label>' in html
    assert ">Sign in</button>" in html
    assert 'name="csrf_token"' in html


def test_sign_in_and_out(client, auth, shop):
    r = auth.login(shop.staff1.email)
    assert r.status_code == 302 and r.headers["Location"].endswith("/orders")
    assert client.get("/orders").status_code == 200
    r = auth.logout()
    assert r.status_code == 302
    assert client.get("/orders").status_code == 302  # back to the sign-in page


@pytest.mark.parametrize("email,password", [
    ("staff1@shop.test", "wrong password"),
    ("nobody@shop.test", factories.PASSWORD),
])
def test_wrong_credentials_give_one_message_without_hinting(client, auth, shop, email, password):
    r = auth.login(email, password)
    assert r.status_code == 401
    assert "Email or password is not right, or the account is disabled." in r.get_data(as_text=True)


def test_inactive_account_cannot_sign_in(client, auth, shop):
    shop.staff1.active = False
    factories.db.session.commit()
    r = auth.login(shop.staff1.email)
    assert r.status_code == 401
    assert "Email or password is not right" in r.get_data(as_text=True)


def test_deactivating_an_account_ends_its_sessions(client, auth, shop):
    auth.login(shop.staff1.email)
    assert client.get("/orders").status_code == 200
    shop.staff1.active = False
    factories.db.session.commit()
    assert client.get("/orders").status_code == 302


def test_sign_out_ends_the_session_server_side(client, auth, shop, app):
    # given a signed-in browser whose cookie someone copied
    auth.login(shop.staff1.email)
    stolen = client.get_cookie("session").value
    # when the owner signs out
    auth.logout()
    # then the copied cookie no longer works
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/orders").status_code == 302


def test_new_session_id_at_sign_in(client, auth, shop):
    client.get("/login")
    before = client.get_cookie("session").value
    auth.login(shop.staff1.email)
    assert client.get_cookie("session").value != before


def test_post_without_csrf_token_is_refused(client, shop):
    r = client.post("/login", data={"email": shop.staff1.email, "password": factories.PASSWORD})
    assert r.status_code == 400
    assert "The form expired" in r.get_data(as_text=True)


def test_status_change_without_csrf_token_is_refused(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    r = client.post(f"/orders/{order.id}/status", data={"status": "PROCESSING", "version": "1"})
    assert r.status_code == 400
    factories.db.session.expire_all()
    assert order.status.value == "ORDERED"


def test_htmx_header_token_is_accepted(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    r = client.post(f"/orders/{order.id}/notes", data={"message": "via htmx"}, headers={"X-CSRFToken": token})
    assert r.status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, shop):
    page = client.get("/login?next=https://evil.example/")
    token = factories.csrf_from(page.get_data(as_text=True))
    r = client.post("/login?next=https://evil.example/",
                    data={"email": shop.staff1.email, "password": factories.PASSWORD, "csrf_token": token})
    assert r.headers["Location"].endswith("/orders")


def test_security_headers_on_every_response(client, db):
    for path in ("/login", "/healthz", "/nope", "/static/css/app.css"):
        h = client.get(path).headers
        csp = h["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"]


def test_session_cookie_flags(client, auth, shop, app):
    r = auth.login(shop.staff1.email)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_outside_debug():
    from app.config import Config

    config = Config()
    config.DEBUG = False
    config.finalise()
    assert config.SESSION_COOKIE_SECURE is True


def test_pages_need_sign_in(client, db):
    r = client.get("/orders")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_friendly_404(client, auth, shop):
    auth.login(shop.staff1.email)
    r = client.get("/orders/999999")
    assert r.status_code == 404 and "Not found" in r.get_data(as_text=True)


def test_friendly_500_with_error_id_in_page_and_log(app, client, db, caplog, monkeypatch):
    def boom():
        raise RuntimeError("kaboom")

    monkeypatch.setitem(app.view_functions, "health.healthz", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    r = client.get("/healthz", headers={"Accept": "text/html"})
    html = r.get_data(as_text=True)
    assert r.status_code == 500
    error_id = re.search(r'class="error-id">([0-9a-f]+)<', html).group(1)
    assert any(error_id in rec.getMessage() for rec in caplog.records)
    assert "kaboom" not in html


def test_healthz_reports_database(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_reports_redis_when_configured(client, db, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        r = client.get("/healthz")
    finally:
        app.config["REDIS_URL"] = None
    assert r.status_code == 503 and r.json["checks"]["redis"].startswith("error")


def test_passwords_are_hashed(shop):
    user = factories.db.session.get(StaffUser, shop.staff1.id)
    assert factories.PASSWORD not in user.password_hash and user.check_password(factories.PASSWORD)


def test_demo_accounts_are_listed_on_the_sign_in_page_only_while_the_demo_shop_is_loaded(client, shop):
    assert "Demo accounts" not in client.get("/login").get_data(as_text=True)
    factories.make_staff("admin@demo.test", name="Demo Admin")
    factories.db.session.commit()
    html = client.get("/login").get_data(as_text=True)
    assert "Demo accounts" in html
    for email, password in (("admin@demo.test", "demo-admin"), ("manager@demo.test", "demo-manager"),
                            ("staff@demo.test", "demo-staff")):
        assert f"<code>{email}</code>" in html and f"<code>{password}</code>" in html
