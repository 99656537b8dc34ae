"""The shop's time zone: local days in filters, saved views and relative dates; local times on pages; ISO times
with their offset in exports; SHOP_TIMEZONE and branch zones checked. The database stays UTC."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from app import localtime
from app.models import Branch, ExportJob
from app.orders import views
from app.orders.filters import parse_order_filter
from app.reports.runner import download_name
from app.templating import dt
from tests import factories
from tests.test_orders_migration import columns_of, scratch_app, scratch_url  # noqa: F401 - scratch_url is a fixture
from tests.test_reports_files import path_of, run

UTC = timezone.utc
SAST = ZoneInfo("Africa/Johannesburg")
LONDON = ZoneInfo("Europe/London")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def shop_timezone(app):
    """Set SHOP_TIMEZONE for one test (the app reads it on every use)."""
    before = app.config["SHOP_TIMEZONE"]

    def set_zone(name: str) -> None:
        app.config["SHOP_TIMEZONE"] = name

    yield set_zone
    app.config["SHOP_TIMEZONE"] = before


@pytest.fixture
def frozen_clock(monkeypatch):
    """Freeze the clock the date filters read (``localtime.now``), also for the live server's threads."""
    def freeze(at: datetime) -> None:
        monkeypatch.setattr(localtime, "now", lambda: at)

    return freeze


def listed(client, query: str) -> str:
    r = client.get("/orders?" + query)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_data(as_text=True)


def orders_at(branch, *moments: datetime) -> list:
    orders = [factories.make_order(branch, code=f"ORD-2026-7{i:05d}", created_at=m) for i, m in enumerate(moments)]
    factories.db.session.commit()
    return orders


# --- configuration -----------------------------------------------------------------------------

def test_shop_timezone_defaults_to_johannesburg_and_comes_from_the_environment(monkeypatch):
    from app.config import Config

    monkeypatch.delenv("SHOP_TIMEZONE", raising=False)
    assert Config().SHOP_TIMEZONE == "Africa/Johannesburg"
    monkeypatch.setenv("SHOP_TIMEZONE", "Europe/London")
    assert Config().SHOP_TIMEZONE == "Europe/London"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "Africa", "SAST", "../../etc/passwd", ""])
def test_an_unknown_shop_timezone_stops_the_app_with_a_clear_message(name):
    from app import create_app
    from app.config import TestConfig

    config = TestConfig()
    config.SHOP_TIMEZONE = name or " "
    with pytest.raises(RuntimeError, match=r"SHOP_TIMEZONE: .* is not a known time zone; use an IANA name"):
        create_app(config)


def test_a_branch_zone_must_be_a_real_zone_and_blank_means_the_shops(db, app):
    branch = Branch(code="LDN", name="London")
    with pytest.raises(localtime.UnknownTimeZone, match="“Europe/Londn” is not a known time zone"):
        branch.timezone = "Europe/Londn"
    branch.timezone = "  "
    assert branch.timezone is None and branch.zone == SAST
    branch.timezone = "Europe/London"
    assert branch.zone == LONDON


def test_branch_timezone_command_sets_shows_and_clears(app, db, shop):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["branch-timezone", shop.branch2.code, "Europe/London"])
    assert result.exit_code == 0 and f"{shop.branch2.code}: Europe/London" in result.output
    db.session.expire_all()
    assert db.session.get(Branch, shop.branch2.id).timezone == "Europe/London"
    result = runner.invoke(args=["branch-timezone", shop.branch2.code, "Nowhere/Land"])
    assert result.exit_code != 0 and "is not a known time zone" in result.output
    result = runner.invoke(args=["branch-timezone", shop.branch2.code, "--clear"])
    assert "Africa/Johannesburg (the shop's SHOP_TIMEZONE)" in result.output
    assert runner.invoke(args=["branch-timezone", "NOPE"]).exit_code != 0


# --- pages: the dt filter --------------------------------------------------------------------------

def test_dt_shows_local_time_with_the_zone(app):
    with app.app_context():
        assert dt(utc(2026, 12, 2, 12, 5)) == "2 Dec 2026 14:05 SAST"
        assert dt(utc(2026, 12, 1, 22, 30)) == "2 Dec 2026 00:30 SAST"  # the local day, not the UTC one
        assert dt(utc(2026, 12, 2, 12, 5), LONDON) == "2 Dec 2026 12:05 GMT"
        assert dt(utc(2026, 7, 2, 12, 5), "Europe/London") == "2 Jul 2026 13:05 BST"  # DST, no fixed offset
        assert dt(None) == "—"


def test_list_and_order_page_show_local_times(client, auth, shop):
    # given: an order placed at 22:30 UTC on 1 December, in a branch that keeps the shop's zone
    order, = orders_at(shop.branch1, utc(2026, 12, 1, 22, 30))
    auth.login(shop.staff1.email)
    # then: both pages show 2 December, 00:30 in Johannesburg, and say so
    assert "2 Dec 2026 00:30 SAST" in listed(client, "")
    assert "2 Dec 2026 00:30 SAST" in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_a_branch_in_another_zone_shows_its_own_time_on_its_order_page(page, shop):
    # given: branch 1 is in London (DST zone); the shop is in Johannesburg
    from playwright.sync_api import expect

    from tests.conftest import sign_in

    shop.branch1.timezone = "Europe/London"
    summer, winter = orders_at(shop.branch1, utc(2026, 7, 1, 12, 5), utc(2026, 12, 1, 12, 5))
    # when a staff member looks at the list and opens the orders
    sign_in(page, shop.staff1.email)
    rows = page.locator("table.orders tbody tr")
    # then: the list speaks the shop's zone (one zone for the whole list and its filters) ...
    expect(rows.filter(has_text=summer.code)).to_contain_text("1 Jul 2026 14:05 SAST")
    expect(rows.filter(has_text=winter.code)).to_contain_text("1 Dec 2026 14:05 SAST")
    # ... and each order's page its branch's, with British summer time in July and GMT in December
    page.goto(f"/orders/{summer.id}")
    expect(page.locator("main")).to_contain_text("Placed 1 Jul 2026 13:05 BST")
    page.goto(f"/orders/{winter.id}")
    expect(page.locator("main")).to_contain_text("Placed 1 Dec 2026 12:05 GMT")


# --- filters: local days --------------------------------------------------------------------------

def test_a_date_range_means_whole_local_days(client, auth, shop):
    # given: orders either side of local midnight (Johannesburg is UTC+02:00)
    late_1st, early_2nd, late_2nd, early_3rd = orders_at(
        shop.branch1,
        utc(2026, 12, 1, 21, 59),  # 1 Dec 23:59 SAST
        utc(2026, 12, 1, 22, 30),  # 2 Dec 00:30 SAST
        utc(2026, 12, 2, 21, 59, 59),  # 2 Dec 23:59:59 SAST
        utc(2026, 12, 2, 22, 0),  # 3 Dec 00:00 SAST
    )
    auth.login(shop.staff1.email)
    # when
    html = listed(client, "created_from=2026-12-02&created_to=2026-12-02")
    # then
    assert early_2nd.code in html and late_2nd.code in html
    assert late_1st.code not in html and early_3rd.code not in html
    # and the panel's date inputs show the local day the person typed, not the UTC one
    assert 'value="2026-12-02"' in html and 'value="2026-12-01"' not in html


def test_a_date_range_in_a_dst_zone_follows_the_clock_change(client, auth, shop, shop_timezone):
    # given: the shop is in London, where 29 March 2026 lasts 23 hours (BST from 01:00 UTC)
    shop_timezone("Europe/London")
    before, first, last, after = orders_at(
        shop.branch1,
        utc(2026, 3, 28, 23, 30),  # 28 Mar 23:30 GMT
        utc(2026, 3, 29, 0, 30),  # 29 Mar 00:30 GMT
        utc(2026, 3, 29, 22, 30),  # 29 Mar 23:30 BST
        utc(2026, 3, 29, 23, 30),  # 30 Mar 00:30 BST: a fixed +00:00 would count it in the 29th
    )
    auth.login(shop.staff1.email)
    html = listed(client, "created_from=2026-03-29&created_to=2026-03-29")
    assert first.code in html and last.code in html
    assert before.code not in html and after.code not in html
    f = parse_order_filter(MultiDict({"created_from": "2026-03-29", "created_to": "2026-03-29"}))
    assert f.created_to - f.created_from == timedelta(hours=23, microseconds=-1)


def test_filter_dates_round_trip_as_local_days(app, shop_timezone):
    with app.app_context():
        for zone in ("Africa/Johannesburg", "Europe/London", "America/St_Johns"):
            shop_timezone(zone)
            f = parse_order_filter(MultiDict({"created_from": "2026-07-02", "created_to": "2026-07-02",
                                              "modified_from": "2026-07-02T10:30"}))
            assert f.is_valid, f.errors
            assert f.created_from == datetime(2026, 7, 2, tzinfo=ZoneInfo(zone))
            args = dict(f.to_args())
            assert args["created_from"] == args["created_to"] == "2026-07-02"  # what export jobs store
            assert args["modified_from"].startswith("2026-07-02T10:30:00")  # local time, with its offset
            assert parse_order_filter(MultiDict(f.to_args())) == f
            assert f.local_date("created_to") == date(2026, 7, 2)


def test_dates_at_the_edge_of_the_calendar_are_errors_not_crashes(app):
    with app.app_context():
        f = parse_order_filter(MultiDict({"created_from": "0001-01-01", "created_to": "9999-12-31"}))
        assert set(f.errors) == {"created_from", "created_to"}


# --- relative dates and saved views: local days from the clock ---------------------------------------

def test_relative_dates_count_local_days_from_the_clock(app):
    monday_early = utc(2026, 12, 6, 22, 30)  # Sunday 22:30 UTC = Monday 7 Dec 00:30 in Johannesburg
    with app.app_context():
        f = parse_order_filter(MultiDict({"created_from": "today", "modified_from": "week", "created_to": "today"}),
                               now=monday_early)
        assert f.created_from == datetime(2026, 12, 7, tzinfo=SAST)
        assert f.created_to == datetime(2026, 12, 8, tzinfo=SAST) - timedelta(microseconds=1)
        assert f.modified_from == datetime(2026, 12, 7, tzinfo=SAST)  # this Monday, not last week's
        f = parse_order_filter(MultiDict({"created_from": "-7d", "modified_from": "month"}), now=monday_early)
        assert f.created_from == datetime(2026, 11, 30, tzinfo=SAST)
        assert f.modified_from == datetime(2026, 12, 1, tzinfo=SAST)


def test_new_today_uses_the_local_day(client, auth, shop, frozen_clock):
    # given: it is 00:30 on 2 December in Johannesburg (22:30 UTC on the 1st)
    frozen_clock(utc(2026, 12, 1, 22, 30))
    yesterday, today = orders_at(shop.branch1, utc(2026, 12, 1, 21, 0), utc(2026, 12, 1, 22, 10))
    auth.login(shop.staff1.email)
    # when the default view "New today" is opened
    html = listed(client, dict(views.DEFAULT_VIEWS)["New today"])
    # then only the order of the local today is in it (the UTC day would show both)
    assert today.code in html and yesterday.code not in html


def test_a_saved_view_keeps_relative_dates_and_its_dates_are_local_days(client, auth, shop, frozen_clock):
    # given: orders late on 1 Dec and early on 2 Dec, local time
    late_1st, early_2nd = orders_at(shop.branch1, utc(2026, 12, 1, 21, 0), utc(2026, 12, 1, 22, 10))
    auth.login(shop.staff1.email)
    token = factories.csrf_token(client)
    for name, query in (("Today", "created_from=today"), ("2 Dec", "created_from=2026-12-02&created_to=2026-12-02")):
        assert client.post("/orders/views", data={"name": name, "query": query, "csrf_token": token}).status_code == 303
    saved = dict(factories.db.session.query(views.SavedView.name, views.SavedView.query_string)
                 .filter_by(user_id=shop.staff1.id))
    assert saved["Today"] == "created_from=today"  # stays relative
    # when "Today" is opened early on 2 Dec (local), and again a day later
    frozen_clock(utc(2026, 12, 1, 22, 30))
    html = listed(client, saved["Today"])
    assert early_2nd.code in html and late_1st.code not in html
    frozen_clock(utc(2026, 12, 2, 22, 30))
    html = listed(client, saved["Today"])
    assert early_2nd.code not in html
    # and the dated view means the local 2 December whenever it is opened
    html = listed(client, saved["2 Dec"])
    assert early_2nd.code in html and late_1st.code not in html


# --- exports: offsets in CSV, the zone in XLSX headers -------------------------------------------------

def test_fixed_offsets_are_recognised_and_dst_hours_are_exact():
    assert localtime.fixed_offset("Africa/Johannesburg") == timedelta(hours=2)
    assert localtime.fixed_offset("Asia/Kolkata") == timedelta(hours=5, minutes=30)
    assert localtime.fixed_offset("Europe/London") is None
    # SQLite's naive UTC text around London's clock change (01:00 UTC on 29 March 2026)
    assert localtime.iso_local("2026-03-29 00:59:59.999999", "Europe/London") == "2026-03-29T00:59:59+00:00"
    assert localtime.iso_local("2026-03-29 01:00:00", "Europe/London") == "2026-03-29T02:00:00+01:00"
    # St John's falls back at 04:30 UTC: the hour holds two offsets
    assert localtime.iso_local("2026-11-01 04:29:59", "America/St_Johns") == "2026-11-01T01:59:59-02:30"
    assert localtime.iso_local("2026-11-01 04:45:00", "America/St_Johns") == "2026-11-01T01:15:00-03:30"
    assert localtime.iso_local(utc(2026, 12, 1, 22, 30, 5, 999), "Africa/Johannesburg") == "2026-12-02T00:30:05+02:00"
    assert localtime.iso_local(None, "Europe/London") is None


@pytest.mark.parametrize("zone, expected", [
    ("Africa/Johannesburg", ["2026-01-15T14:00:00+02:00", "2026-07-16T00:30:00+02:00"]),
    ("Europe/London", ["2026-01-15T12:00:00+00:00", "2026-07-15T23:30:00+01:00"]),
    ("America/St_Johns", ["2026-01-15T08:30:00-03:30", "2026-07-15T20:00:00-02:30"]),
    ("Asia/Kolkata", ["2026-01-15T17:30:00+05:30", "2026-07-16T04:00:00+05:30"]),  # a fixed half-hour offset
])
def test_csv_times_are_local_with_their_offset(app, shop, shop_timezone, zone, expected):
    # given (CSV comes from PostgreSQL's COPY or SQLite's cursor, formatted by the database)
    shop_timezone(zone)
    orders_at(shop.branch1, utc(2026, 1, 15, 12, 0), utc(2026, 7, 15, 22, 30))
    # when
    job = run(shop.manager, {"sort": "placed", "direction": "asc"}, columns=["code", "placed_at"])
    rows = list(csv.reader(io.StringIO(path_of(app, job).read_text("utf-8-sig"), newline="")))
    # then
    assert rows[0] == ["Order", "Placed at"]
    assert [r[1] for r in rows[1:]] == expected
    assert [datetime.fromisoformat(r[1]) for r in rows[1:]] == [utc(2026, 1, 15, 12, 0), utc(2026, 7, 15, 22, 30)]


@pytest.mark.parametrize("zone, header, expected", [
    ("Africa/Johannesburg", "Placed at (SAST, UTC+02:00)", [datetime(2026, 1, 15, 14), datetime(2026, 7, 16, 0, 30)]),
    ("Europe/London", "Placed at (Europe/London)", [datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 23, 30)]),
])
def test_xlsx_times_are_local_and_the_header_names_the_zone(app, shop, shop_timezone, zone, header, expected):
    shop_timezone(zone)
    orders_at(shop.branch1, utc(2026, 1, 15, 12, 0), utc(2026, 7, 15, 22, 30))
    job = run(shop.manager, {"sort": "placed", "direction": "asc"}, format="xlsx", columns=["code", "placed_at"])
    ws = load_workbook(path_of(app, job))["Orders"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Order", header)
    assert [r[1] for r in rows[1:]] == expected


def test_an_export_of_a_local_day_holds_that_days_orders(app, shop):
    # the export job stores the filter as query parameters: the day must still be the local one when it runs
    late_1st, early_2nd = orders_at(shop.branch1, utc(2026, 12, 1, 21, 0), utc(2026, 12, 1, 22, 10))
    job = run(shop.manager, {"created_from": "2026-12-02", "created_to": "2026-12-02"}, columns=["code", "placed_at"])
    assert job.filters == {"created_from": ["2026-12-02"], "created_to": ["2026-12-02"]}
    text = path_of(app, job).read_text("utf-8")
    assert early_2nd.code in text and late_1st.code not in text
    assert "2026-12-02T00:10:00+02:00" in text


def test_export_file_names_use_local_time(app):
    job = ExportJob(id=12, shape="orders", format="csv", created_at=utc(2026, 12, 1, 22, 30))
    with app.app_context():
        assert download_name(job) == "orders-20261202-0030-12.csv"



# --- migration 0004 ---------------------------------------------------------------------------------

def test_migration_adds_and_removes_the_branch_timezone(scratch_url):
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    app = scratch_app(scratch_url)
    with app.app_context():
        from app.extensions import db

        def columns() -> set[str]:
            return columns_of(db, "branches")

        upgrade(revision="0002")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO branches (id, code, name, currency, is_active) "
                                 "VALUES (1, 'B1', 'One', 'ZAR', true)"))
        upgrade(revision="0004_branch_timezone")
        assert "timezone" in columns()
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE branches SET timezone = 'Europe/London' WHERE id = 1"))
        downgrade(revision="0002")
        assert "timezone" not in columns()
        with db.engine.begin() as conn:
            assert conn.scalar(sa.text("SELECT code FROM branches WHERE id = 1")) == "B1"
        upgrade(revision="0004_branch_timezone")
        db.engine.dispose()
