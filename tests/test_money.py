"""Money: one formatting filter, Decimal in and out of Numeric(12,2) on every database, totals that add up,
and amounts in the order filter that are Decimal, never float."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import render_template_string
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from app.models import Order, OrderItem, Payment, PaymentProvider, PaymentState
from app.orders.filters import parse_order_filter
from app.orders.queries import apply_filter
from app.templating import money
from tests import factories

D = Decimal
NBSP = "\u00a0"


# --- the money filter -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "amount, currency, expected",
    [
        (D("1234.5"), "ZAR", f"R1{NBSP}234.50"),
        (D("0"), "ZAR", "R0.00"),
        (D("0.10") + D("0.20"), "ZAR", "R0.30"),
        (D("9999999999.99"), "ZAR", f"R9{NBSP}999{NBSP}999{NBSP}999.99"),
        (D("-10"), "USD", "-$10.00"),
        (D("1000000"), "EUR", f"€1{NBSP}000{NBSP}000.00"),
        (D("5.5"), "GBP", "£5.50"),
        (D("40"), "KES", "KES 40.00"),  # no symbol known: the ISO code
        (D("40"), None, "40.00"),
        (D("40"), "", "40.00"),
        ("19.9", "ZAR", "R19.90"),  # strings from forms or JSON
        (7, "ZAR", "R7.00"),
        # half-up rounding to cents, on exact decimals
        (D("2.675"), "ZAR", "R2.68"),
        (D("0.005"), "ZAR", "R0.01"),
        (D("0.004"), "ZAR", "R0.00"),
        (D("-0.005"), "ZAR", "-R0.01"),
        (D("-0.004"), "ZAR", "R0.00"),  # never "-R0.00"
        (None, "ZAR", "—"),
    ],
)
def test_money_filter(amount, currency, expected):
    assert money(amount, currency) == expected


def test_money_is_the_template_filter(app):
    with app.app_context():
        html = render_template_string("{{ amount|money('ZAR') }} {{ none|money }}", amount=D("1299.90"), none=None)
    assert html == f"R1{NBSP}299.90 —"


# --- Decimal round trip through Numeric(12,2) -----------------------------------------------------

def _read_back(db, order_id: int) -> Order:
    """A fresh session, so the values come from the database and not from the identity map."""
    session = Session(db.engine)
    try:
        return session.get(Order, order_id)
    finally:
        session.close()


@pytest.mark.parametrize(
    "total",
    [D("0.10") + D("0.20"), D("9999999999.99"), D("0.01"), D("0.00"), D("1234567.89"), D("-15.50")],
    ids=str,
)
def test_decimal_round_trip(db, shop, total):
    # given
    order = factories.make_order(shop.branch1)
    order.total = total
    db.session.commit()
    # when
    stored = _read_back(db, order.id)
    # then
    assert isinstance(stored.total, Decimal)
    assert stored.total == total
    assert str(stored.total) == str(total.quantize(D("0.01")))


def test_point_one_plus_point_two_is_point_three_in_sql(db, shop):
    # given
    a = factories.make_order(shop.branch1, lines=(("0.10", 1),), delivery_fee="0.00")
    b = factories.make_order(shop.branch1, lines=(("0.20", 1),), delivery_fee="0.00")
    db.session.commit()
    # when
    total = db.session.scalar(sa.select(sa.func.sum(Order.total)).where(Order.id.in_([a.id, b.id])))
    # then
    assert isinstance(total, Decimal)
    assert total == D("0.30")


def test_sum_of_many_cents_is_exact(db, shop):
    order = factories.make_order(shop.branch1, lines=[("0.10", 1)] * 30, delivery_fee="0.00")
    db.session.commit()
    total = db.session.scalar(sa.select(sa.func.sum(OrderItem.line_total)).where(OrderItem.order_id == order.id))
    assert total == D("3.00")
    assert _read_back(db, order.id).total == D("3.00")


def test_largest_amounts_survive_the_database(db, shop):
    order = factories.make_order(shop.branch1, lines=(("9999999949.99", 1),), delivery_fee="50.00")
    order.payments.append(Payment(provider=PaymentProvider.EFT, amount=order.total, currency="ZAR",
                                  status=PaymentState.COMPLETED))
    db.session.commit()
    stored = _read_back(db, order.id)
    assert stored.total == D("9999999999.99")
    paid = db.session.scalar(sa.select(Payment.amount).where(Payment.order_id == order.id))
    assert paid == D("9999999999.99") and isinstance(paid, Decimal)


# --- totals from the factory add up --------------------------------------------------------------

def test_order_totals_add_up_after_a_round_trip(db, shop):
    # given: three lines with awkward cents and a delivery fee
    order = factories.make_order(shop.branch1, lines=(("19.99", 3), ("0.10", 1), ("0.20", 1)), delivery_fee="49.95",
                                 paid=True)
    db.session.commit()
    db.session.expire_all()
    # when
    items = order.items
    # then
    assert [i.line_total for i in items] == [D("59.97"), D("0.10"), D("0.20")]
    assert order.subtotal == sum((i.line_total for i in items), D("0")) == D("60.27")
    assert order.tax_total == sum((i.tax_amount for i in items), D("0"))
    assert order.tax_total == D("7.82") + D("0.01") + D("0.03")  # 15/115 of each line, rounded per line
    assert order.total == order.subtotal + order.delivery_fee - order.discount_total == D("110.22")
    assert order.paid_total == order.total and order.is_fully_paid
    assert all(isinstance(v, Decimal) for v in (order.subtotal, order.tax_total, order.delivery_fee, order.total))


# --- amounts in the order filter ------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [("199.95", D("199.95")), ("10", D("10.00")), ("0.1", D("0.10")), ("0", D("0.00")),
     ("9999999999.99", D("9999999999.99")), (" 42.5 ", D("42.50"))],
)
def test_filter_totals_are_decimal(raw, expected):
    f = parse_order_filter(MultiDict({"total_min": raw, "total_max": raw}))
    assert f.is_valid, f.errors
    for value in (f.total_min, f.total_max):
        assert type(value) is Decimal
        assert value == expected
        assert value.as_tuple().exponent == -2  # cents, not float-ish digits


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-5", "-0.01", "abc",
                                 "10000000000", "1e10", "12.3.4"])
@pytest.mark.parametrize("name", ["total_min", "total_max"])
def test_filter_rejects_amounts_that_are_not_money(name, raw):
    f = parse_order_filter(MultiDict({name: raw}))
    assert not f.is_valid
    assert name in f.errors
    assert "amount such as 199.95" in f.errors[name]
    assert getattr(f, name) is None


def test_filter_minimum_above_maximum_is_an_error():
    f = parse_order_filter(MultiDict({"total_min": "100", "total_max": "99.99"}))
    assert f.errors == {"total_max": "Maximum total is below the minimum."}


def test_filter_amounts_round_trip_through_the_url():
    f = parse_order_filter(MultiDict({"total_min": "5", "total_max": "100.5"}))
    assert ("total_min", "5.00") in f.to_args() and ("total_max", "100.50") in f.to_args()
    again = parse_order_filter(MultiDict(f.to_args()))
    assert (again.total_min, again.total_max) == (D("5.00"), D("100.50"))


def test_filter_totals_compare_to_the_cent_in_sql(db, shop):
    # given
    cheap = factories.make_order(shop.branch1, lines=(("100.00", 1),), delivery_fee="0.00")
    dearer = factories.make_order(shop.branch1, lines=(("100.01", 1),), delivery_fee="0.00")
    db.session.commit()
    # when
    f = parse_order_filter(MultiDict({"total_min": "100.01"}))
    found = set(db.session.scalars(apply_filter(sa.select(Order.id), f)))
    g = parse_order_filter(MultiDict({"total_max": "100.00"}))
    found_max = set(db.session.scalars(apply_filter(sa.select(Order.id), g)))
    # then
    assert found == {dearer.id}
    assert found_max == {cheap.id}
