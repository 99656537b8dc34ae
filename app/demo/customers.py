"""The two demo customers who sign in to the customer app, and what they find there.

``customer@demo.test`` (Thandi Nkosi, from ``app.demo.base``) and ``second@demo.test`` (both ``demo-customer``).
Besides the orders the shop gives the demo customer at random (every status), their stories are planned here so
the API has something to show for every endpoint: a cash-on-delivery order that can still be cancelled, a paid one
that cannot, delivered orders whose items can be returned (inside the return window), tracking with a courier and
its events, and a basket with items. The second customer has a few orders of their own (isolation between
customers can be tried by hand) and a basket holding one of the variants with only 1 or 2 left in stock, which
the demo customer's basket holds too (a race between two buyers for the last unit).
"""
from __future__ import annotations

import random

import sqlalchemy as sa

from app.demo.base import make_address
from app.demo.story import Plan
from app.extensions import db
from app.models import Basket, Customer, CustomerAddress, PaymentProvider, ProductVariant
from app.orders.status import OrderStatus

O = OrderStatus
SECOND_CUSTOMER = ("second@demo.test", "Pieter van Wyk", "+27 83 555 0200")  # password: the demo customer's
ACCOUNTS = 2  # the demo customer and the second one lead the shop's customer list; neither is a random buyer
RETURNABLE_AGE = (8.0, 16.0)  # days: delivered a few days after placing, well inside a 30-day return window
SCARCE = 6  # variants left with a stock of 1 or 2


def account_plans() -> list[Plan]:
    """Orders the two demo accounts always have (the shop adds the demo customer's random ones)."""
    card, cod = PaymentProvider.CARD, PaymentProvider.COD
    return [
        Plan(O.ORDERED, cod, "pending", buyer="demo"),  # cash on delivery, not packed: can be cancelled
        Plan(O.PROCESSING, cod, "pending", buyer="demo"),  # being picked, still cancellable
        Plan(O.ORDERED, card, "completed", buyer="demo"),  # paid online: cancelling says "request a return"
        Plan(O.DELIVERY_READY, cod, "pending", buyer="demo"),  # packed: too late to cancel
        Plan(O.PARTIALLY_FULFILLED, card, buyer="demo", courier=True),  # on its way: tracking with courier events
        Plan(O.FULFILLED, card, buyer="demo", age=RETURNABLE_AGE, courier=True),  # returnable
        Plan(O.FULFILLED, cod, buyer="demo", age=RETURNABLE_AGE),  # returnable, paid in cash at the door
        Plan(O.ORDERED, cod, "pending", buyer="second"),
        Plan(O.PROCESSING, card, buyer="second"),
        Plan(O.FULFILLED, card, buyer="second", age=RETURNABLE_AGE, courier=True),
        Plan(O.CANCELLED, card, "failed", buyer="second"),
    ]


def ensure_second_customer(demo: Customer, seed: int) -> Customer:
    """The second demo customer (same password as the demo customer: its hash is copied, one slow hash)."""
    email, name, phone = SECOND_CUSTOMER
    customer = db.session.scalar(sa.select(Customer).where(Customer.email == email))
    if customer is None:
        rng = random.Random(f"{seed}-second-customer")
        customer = Customer(name=name, email=email, phone=phone, password_hash=demo.password_hash)
        first, last = name.split(" ", 1)
        customer.addresses.append(CustomerAddress(**make_address(rng, first, last, phone, email, "Gauteng",
                                                                 company=False)))
        db.session.add(customer)
        db.session.flush()
    return customer


def buyer_of(plan: Plan, accounts: list[Customer]) -> Customer | None:
    return {"demo": accounts[0], "second": accounts[1]}.get(plan.buyer or "")


def fill_baskets(accounts: list[Customer], variants: list[ProductVariant], seed: int) -> None:
    """A few variants down to 1 or 2 in stock, and an open basket for each account: the demo customer's holds
    three lines (one of them scarce), the second's holds that same scarce variant. Flushes."""
    rng = random.Random(f"{seed}-baskets")
    in_stock = [v for v in variants if v.stock >= 5]
    scarce = rng.sample(in_stock, SCARCE)
    for n, variant in enumerate(scarce):
        variant.stock = 1 + n % 2
    contested = scarce[0]  # stock 1: two buyers, one unit
    a, b, c = rng.sample([v for v in in_stock if v not in scarce], 3)
    lines = {accounts[0].id: [(contested, 1), (a, 2), (b, 1)], accounts[1].id: [(contested, 1), (c, 1)]}
    for customer in accounts:
        if db.session.scalar(sa.select(Basket.id).where(Basket.customer_id == customer.id, Basket.status == "OPEN")):
            continue
        db.session.add(Basket(reference=f"BSK-DEMO-{customer.id:06d}", customer_id=customer.id, status="OPEN",
                              items=[{"variant_id": v.id, "quantity": q} for v, q in lines[customer.id]]))
    db.session.flush()
