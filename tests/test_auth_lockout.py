"""Sign-in throttling: per account and per address for untrusted clients, per device cookie for browsers that
signed in before (OWASP's device-cookie scheme)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.auth import devices, ratelimit
from app.models import SignInAttempt
from app.models.types import utcnow
from tests import factories
from tests.conftest import AuthActions, sign_in

# The tests' limits: 5 failures per account (tests/conftest.py); the address limit, 100 by default, is
# lowered to 12 here so the tests stay quick. It stays well above the account limit, as in production.
PER_ADDRESS = 12
LIMITS = ratelimit.Limits(per_account=5, window=60, per_address=PER_ADDRESS, address_window=900, lockout=300)
SHOP_IP, OTHER_IP = "198.51.100.7", "203.0.113.9"
REAL = "staff1@shop.test"


@pytest.fixture
def address_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", PER_ADDRESS)
    assert app.config["LOGIN_MAX_FAILURES"] == LIMITS.per_account


def _fail(times: int, *, email: str | None = None, ip: str = SHOP_IP, device: str | None = None) -> None:
    for i in range(times):
        ratelimit.record_failure(email or f"made-up{i}@shop.test", ip, device)
    factories.db.session.commit()


# --- the domain rule, as a table ---------------------------------------------------------------------------

@pytest.mark.parametrize("failures,attempt,locked", [
    # made-up emails from one address: a real account of that address is not locked until the address limit
    (dict(times=PER_ADDRESS - 1), (REAL, SHOP_IP, None), False),
    (dict(times=PER_ADDRESS), (REAL, SHOP_IP, None), True),
    (dict(times=PER_ADDRESS), (REAL, OTHER_IP, None), False),
    # ... and a browser with a device cookie for the account signs in regardless
    (dict(times=PER_ADDRESS), (REAL, SHOP_IP, "nonce-1"), False),
    # per-account lockout of untrusted clients, from any address
    (dict(times=4, email=REAL), (REAL, OTHER_IP, None), False),
    (dict(times=5, email=REAL), (REAL, OTHER_IP, None), True),
    (dict(times=5, email=REAL), (REAL, SHOP_IP, "nonce-1"), False),
    # a device cookie's own failures lock that cookie only
    (dict(times=5, email=REAL, device="nonce-1"), (REAL, SHOP_IP, "nonce-1"), True),
    (dict(times=5, email=REAL, device="nonce-1"), (REAL, SHOP_IP, "nonce-2"), False),
    (dict(times=5, email=REAL, device="nonce-1"), (REAL, OTHER_IP, None), False),
])
def test_who_is_locked_out(db, failures, attempt, locked):
    # given
    _fail(**failures)
    # when
    wait = ratelimit.seconds_until_allowed(*attempt, limits=LIMITS)
    # then
    assert (wait > 0) is locked
    if locked:
        assert 290 <= wait <= LIMITS.lockout


def test_failures_spread_wider_than_the_window_do_not_lock(db):
    for minutes_ago in range(LIMITS.per_account):
        db.session.add(SignInAttempt(email=REAL, ip=SHOP_IP, created_at=utcnow() - timedelta(minutes=minutes_ago)))
    db.session.commit()
    assert ratelimit.seconds_until_allowed(REAL, SHOP_IP, None, limits=LIMITS) == 0


# --- device cookies --------------------------------------------------------------------------------------

SECRET, DAY = "s3cret", 86400


def test_device_cookie_names_the_accounts_it_was_issued_for():
    cookie = devices.remember(None, "Staff1@Shop.test", secret=SECRET, max_age=DAY)
    cookie = devices.remember(cookie, "staff2@shop.test", secret=SECRET, max_age=DAY)
    first = devices.trusted_nonce(cookie, "staff1@shop.test", secret=SECRET, max_age=DAY)
    second = devices.trusted_nonce(cookie, "staff2@shop.test", secret=SECRET, max_age=DAY)
    assert first and second and first != second
    assert devices.trusted_nonce(cookie, "staff3@shop.test", secret=SECRET, max_age=DAY) is None
    # signing in again gives the account a fresh nonce and keeps the others
    again = devices.remember(cookie, "staff1@shop.test", secret=SECRET, max_age=DAY)
    assert devices.trusted_nonce(again, "staff1@shop.test", secret=SECRET, max_age=DAY) not in (None, first)
    assert devices.trusted_nonce(again, "staff2@shop.test", secret=SECRET, max_age=DAY) == second


def test_a_browser_remembers_a_bounded_number_of_accounts():
    cookie = None
    for i in range(devices.MAX_ACCOUNTS + 3):
        cookie = devices.remember(cookie, f"user{i}@shop.test", secret=SECRET, max_age=DAY)
    assert devices.trusted_nonce(cookie, "user0@shop.test", secret=SECRET, max_age=DAY) is None
    assert devices.trusted_nonce(cookie, f"user{devices.MAX_ACCOUNTS + 2}@shop.test", secret=SECRET, max_age=DAY)


def _tampered(cookie: str) -> str:
    return cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB")


@pytest.mark.parametrize("make_cookie", [
    pytest.param(lambda: None, id="none"),
    pytest.param(lambda: "garbage", id="garbage"),
    pytest.param(lambda: _tampered(devices.remember(None, REAL, secret=SECRET, max_age=DAY)), id="tampered"),
    pytest.param(lambda: devices.remember(None, "staff2@shop.test", secret=SECRET, max_age=DAY), id="other-account"),
    pytest.param(lambda: devices.remember(None, REAL, secret="another key", max_age=DAY), id="foreign-key"),
    pytest.param(lambda: devices._serializer(SECRET).dumps({"staff1@shop.test": "n"}), id="wrong-shape"),
])
def test_no_trust_without_a_valid_cookie_for_the_account(make_cookie):
    assert devices.trusted_nonce(make_cookie(), REAL, secret=SECRET, max_age=DAY) is None


def test_an_expired_device_cookie_gives_no_trust(monkeypatch):
    cookie = devices.remember(None, REAL, secret=SECRET, max_age=DAY)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 10**10)
    assert devices.trusted_nonce(cookie, REAL, secret=SECRET, max_age=DAY) is None


# --- through the sign-in page ----------------------------------------------------------------------------

def _throttle_address(app, times: int = PER_ADDRESS) -> None:
    """Someone else, from the same address as the test clients, guesses made-up accounts."""
    auth = AuthActions(app.test_client())
    for i in range(times):
        assert auth.login(f"made-up{i}@shop.test", "guess").status_code == 401


def test_made_up_emails_do_not_lock_out_real_users_of_the_address_until_the_high_limit(app, client, auth, shop,
                                                                                       address_limit):
    # given more made-up failures from the shop's address than one account may have
    _throttle_address(app, PER_ADDRESS - 1)
    # then a colleague on a new browser still signs in
    assert auth.login(shop.staff2.email).status_code == 302
    # but once the address limit is reached, untrusted clients of that address wait
    _throttle_address(app, 1)
    r = AuthActions(app.test_client()).login(shop.staff1.email)
    assert r.status_code == 429
    assert re.search(r"Try again in 5 minutes", r.get_data(as_text=True))


def test_repeated_failures_on_an_account_are_slowed_down_with_a_clear_wait(client, auth, shop, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert auth.login(shop.staff1.email, "guess").status_code == 401
    r = auth.login(shop.staff1.email)  # even the right password waits now
    assert r.status_code == 429
    assert re.search(r"Try again in \d+ minutes?", r.get_data(as_text=True))


def test_successful_sign_in_clears_the_account_failures(client, auth, shop, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        auth.login(shop.staff1.email, "guess")
    assert auth.login(shop.staff1.email).status_code == 302
    auth.logout()
    assert auth.login(shop.staff1.email, "guess").status_code == 401  # counting starts again


def test_a_browser_that_signed_in_before_signs_in_while_its_address_is_throttled(app, client, auth, shop,
                                                                                  address_limit):
    # given a browser that signed in and out again
    assert auth.login(shop.staff1.email).status_code == 302
    auth.logout()
    # when someone at the same address exhausts the address limit
    _throttle_address(app)
    # then that browser signs in with the right password, a new browser waits
    assert auth.login(shop.staff1.email).status_code == 302
    assert AuthActions(app.test_client()).login(shop.staff1.email).status_code == 429


def test_a_trusted_browser_signs_in_while_its_account_is_locked_for_others(app, client, auth, shop):
    auth.login(shop.staff1.email)
    auth.logout()
    attacker = AuthActions(app.test_client())
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attacker.login(shop.staff1.email, "guess")
    assert attacker.login(shop.staff1.email).status_code == 429
    assert auth.login(shop.staff1.email).status_code == 302


def test_a_shared_computer_stays_trusted_for_each_account_signed_in_there(app, client, auth, shop, address_limit):
    for user in (shop.staff1, shop.staff2):
        assert auth.login(user.email).status_code == 302
        auth.logout()
    _throttle_address(app)
    for user in (shop.staff1, shop.staff2):
        assert auth.login(user.email).status_code == 302
        auth.logout()
    assert auth.login(shop.manager.email).status_code == 429  # never signed in on this computer


@pytest.mark.parametrize("forge", [
    pytest.param(_tampered, id="tampered"),
    pytest.param(lambda cookie: devices.remember(None, "staff1@shop.test", secret="not the key",
                                                      max_age=DAY), id="foreign-key"),
])
def test_a_tampered_or_foreign_device_cookie_gives_no_exemption(app, client, auth, shop, address_limit, forge):
    # given a device cookie of the account, altered or signed with another key
    auth.login(shop.staff1.email)
    auth.logout()
    cookie = client.get_cookie(devices.COOKIE_NAME, path="/login").value
    _throttle_address(app)
    # when a browser presents it
    other = app.test_client()
    other.set_cookie(devices.COOKIE_NAME, forge(cookie), path="/login")
    # then it is throttled like any untrusted client
    assert AuthActions(other).login(shop.staff1.email).status_code == 429


def test_a_device_cookie_of_another_account_gives_no_exemption(app, client, auth, shop, address_limit):
    auth.login(shop.staff2.email)
    auth.logout()
    _throttle_address(app)
    assert auth.login(shop.staff2.email).status_code == 302
    auth.logout()
    assert auth.login(shop.staff1.email).status_code == 429


def test_a_device_cookie_that_keeps_failing_is_locked_out_itself(app, client, auth, shop):
    # given a trusted browser (someone took it over) that keeps guessing
    auth.login(shop.staff1.email)
    auth.logout()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert auth.login(shop.staff1.email, "guess").status_code == 401
    # then it waits, even with the right password
    assert auth.login(shop.staff1.email).status_code == 429
    # while the account's owner on another browser is not locked out by it
    assert AuthActions(app.test_client()).login(shop.staff1.email).status_code == 302


def test_device_cookie_flags(app, client, auth, shop, monkeypatch):
    r = auth.login(shop.staff1.email)
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith(devices.COOKIE_NAME + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/login" in cookie
    assert f"Max-Age={365 * DAY}" in cookie and "Secure" not in cookie
    # Secure whenever the session cookie is
    auth.logout()
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    r = AuthActions(app.test_client()).login(shop.staff1.email)
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith(devices.COOKIE_NAME + "="))
    assert "Secure" in cookie


def test_old_failed_sign_ins_are_forgotten(client, auth, shop):
    factories.db.session.add(SignInAttempt(email="old@shop.test", ip="10.0.0.1", created_at=utcnow() - timedelta(days=2)))
    factories.db.session.commit()
    auth.login(shop.staff1.email, "guess")
    factories.db.session.expire_all()
    assert [a.email for a in factories.db.session.query(SignInAttempt)] == [shop.staff1.email]


# --- in a browser ----------------------------------------------------------------------------------------

def test_browser_that_signed_in_before_keeps_signing_in_while_the_address_is_throttled(page, app, shop,
                                                                                       address_limit, browser,
                                                                                       live_server):
    # given a browser that signed in, then signed out
    sign_in(page, shop.staff1.email)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login**")
    # when someone at the same address guesses made-up accounts past the address limit
    _throttle_address(app)
    # then this browser signs in again with the right password
    sign_in(page, shop.staff1.email)
    # and a browser that never signed in here is told to wait
    fresh = browser.new_context(base_url=live_server).new_page()
    try:
        fresh.goto("/login")
        fresh.get_by_label("Email").fill(shop.staff1.email)
        fresh.get_by_label("Password").fill(factories.PASSWORD)
        fresh.get_by_role("button", name="Sign in").click()
        assert "Too many failed sign-ins. Try again in 5 minutes." in fresh.locator("main").inner_text()
    finally:
        fresh.context.close()
