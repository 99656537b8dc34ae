"""The VAT of an order per rate (app/orders/tax.py): examples and properties."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.orders.tax import included_tax, spread, tax_breakdown

D = Decimal


@dataclass
class Line:
    line_total: Decimal
    tax_rate: Decimal = D("15.00")


def test_no_discount_vat_is_the_part_of_each_rate_inside_the_price():
    result = tax_breakdown([Line(D("115.00")), Line(D("100.00"), D("0.00"))], discount=D("0"), delivery_fee=D("0"))
    assert [(t.key, t.percentage, t.gross, t.tax) for t in result.lines] == [
        ("VAT", "15.00%", D("115.00"), D("15.00")), ("VAT", "0.00%", D("100.00"), D("0.00"))]
    assert result.total == D("15.00")


def test_discount_lowers_the_vat_of_what_is_actually_paid():
    # given R230 of goods at 15% and a R23 discount: the customer pays R207 for goods
    result = tax_breakdown([Line(D("115.00")), Line(D("115.00"))], discount=D("23.00"), delivery_fee=D("0"))
    # then the VAT is inside R207, not inside R230
    assert result.lines[0].gross == D("207.00") and result.total == D("27.00")
    assert result.line_discounts == (D("11.50"), D("11.50"))


def test_discount_is_spread_over_rates_in_proportion():
    result = tax_breakdown([Line(D("300.00"), D("15")), Line(D("100.00"), D("0"))], discount=D("40.00"),
                           delivery_fee=D("0"))
    assert [t.gross for t in result.lines] == [D("270.00"), D("90.00")]
    assert result.lines[0].tax == included_tax(D("270.00"), D("15")) == D("35.22")


def test_delivery_fee_vat_is_its_own_line():
    result = tax_breakdown([Line(D("115.00"))], discount=D("0"), delivery_fee=D("65.00"))
    assert [(t.key, t.tax) for t in result.lines] == [("VAT", D("15.00")), ("VAT (delivery)", D("8.48"))]
    assert result.total == D("23.48")
    untaxed = tax_breakdown([Line(D("115.00"))], discount=D("0"), delivery_fee=D("65.00"), delivery_tax_rate=D("0"))
    assert [t.key for t in untaxed.lines] == ["VAT"]


def test_spread_gives_leftover_cents_to_the_largest_remainders():
    assert spread(D("0.10"), [D("1"), D("1"), D("1")]) == [D("0.04"), D("0.03"), D("0.03")]
    assert spread(D("10.00"), [D("0"), D("0")]) == [D("0"), D("0")]


def test_a_discount_larger_than_the_goods_is_capped_at_the_goods():
    result = tax_breakdown([Line(D("50.00"))], discount=D("80.00"), delivery_fee=D("0"))
    assert result.lines[0].gross == D("0.00") and result.total == D("0.00")


def test_demo_and_factory_orders_get_vat_after_discount(shop, db):
    from tests.factories import make_order

    order = make_order(shop.branch1, lines=(("115.00", 2),), delivery_fee="0.00", discount_total=D("23.00"))
    from app.orders.tax import order_tax

    assert order_tax(order).total == D("27.00")  # inside R207, where the stored tax_total says 30.00


money = st.integers(min_value=0, max_value=10_000_00).map(lambda c: D(c) / 100)
rates = st.sampled_from([D("0"), D("5"), D("14"), D("15"), D("25")])


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.tuples(money, rates), min_size=1, max_size=8), discount_share=st.integers(0, 100),
       fee=money, fee_rate=rates)
def test_parts_add_up_and_shares_stay_within_their_lines(lines, discount_share, fee, fee_rate):
    items = [Line(total, rate) for total, rate in lines]
    goods = sum((i.line_total for i in items), D("0"))
    discount = (goods * discount_share / 100).quantize(D("0.01"))
    result = tax_breakdown(items, discount=discount, delivery_fee=fee, delivery_tax_rate=fee_rate)
    # the discount shares add up to the discount and never exceed their line
    assert sum(result.line_discounts, D("0")) == discount
    assert all(D("0") <= s <= i.line_total for s, i in zip(result.line_discounts, items))
    # what is taxed is exactly what is paid: goods after discount, plus the fee when it is taxed
    taxed_fee = fee if fee and fee_rate else D("0")
    assert sum((t.gross for t in result.lines), D("0")) == goods - discount + taxed_fee
    # the parts add up to the total to the cent; each part is the VAT inside its gross amount, rounded per line
    # as the pricing module rounds it (so at most a cent per line away from rounding the sum once)
    assert result.total == sum((t.tax for t in result.lines), D("0"))
    for t in result.lines:
        assert abs(t.tax - included_tax(t.gross, t.rate)) <= D("0.01") * len(items) and D("0") <= t.tax <= t.gross
        assert t.tax.as_tuple().exponent == -2
    assert len({(t.key, t.rate) for t in result.lines}) == len(result.lines)
