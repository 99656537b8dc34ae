"""The order filter vocabulary: every parameter parsed, bad values reported (never raised), URLs round-trip."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from werkzeug.datastructures import MultiDict

from app.models import SalesChannel
from app.orders.filters import OrderFilter, parse_order_filter, resolve_relative_date
from app.orders.status import DeliveryMethod, FulfilmentMethod, OrderStatus, PaymentStatus

SAST = ZoneInfo("Africa/Johannesburg")


def parse(query: str) -> OrderFilter:
    from urllib.parse import parse_qsl

    return parse_order_filter(MultiDict(parse_qsl(query, keep_blank_values=True)))


def test_no_parameters_is_the_default_filter():
    f = parse("")
    assert f.is_valid and not f.has_filters
    assert (f.sort, f.direction, f.page, f.per_page) == ("placed", "desc", 1, 50)
    assert f.to_args() == []


@pytest.mark.parametrize("query, attribute, expected", [
    ("q=%20Nkosi%20", "q", "Nkosi"),
    ("q=a,b", "q", "a,b"),  # search text keeps its commas
    ("status=PROCESSING&status=delivery-ready", "status", [OrderStatus.PROCESSING, OrderStatus.DELIVERY_READY]),
    ("status=ORDERED,CANCELLED", "status", [OrderStatus.ORDERED, OrderStatus.CANCELLED]),  # seed 000 lists
    ("payment_status=PAID&payment_status=PARTIALLY-PAID", "payment_status",
     [PaymentStatus.PAID, PaymentStatus.PARTIALLY_PAID]),
    ("method=collection", "method", FulfilmentMethod.COLLECTION),
    ("delivery=EXPRESS", "delivery", DeliveryMethod.EXPRESS),
    ("channel=SHOPIFY&channel=UBER_EATS", "channel", [SalesChannel.SHOPIFY, SalesChannel.UBER_EATS]),
    ("branch=2&branch=3&branch=2", "branch", [2, 3]),
    ("branch_group=7", "branch_group", 7),
    ("customer=42", "customer", 42),
    ("currency=zar", "currency", "ZAR"),
    ("gift_box=yes", "gift_box", True),
    ("gift_box=0", "gift_box", False),
    # dates are whole local days of the shop (SHOP_TIMEZONE, Africa/Johannesburg by default)
    ("created_from=2026-01-31", "created_from", datetime(2026, 1, 31, tzinfo=SAST)),
    ("created_to=2026-01-31", "created_to", datetime.combine(date(2026, 1, 31), time.max, tzinfo=SAST)),
    ("modified_from=2026-02-01T10:30:00%2B02:00", "modified_from", datetime(2026, 2, 1, 8, 30, tzinfo=timezone.utc)),
    ("modified_from=2026-02-01T08:30:00Z", "modified_from", datetime(2026, 2, 1, 8, 30, tzinfo=timezone.utc)),
    ("modified_from=2026-02-01T10:30", "modified_from", datetime(2026, 2, 1, 10, 30, tzinfo=SAST)),  # local
    ("modified_to=2026-02-03", "modified_to", datetime.combine(date(2026, 2, 3), time.max, tzinfo=SAST)),
    ("total_min=99.9", "total_min", Decimal("99.90")),
    ("total_max=1000", "total_max", Decimal("1000.00")),
    ("sort=total", "sort", "total"),
    ("sort=created", "sort", "placed"),
    ("sort=updated_at", "sort", "modified"),
    ("sort=customer", "sort", "customer"),
    ("direction=ASC", "direction", "asc"),
    ("page=500", "page", 500),
    ("per_page=100", "per_page", 100),
])
def test_every_parameter_is_parsed(query, attribute, expected):
    f = parse(query)
    assert f.is_valid, f.errors
    assert getattr(f, attribute) == expected


def test_money_is_decimal_never_float():
    f = parse("total_min=0.1&total_max=0.30")
    assert isinstance(f.total_min, Decimal) and f.total_min + Decimal("0.20") == f.total_max


@pytest.mark.parametrize("query, parameter, message", [
    ("status=SHIPPED", "status", "Unknown status “SHIPPED”"),
    ("payment_status=OWED", "payment_status", "Unknown payment status"),
    ("method=DRONE", "method", "Unknown method"),
    ("delivery=SLOW", "delivery", "Unknown delivery"),
    ("channel=EBAY", "channel", "Unknown channel"),
    ("branch=one", "branch", "Branch must be a whole number"),
    ("branch=0", "branch", "Branch is out of range"),
    ("branch_group=x", "branch_group", "Branch group must be a whole number"),
    ("customer=99999999999", "customer", "Customer is out of range"),
    ("currency=RANDS", "currency", "three-letter ISO 4217"),
    ("gift_box=maybe", "gift_box", "Gift box is yes or no"),
    ("created_from=31/01/2026", "created_from", "is not a date"),
    ("modified_to=2026-02-30", "modified_to", "is not a date"),
    ("created_from=2026-02-02&created_to=2026-02-01", "created_to", "“to” is before “from”"),
    ("total_min=ten", "total_min", "Minimum total must be an amount"),
    ("total_max=-5", "total_max", "Maximum total must be an amount"),
    ("total_min=NaN", "total_min", "Minimum total must be an amount"),
    ("total_min=200&total_max=100", "total_max", "below the minimum"),
    ("sort=price", "sort", "Sort by one of"),
    ("direction=up", "direction", "Direction is asc or desc"),
    ("page=abc", "page", "Page must be a whole number"),
    ("page=0", "page", "Page is out of range"),
    ("page=2000000", "page", "Page is out of range"),
    ("per_page=1000", "per_page", "Rows per page is one of 20, 50, 100"),
    ("per_page=25", "per_page", "Rows per page is one of"),
    ("q=" + "x" * 101, "q", "at most 100 characters"),
])
def test_bad_values_give_a_clear_message_per_parameter(query, parameter, message):
    f = parse(query)
    assert not f.is_valid
    assert message in f.errors[parameter]


def test_several_bad_values_are_all_reported():
    f = parse("status=NOPE&total_min=x&per_page=7")
    assert set(f.errors) == {"status", "total_min", "per_page"}


def test_filter_round_trips_through_its_query_parameters():
    query = ("q=nkosi&status=PROCESSING&status=DELIVERY-READY&payment_status=PAID&method=DELIVERY&delivery=EXPRESS"
             "&channel=SHOPIFY&branch=1&branch=2&branch_group=3&customer=4&currency=ZAR&gift_box=1"
             "&created_from=2026-01-01&created_to=2026-01-31&modified_from=2026-02-01&modified_to=2026-02-28"
             "&total_min=10.00&total_max=99.99&sort=total&direction=asc&page=3&per_page=20")
    f = parse(query)
    assert f.is_valid, f.errors
    again = parse_order_filter(MultiDict(f.to_args()))
    assert again == f
    assert len(f.chips()) == 19  # 17 narrowing parameters, with two statuses and two branches


def test_relative_dates_resolve_when_used():
    wednesday = date(2026, 11, 18)
    assert resolve_relative_date("today", wednesday) == wednesday
    assert resolve_relative_date("yesterday", wednesday) == date(2026, 11, 17)
    assert resolve_relative_date("week", wednesday) == date(2026, 11, 16)  # Monday
    assert resolve_relative_date("month", wednesday) == date(2026, 11, 1)
    assert resolve_relative_date("-7d", wednesday) == date(2026, 11, 11)
    assert resolve_relative_date("2026-11-01", wednesday) is None
    today = datetime.now(SAST).date()
    f = parse("created_from=today&created_to=today")
    assert f.created_from == datetime.combine(today, time.min, tzinfo=SAST)
    assert f.created_to == datetime.combine(today, time.max, tzinfo=SAST)
    assert parse("modified_from=-3d").modified_from.astimezone(SAST).date() == today - timedelta(days=3)


@pytest.mark.parametrize("name", ["total_min", "total_max", "page", "per_page", "customer", "created_from"])
def test_scalar_parameters_are_not_split_on_commas(name):
    f = parse_order_filter(MultiDict({name: "1,5"}))
    assert name in f.errors


def test_chips_read_like_labels_not_codes():
    f = parse_order_filter(MultiDict([("channel", "UBER_EATS"), ("status", "DELIVERY-READY"), ("gift_box", "1"),
                                      ("method", "COLLECTION")]))
    labels = [label for _, _, label in f.chips()]
    assert labels == ["Status: Delivery ready", "Method: Collection", "Channel: Uber Eats", "Gift box: yes"]


@pytest.mark.parametrize("value", ["0000-01-01", "1999-12-31", "2100-01-01", "9999-12-31", "10000-01-01",
                                   "0001-01-01T00:00:00"])
def test_a_date_out_of_range_says_which_dates_are_allowed(value):
    f = parse(f"created_from={value}&modified_to={value}")
    message = f"“{value}” is out of range: use a date from 2000-01-01 to 2099-12-31."
    assert f.errors == {"created_from": message, "modified_to": message}
    assert f.created_from is None and f.modified_to is None


def test_the_first_and_last_allowed_dates_and_a_bad_date():
    f = parse("created_from=2000-01-01&created_to=2099-12-31")
    local = ZoneInfo("Africa/Johannesburg")  # dates are the shop's local days
    assert not f.errors and f.created_from.astimezone(local).year == 2000 and f.created_to.astimezone(local).year == 2099
    assert parse("created_from=2026-13-01").errors == {"created_from": "“2026-13-01” is not a date (use YYYY-MM-DD)."}


def test_the_list_and_the_export_form_show_the_allowed_range(client, auth, shop):
    auth.login(shop.manager.email)
    for url in ("/orders?created_from=0000-01-01", "/exports/new?created_from=0000-01-01"):
        r = client.get(url)
        assert r.status_code == 400
        assert "“0000-01-01” is out of range: use a date from 2000-01-01 to 2099-12-31." in r.get_data(as_text=True)
