"""The pricing module: VAT inside VAT-inclusive prices, delivery fee rules (configuration), discounts spread over
the lines, and totals that always add up (hypothesis)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.orders.pricing import DeliveryRules, Line, delivery_fee, included_tax, price_basket

D = Decimal
RULES = DeliveryRules()


def test_included_tax_is_the_vat_inside_the_price():
    assert included_tax(D("115.00")) == D("15.00")
    assert included_tax(D("100.00")) == D("13.04")
    assert included_tax(D("100.00"), D("0")) == D("0.00")


@pytest.mark.parametrize("subtotal, fulfilment, delivery, currency, fee", [
    ("100.00", "COLLECTION", "STANDARD", "ZAR", "0.00"),
    ("100.00", "DELIVERY", "STANDARD", "ZAR", "65.00"),
    ("100.00", "DELIVERY", "EXPRESS", "ZAR", "120.00"),
    ("1499.99", "DELIVERY", "EXPRESS", "ZAR", "120.00"),
    ("1500.00", "DELIVERY", "EXPRESS", "ZAR", "0.00"),
    ("10.00", "DELIVERY", "STANDARD", "USD", "3.51"),  # R65 / 18.50
])
def test_delivery_fee_rules(subtotal, fulfilment, delivery, currency, fee):
    assert delivery_fee(D(subtotal), currency=currency, fulfilment=fulfilment, delivery=delivery,
                        rules=RULES) == D(fee)


def test_delivery_fees_are_configuration(app):
    with app.app_context():
        app.config.update(DELIVERY_FEE_STANDARD="49.90", FREE_DELIVERY_FROM="500")
        try:
            assert delivery_fee(D("100"), currency="ZAR", fulfilment="DELIVERY", delivery="STANDARD") == D("49.90")
            assert delivery_fee(D("500"), currency="ZAR", fulfilment="DELIVERY", delivery="STANDARD") == D("0.00")
        finally:
            app.config.update(DELIVERY_FEE_STANDARD="65.00", FREE_DELIVERY_FROM="1500.00")


def test_a_priced_basket():
    priced = price_basket([Line(2, D("100.00")), Line(1, D("50.00"), tax_rate=D("0"))], currency="ZAR",
                          fulfilment="DELIVERY", delivery="STANDARD", order_discount=D("25.00"), rules=RULES)
    assert [p.line_total for p in priced.lines] == [D("200.00"), D("50.00")]
    assert [p.order_discount for p in priced.lines] == [D("20.00"), D("5.00")]
    assert [p.tax_amount for p in priced.lines] == [included_tax(D("180.00")), D("0.00")]
    assert priced.delivery_fee == D("65.00") and priced.delivery_tax == D("8.48")
    assert priced.tax_total == D("23.48") + D("8.48")
    assert priced.total == D("290.00")


# --- invariants ---------------------------------------------------------------------------------------

money = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2, allow_nan=False, allow_infinity=False)
lines = st.lists(st.builds(Line, quantity=st.integers(1, 50), unit_price=money,
                           tax_rate=st.sampled_from([D("0"), D("15.00"), D("7.50")])), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(lines=lines, discount=st.decimals(min_value=0, max_value=D("999999.99"), places=2),
       percent=st.integers(0, 100), fulfilment=st.sampled_from(["DELIVERY", "COLLECTION"]),
       delivery=st.sampled_from(["STANDARD", "EXPRESS"]), currency=st.sampled_from(["ZAR", "USD", "EUR"]))
def test_totals_always_add_up(lines, discount, percent, fulfilment, delivery, currency):
    p = price_basket(lines, currency=currency, fulfilment=fulfilment, delivery=delivery, order_discount=discount,
                     discount_percent=percent, rules=RULES)
    assert p.subtotal == sum(x.line_total for x in p.lines)
    assert p.total == p.subtotal - p.discount + p.delivery_fee  # total = items − discount + delivery fee
    assert D("0.00") <= p.discount <= p.subtotal and p.total >= p.delivery_fee >= 0
    assert sum(x.order_discount for x in p.lines) == p.discount  # the discount is spread exactly
    assert all(D("0") <= x.order_discount <= x.line_total for x in p.lines)
    assert p.tax_total == sum(x.tax_amount for x in p.lines) + p.delivery_tax  # the tax split adds up
    assert all(D("0") <= x.tax_amount <= x.line_total - x.order_discount for x in p.lines)
    assert all(v == v.quantize(D("0.01")) for v in (p.subtotal, p.discount, p.delivery_fee, p.tax_total, p.total))
