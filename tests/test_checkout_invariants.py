"""Checkout under pressure: money invariants and stock that never goes negative (hypothesis, through the domain
function), and two buyers of the last unit at once on PostgreSQL (threads, real connections): exactly one order."""
from __future__ import annotations

import os
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.customers import basket as baskets
from app.customers.checkout import CheckoutRequest, PaymentIn, checkout
from app.exceptions import OutOfStock
from app.models import Basket, Order, PaymentProvider, PaymentState, ProductVariant
from app.orders.pricing import delivery_tax
from app.orders.status import DeliveryMethod, FulfilmentMethod
from tests.factories import make_customer, make_variant

SECRET = "test-secret"
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2500.00"), places=2)


def _basket(customer, lines: list[tuple[ProductVariant, int]]) -> Basket:
    basket = Basket(reference=f"BSK-T{customer.id}-{len(lines)}-{id(lines)}", customer_id=customer.id, status="OPEN",
                    items=[{"variant_id": v.id, "quantity": q} for v, q in lines])
    from app.extensions import db

    db.session.add(basket)
    db.session.flush()
    return basket


def _request(basket: Basket, branch_id: int, *, fulfilment="DELIVERY", delivery="STANDARD") -> CheckoutRequest:
    lines = baskets.basket_lines(basket)
    return CheckoutRequest(
        basket_reference=basket.reference, signature=baskets.signature(basket.reference, lines, secret_key=SECRET),
        fulfilment=FulfilmentMethod(fulfilment), delivery=DeliveryMethod(delivery), branch_id=branch_id,
        payment=PaymentIn(PaymentProvider.COD, PaymentState.PENDING), address_id=None,
        shipping_address={"line1": "1 Main Road", "city": "Cape Town"}, fingerprint="f")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stocks=st.lists(st.integers(0, 6), min_size=1, max_size=4), data=st.data())
def test_checkouts_keep_money_and_stock_consistent(db, shop, stocks, data):
    """A run of checkouts by different customers over a few variants: every order adds up, a checkout that wants
    more than is left is refused whole, stock never goes negative, and what was sold plus what is left is what
    there was."""
    try:
        variants = [make_variant(str(data.draw(prices)), stock=s) for s in stocks]
        sold = {v.id: 0 for v in variants}
        for _ in range(data.draw(st.integers(1, 5))):
            wanted = data.draw(st.lists(st.tuples(st.sampled_from(variants), st.integers(1, 4)), min_size=1,
                                        max_size=4, unique_by=lambda t: t[0].id))
            method = data.draw(st.sampled_from([("DELIVERY", "STANDARD"), ("DELIVERY", "EXPRESS"),
                                                ("COLLECTION", "STANDARD")]))
            customer = make_customer()
            basket = _basket(customer, wanted)
            left = {v.id: db.session.scalar(sa.select(ProductVariant.stock).where(ProductVariant.id == v.id))
                    for v, _q in wanted}
            try:
                with db.session.begin_nested():
                    order = checkout(customer, _request(basket, shop.branch1.id, fulfilment=method[0],
                                                        delivery=method[1]), secret_key=SECRET).order
            except OutOfStock:
                assert any(q > left[v.id] for v, q in wanted)
                continue
            assert all(q <= left[v.id] for v, q in wanted)
            for v, q in wanted:
                sold[v.id] += q
            # total = items − discount + delivery fee; the tax adds up; the payment is the total
            assert order.subtotal == sum(i.line_total for i in order.items)
            assert order.total == order.subtotal - order.discount_total + order.delivery_fee
            assert order.tax_total == sum(i.tax_amount for i in order.items) + delivery_tax(order.delivery_fee)
            assert order.payments[0].amount == order.total
            if method[0] == "COLLECTION":
                assert order.delivery_fee == 0
        for v, initial in zip(variants, stocks):
            now = db.session.scalar(sa.select(ProductVariant.stock).where(ProductVariant.id == v.id))
            assert now >= 0 and now + sold[v.id] == initial
    finally:
        db.session.rollback()


def test_two_buyers_of_the_last_unit_get_exactly_one_order(app, db, shop, api):
    """PostgreSQL only: SQLite serialises writers and would hide the race."""
    if not os.environ.get("TEST_DATABASE_URL_RESOLVED", "").startswith("postgresql"):
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    # given: one unit left, in two customers' baskets
    last = make_variant("250.00", stock=1, sku="LAST-ONE", name="Last One")
    make_customer("first@shop.test")
    make_customer("second@shop.test")
    db.session.commit()
    bodies = {}
    for email in ("first@shop.test", "second@shop.test"):
        token = api.token(email)
        basket = api.put("/api/v1/customer/basket/items?fulfilment_method=COLLECTION", token,
                         json={"variant_id": last.id, "quantity": 1})
        data = basket.get_json()["data"]
        bodies[token] = {"basket_reference": data["reference"], "signature": data["signature"],
                         "fulfilment_method": "COLLECTION", "branch_id": shop.branch1.id,
                         "payment": {"provider": "CARD", "status": "completed", "amount": data["total"]}}
    # when: both check out at the same moment, each request with its own app context, session and connection
    start = threading.Barrier(len(bodies))
    answers = []

    def buy(token, body):
        client = app.test_client()
        start.wait()
        answers.append(client.post("/api/v1/customer/checkout", json=body,
                                   headers={"Authorization": f"Bearer {token}"}))

    threads = [threading.Thread(target=buy, args=item) for item in bodies.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert sorted(a.status_code for a in answers) == [201, 409], [a.get_json() for a in answers]
    refused = next(a for a in answers if a.status_code == 409).get_json()
    assert "LAST-ONE" in refused["message"] and refused["code"] == "out_of_stock"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 1
    assert db.session.get(ProductVariant, last.id).stock == 0
