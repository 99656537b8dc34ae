"""The demo shop and the bulk generator: deterministic, internally consistent, and quick enough to load here.

Most checks read one small demo shop loaded once for the module (``demo``): it is loaded, read into memory
and the tables emptied again straight away, so the tests that use the ordinary ``db`` fixture never see it.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.demo import DEMO_ORDERS, bulk, load_demo_shop
from app.models import (
    ActorType, Basket, Branch, Customer, InvoiceSequence, Order, OrderEvent, OrderEventType, OrderItem, Parcel,
    Payment, PaymentProvider, PaymentState, ProductVariant, Quote, Refund, ReturnRequest, SalesChannel, StaffUser,
    Voucher, WalletEntry,
)
from app.customers.actions import PAID, cancel_refusal, delivery_times, return_refusal
from app.models.types import utcnow
from app.orders.invoices import invoice_year
from app.orders.pricing import Line, delivery_tax, price_basket
from app.orders.status import (
    CUSTOMER_APP_STATUS, FulfilmentMethod, ItemStatus, OrderStatus, PaymentStatus, derive_payment_status,
)
from app.orders.tax import order_tax
from app.parcels.status import HANDED_OVER, ParcelStatus
from app.quotes.status import QuoteStatus
from app.refunds.status import RefundDestination, RefundScenario, RefundStatus
from tests.conftest import _empty_all_tables

O = OrderStatus
SMALL = 400  # orders in the module's shop: every story is represented, and it loads in a couple of seconds
SEED = 7
STATUS_EVENTS = (OrderEventType.PLACED, OrderEventType.IMPORTED, OrderEventType.STATUS_CHANGED)


@dataclass
class Shop:
    """Everything a demo load wrote, read back through the ORM and detached from the session."""

    summary: str
    orders: list[Order]
    parcels: list[Parcel]
    refunds: list[Refund]
    wallet: list[WalletEntry]
    vouchers: list[Voucher]
    returns: list[ReturnRequest]
    quotes: list[Quote]
    customers: int
    branches: dict[int, str]
    demo_customer_id: int
    second_customer_id: int
    baskets: list[Basket]
    stock: dict[int, int]  # variant id -> stock

    def parcels_of(self, order: Order) -> list[Parcel]:
        return self._by_order("_parcels", self.parcels, lambda p: {pi.order_id for pi in p.items}).get(order.id, [])

    def refunds_of(self, order: Order) -> list[Refund]:
        return self._by_order("_refunds", self.refunds, lambda r: {r.order_id}).get(order.id, [])

    def _by_order(self, cache: str, rows: list, order_ids) -> dict[int, list]:
        if cache not in self.__dict__:
            index = defaultdict(list)
            for row in rows:
                for order_id in order_ids(row):
                    index[order_id].append(row)
            self.__dict__[cache] = index
        return self.__dict__[cache]


def read_shop(db, summary: str) -> Shop:
    session = db.session
    session.expire_all()
    shop = Shop(
        summary=summary,
        orders=list(session.scalars(sa.select(Order).order_by(Order.id).options(
            selectinload(Order.items), selectinload(Order.payments), selectinload(Order.events)))),
        parcels=list(session.scalars(sa.select(Parcel).options(selectinload(Parcel.items),
                                                               selectinload(Parcel.events)))),
        refunds=list(session.scalars(sa.select(Refund).options(selectinload(Refund.items)))),
        wallet=list(session.scalars(sa.select(WalletEntry))),
        vouchers=list(session.scalars(sa.select(Voucher))),
        returns=list(session.scalars(sa.select(ReturnRequest).options(selectinload(ReturnRequest.items)))),
        quotes=list(session.scalars(sa.select(Quote).options(selectinload(Quote.lines), selectinload(Quote.events)))),
        customers=session.scalar(sa.select(sa.func.count(Customer.id))),
        branches={b.id: b.code for b in session.scalars(sa.select(Branch))},
        demo_customer_id=session.scalar(sa.select(Customer.id).where(Customer.email == "customer@demo.test")),
        second_customer_id=session.scalar(sa.select(Customer.id).where(Customer.email == "second@demo.test")),
        baskets=list(session.scalars(sa.select(Basket))),
        stock=dict(session.execute(sa.select(ProductVariant.id, ProductVariant.stock)).all()),
    )
    session.expunge_all()
    return shop


@pytest.fixture(scope="module")
def demo(app):
    from app.extensions import db

    with app.app_context():
        shop = read_shop(db, load_demo_shop(seed=SEED, demo_orders=SMALL, echo=lambda _m: None))
        db.session.remove()
        _empty_all_tables(db)
    return shop


def paid(order: Order) -> Decimal:
    return sum((p.amount for p in order.payments if p.status == PaymentState.COMPLETED), Decimal("0.00"))


# --- the shop as a whole ---------------------------------------------------------------------------

def test_summary_and_counts(demo):
    assert demo.summary.startswith(f"Demo shop: {SMALL:,} orders")
    assert len(demo.orders) == SMALL
    assert demo.customers == 500
    assert sorted(demo.branches.values()) == ["CPT", "JHB", "STB"]
    assert len({o.code for o in demo.orders}) == SMALL
    assert all(re.fullmatch(r"ORD-\d{4}-\d{6}", o.code) for o in demo.orders)


def test_every_status_channel_method_and_payment_status_is_present(demo):
    assert {o.status for o in demo.orders} == set(OrderStatus)
    assert {o.channel for o in demo.orders} == set(SalesChannel)
    assert {o.fulfilment_method for o in demo.orders} == set(FulfilmentMethod)
    assert {o.payment_status for o in demo.orders} == set(PaymentStatus)
    assert {"ZAR", "USD", "EUR"} <= {o.currency for o in demo.orders}
    assert any(o.has_gift_box and o.gift_box_note for o in demo.orders)


def test_channel_orders_have_unique_external_references(demo):
    channel_orders = [o for o in demo.orders if o.channel != SalesChannel.INTERNAL]
    assert all(o.external_reference for o in channel_orders)
    assert len({(o.channel, o.external_reference) for o in channel_orders}) == len(channel_orders)
    assert all(o.external_reference is None for o in demo.orders if o.channel == SalesChannel.INTERNAL)
    for order in demo.orders:  # a channel collects its own orders' money, and only those
        through_channel = {p.provider == PaymentProvider.CHANNEL for p in order.payments}
        assert through_channel == {order.channel != SalesChannel.INTERNAL}, order.code


def test_buyer_details_and_addresses_are_copied_onto_orders(demo):
    for order in demo.orders:
        assert order.customer_name and order.customer_email
        assert order.shipping_address["line1"] and order.shipping_address["city"]
        assert set(order.billing_address) >= {"first_name", "last_name", "postcode", "tax_number"}
        assert order.updated_at >= order.created_at


def test_every_refund_quote_parcel_and_return_state_is_present(demo):
    assert {r.status for r in demo.refunds} == set(RefundStatus)
    assert {r.scenario for r in demo.refunds} == set(RefundScenario)
    assert {r.destination for r in demo.refunds} == set(RefundDestination)
    assert {q.status for q in demo.quotes} == set(QuoteStatus)
    assert {p.status for p in demo.parcels} >= {ParcelStatus.OPEN, ParcelStatus.PACKED, ParcelStatus.READY,
                                                ParcelStatus.IN_TRANSIT, ParcelStatus.DELIVERED,
                                                ParcelStatus.COLLECTED, ParcelStatus.RETURNED}
    assert {r.status.value for r in demo.returns} == {"REQUESTED", "APPROVED", "REJECTED", "RECEIVED", "REFUNDED"}


# --- money -----------------------------------------------------------------------------------------

def test_money_adds_up_on_every_order(demo):
    """Every order is priced as a checkout prices it (app.orders.pricing)."""
    for order in demo.orders:
        for item in order.items:
            assert isinstance(item.line_total, Decimal)
            assert item.line_total == item.unit_price * item.quantity
        assert order.subtotal == sum(i.line_total for i in order.items)
        assert order.total == order.subtotal - order.discount_total + order.delivery_fee, order.code
        assert order.tax_total == sum(i.tax_amount for i in order.items) + delivery_tax(order.delivery_fee)
        priced = price_basket([Line(i.quantity, i.unit_price, i.tax_rate) for i in order.items],
                              currency=order.currency, fulfilment=order.fulfilment_method.value,
                              delivery=order.delivery_method.value, order_discount=order.discount_total)
        assert [p.tax_amount for p in priced.lines] == [i.tax_amount for i in order.items], order.code
        assert (priced.subtotal, priced.discount, priced.delivery_fee, priced.tax_total, priced.total) == (
            order.subtotal, order.discount_total, order.delivery_fee, order.tax_total, order.total), order.code
        # the e-bill's and the order summary's VAT per rate add up to what the order page shows
        assert order_tax(order).total == order.tax_total, order.code
        if order.fulfilment_method == FulfilmentMethod.COLLECTION:
            assert order.delivery_fee == 0


def check_invoice_numbers(orders, codes: dict[int, str], sequences: dict | None = None) -> None:
    """Every order got its invoice number when placed: ``<branch>-<local year>-<n>``, numbered 1, 2, 3 ... per
    branch and year in the order they were placed (and the stored sequences carry on after the last one)."""
    numbered = defaultdict(list)
    for order in sorted(orders, key=lambda o: (o.created_at, o.id)):
        code, year, n = order.invoice_number.rsplit("-", 2)
        assert code == codes[order.branch_id] and int(year) == invoice_year(order.created_at), order.code
        assert len(n) == 6 and order.invoice_date is not None
        numbered[(order.branch_id, int(year))].append(int(n))
    for key, numbers in numbered.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
        if sequences is not None:
            assert sequences[key] == len(numbers)


def test_invoice_numbers_follow_checkouts_numbering(demo):
    check_invoice_numbers(demo.orders, demo.branches)
    in_time_order = defaultdict(list)  # one load numbers orders in the order they were placed
    for order in sorted(demo.orders, key=lambda o: (o.created_at, o.id)):
        in_time_order[order.invoice_number[:-7]].append(order.invoice_number)
    assert all(numbers == sorted(numbers) for numbers in in_time_order.values())


def latest_state(order: Order) -> str | None:
    return order.payments[0].status.value if order.payments else None  # payments are newest first


def test_payment_status_is_what_the_payments_say(demo):
    for order in demo.orders:
        assert order.payment_status == derive_payment_status(order.total, paid(order), order.refunded_total,
                                                             latest_state(order),
                                                             cancelled=order.status == O.CANCELLED), order.code


def test_refunds_follow_their_scenario(demo):
    orders = {o.id: o for o in demo.orders}
    for refund in demo.refunds:
        order = orders[refund.order_id]
        assert refund.total == refund.items_amount + refund.delivery_fee_amount
        expected_fee = order.delivery_fee if refund.scenario.refunds_delivery_fee else Decimal("0.00")
        assert refund.delivery_fee_amount == expected_fee, refund.code
        if refund.items:
            assert sum(ri.amount for ri in refund.items) == refund.items_amount
        assert (refund.completed_at is not None) == (refund.status == RefundStatus.COMPLETED)
    for order in demo.orders:
        completed = sum((r.total for r in demo.refunds_of(order) if r.status == RefundStatus.COMPLETED),
                        Decimal("0.00"))
        assert order.refunded_total == completed, order.code


def test_refunded_orders_gave_back_what_was_paid(demo):
    refunded = [o for o in demo.orders if o.status == O.REFUNDED]
    partly = [o for o in demo.orders if o.status == O.PARTIALLY_REFUNDED]
    assert refunded and partly
    for order in refunded:
        assert paid(order) > 0 and order.refunded_total == paid(order), order.code
        assert order.payment_status == PaymentStatus.REFUNDED
    for order in partly:
        assert 0 < order.refunded_total < paid(order), order.code
        assert order.payment_status == PaymentStatus.PARTIALLY_REFUNDED


def test_wallet_credits_and_vouchers_come_from_completed_refunds(demo):
    refunds = {r.id: r for r in demo.refunds}
    for entry in demo.wallet:
        refund = refunds[entry.refund_id]
        assert refund.destination == RefundDestination.WALLET and refund.status == RefundStatus.COMPLETED
        assert entry.amount == refund.total and entry.customer_id is not None
    for voucher in demo.vouchers:
        refund = refunds[voucher.refund_id]
        assert refund.destination == RefundDestination.VOUCHER and voucher.amount == refund.total
    completed = [r for r in demo.refunds if r.status == RefundStatus.COMPLETED]
    assert len(demo.wallet) == sum(r.destination == RefundDestination.WALLET for r in completed)
    assert len(demo.vouchers) == sum(r.destination == RefundDestination.VOUCHER for r in completed)


# --- status and parcels ----------------------------------------------------------------------------

def test_fulfilled_orders_were_handed_over_and_paid(demo):
    for order in (o for o in demo.orders if o.status == O.FULFILLED):
        parcels = demo.parcels_of(order)
        assert parcels and all(p.status in HANDED_OVER for p in parcels), order.code
        wanted = ParcelStatus.COLLECTED if order.fulfilment_method == FulfilmentMethod.COLLECTION \
            else ParcelStatus.DELIVERED
        assert {p.status for p in parcels} == {wanted}
        shipped = Counter()
        for parcel in parcels:
            for pi in parcel.items:
                shipped[pi.order_item_id] += pi.quantity
        assert all(shipped[i.id] == i.quantity for i in order.items), order.code
        assert order.fulfilled_at is not None
        if order.payment_status == PaymentStatus.DISPUTED:  # a chargeback after delivery
            assert order.payments[0].status == PaymentState.DISPUTED
            continue
        assert order.payments[0].status == PaymentState.COMPLETED  # newest first: the one that went through
        assert paid(order) >= order.total


def test_parcels_match_each_status(demo):
    for order in demo.orders:
        parcels = demo.parcels_of(order)
        if order.status in (O.ORDERED, O.PROCESSING):
            assert not parcels, order.code
        elif order.status == O.DELIVERY_READY:
            assert parcels and {p.status for p in parcels} <= {ParcelStatus.OPEN, ParcelStatus.PACKED,
                                                               ParcelStatus.READY}
        elif order.status == O.PARTIALLY_FULFILLED:
            handed = [p for p in parcels if p.status in HANDED_OVER]
            assert handed and len(handed) < len(parcels), order.code
        elif order.status == O.CANCELLED:
            assert all(p.status not in (PaymentState.PENDING, PaymentState.AUTHORIZED) for p in order.payments)


def test_cancelled_orders_say_why(demo):
    for order in (o for o in demo.orders if o.status in (O.CANCELLED, O.REFUNDED, O.PARTIALLY_REFUNDED)):
        cancels = [e for e in order.events if e.to_status == O.CANCELLED.value]
        assert all(e.message for e in cancels), order.code


def test_paid_orders_are_cancelled_by_their_refund_after_the_money_went_back(demo):
    cancelled_paid = 0
    for order in demo.orders:
        timeline = sorted(order.events, key=lambda e: e.id)
        cancel = next((e for e in timeline if e.type == OrderEventType.STATUS_CHANGED
                       and e.to_status == O.CANCELLED.value), None)
        if cancel is None:
            continue
        assert all(i.status.value != "ACTIVE" for i in order.items), order.code
        assert order.payment_status not in (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED), order.code
        if paid(order):
            cancelled_paid += 1
            refunded = [e for e in timeline if e.type == OrderEventType.REFUND and e.to_status == "COMPLETED"]
            assert refunded and refunded[0].id < cancel.id, order.code
    assert cancelled_paid  # the S1 and S2 stories


def test_every_timeline_ends_in_the_order_status(demo):
    for order in demo.orders:
        timeline = sorted(order.events, key=lambda e: e.id)
        assert timeline[0].type in (OrderEventType.PLACED, OrderEventType.IMPORTED)
        assert [e.created_at for e in timeline] == sorted(e.created_at for e in timeline), order.code
        status_events = [e for e in timeline if e.type in STATUS_EVENTS]
        assert status_events[-1].to_status == order.status.value, order.code
        for before, after in zip(status_events, status_events[1:]):
            assert after.from_status == before.to_status
        staff_moves = [e for e in status_events if e.actor_type.value == "STAFF"]
        assert all(e.staff_id and e.actor_label for e in staff_moves)
        assert any(e.type == OrderEventType.PAYMENT for e in timeline)


def test_converted_quotes_point_at_their_orders_both_ways(demo):
    orders = {o.id: o for o in demo.orders}
    converted = [q for q in demo.quotes if q.status == QuoteStatus.CONVERTED]
    assert converted
    for quote in converted:
        order = orders[quote.order_id]
        assert order.quote_id == quote.id and quote.total == order.total
        assert [line.sku for line in quote.lines] == [i.sku for i in order.items]
    assert all(q.order_id is None for q in demo.quotes if q.status != QuoteStatus.CONVERTED)


# --- loading -------------------------------------------------------------------------------------

def test_same_seed_same_shop(db):
    def fingerprint() -> list[tuple]:
        return list(db.session.execute(sa.select(Order.code, Order.total, Order.status, Order.payment_status,
                                                 Order.channel, Order.customer_email).order_by(Order.id)))

    load_demo_shop(seed=SEED, demo_orders=120, echo=lambda _m: None)
    first = fingerprint()
    db.session.remove()
    _empty_all_tables(db)
    load_demo_shop(seed=SEED, demo_orders=120, echo=lambda _m: None)
    assert fingerprint() == first
    db.session.remove()
    _empty_all_tables(db)
    load_demo_shop(seed=SEED + 1, demo_orders=120, echo=lambda _m: None)
    assert fingerprint() != first


def test_a_second_load_changes_nothing(db):
    load_demo_shop(seed=SEED, demo_orders=60, echo=lambda _m: None)
    message = load_demo_shop(seed=SEED, demo_orders=60, echo=lambda _m: None)
    assert "already" in message
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 60


def test_new_rows_after_the_demo_get_fresh_ids(db):
    """Ids were given explicitly; the database must carry on after them (PostgreSQL sequences)."""
    load_demo_shop(seed=SEED, demo_orders=30, echo=lambda _m: None)
    order = db.session.scalars(sa.select(Order).limit(1)).one()
    event = OrderEvent(order_id=order.id, type=OrderEventType.NOTE_ADDED, actor_type=ActorType.SYSTEM, message="hi")
    payment = Payment(order_id=order.id, provider=PaymentProvider.CARD, amount=Decimal("1.00"), currency="ZAR")
    db.session.add_all([event, payment])
    db.session.flush()
    assert event.id > max(e.id for e in order.events if e is not event)


def test_demo_accounts_sign_in_and_staff_see_only_their_branch(db, auth, client):
    load_demo_shop(seed=SEED, demo_orders=150, echo=lambda _m: None)
    branch_of = {code: branch for code, branch in db.session.execute(
        sa.select(Order.code, Branch.code).join(Branch, Order.branch_id == Branch.id))}
    assert auth.login("staff@demo.test", "demo-staff").status_code == 302
    page = client.get("/orders").get_data(as_text=True)
    shown = set(re.findall(r"ORD-\d{4}-\d{6}", page))
    assert shown and {branch_of[c] for c in shown} == {"CPT"}
    auth.logout()
    for email, password in (("manager@demo.test", "demo-manager"), ("admin@demo.test", "demo-admin")):
        assert auth.login(email, password).status_code == 302
        auth.logout()
    manager = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == "manager@demo.test"))
    assert [b.code for b in manager.branches] == ["CPT", "STB"]


def test_demo_customer_has_orders_in_many_states(demo):
    statuses = [o.status for o in demo.orders if o.customer_id == demo.demo_customer_id]
    assert len(statuses) >= 15 and len(set(statuses)) == len(OrderStatus)


def returnable_items(shop: Shop, order: Order) -> list:
    """Items the customer could ask to return right now, by the API's own rules."""
    times = delivery_times(order, shop.parcels_of(order))
    return [i for i in order.items if i.status != ItemStatus.RETURN_REQUESTED and return_refusal(
        order, i, delivered_at=times.get(i.id), now=utcnow(), window_days=30) is None]


def test_demo_customer_has_what_the_customer_app_needs(demo):
    """customer@demo.test: every seed 001 status, a cancellable cash-on-delivery order, a paid one that cannot be
    cancelled, delivered items that can be returned, tracking with a courier and events, a basket with items
    (one variant of which has a single unit left, also in the second customer's basket)."""
    mine = [o for o in demo.orders if o.customer_id == demo.demo_customer_id]
    assert {CUSTOMER_APP_STATUS[o.status] for o in mine} == set(CUSTOMER_APP_STATUS.values())
    refusals = {o.id: cancel_refusal(o, demo.parcels_of(o)) for o in mine}
    assert any(refusals[o.id] is None and {p.provider for p in o.payments} == {PaymentProvider.COD} for o in mine)
    assert any(refusals[o.id] == PAID for o in mine)
    assert len([o for o in mine if returnable_items(demo, o)]) >= 2
    tracked = [p for o in mine if o.status == O.PARTIALLY_FULFILLED for p in demo.parcels_of(o)
               if p.courier and p.tracking_number and p.tracking_url and len(p.events) >= 3]
    assert tracked and any(e.location for p in tracked for e in p.events)
    baskets = {b.customer_id: b for b in demo.baskets if b.status == "OPEN"}
    mine_basket, theirs = baskets[demo.demo_customer_id], baskets[demo.second_customer_id]
    assert len(mine_basket.items) >= 2 and all(i["quantity"] >= 1 for i in mine_basket.items)
    contested = {i["variant_id"] for i in mine_basket.items} & {i["variant_id"] for i in theirs.items}
    assert contested and all(demo.stock[v] == 1 for v in contested)
    assert len([v for v, stock in demo.stock.items() if stock in (1, 2)]) >= 6


def test_second_customer_has_a_few_orders_of_their_own(demo):
    theirs = [o for o in demo.orders if o.customer_id == demo.second_customer_id]
    assert 4 <= len(theirs) <= 10
    assert all(o.customer_email == "second@demo.test" and o.shipping_address for o in theirs)
    assert any(cancel_refusal(o, demo.parcels_of(o)) is None for o in theirs)
    assert any(returnable_items(demo, o) for o in theirs)
    assert demo.customers == 500


def test_the_default_shop_is_consistent_too(db):
    """The real default size (about 2,000 orders; ~9 s on SQLite, ~18 s on PostgreSQL), checked with the same
    rules as the small shop, plus the demo customers' passwords (the only customers who have one)."""
    summary = load_demo_shop(seed=SEED, echo=lambda _m: None)
    for email in ("customer@demo.test", "second@demo.test"):
        customer = db.session.scalar(sa.select(Customer).where(Customer.email == email))
        assert customer.check_password("demo-customer")
    assert db.session.scalar(sa.select(sa.func.count(Customer.id)).where(Customer.password_hash.is_not(None))) == 2
    shop = read_shop(db, summary)
    assert len(shop.orders) == DEMO_ORDERS
    for check in (test_every_status_channel_method_and_payment_status_is_present, test_money_adds_up_on_every_order,
                  test_payment_status_is_what_the_payments_say, test_refunds_follow_their_scenario,
                  test_refunded_orders_gave_back_what_was_paid, test_fulfilled_orders_were_handed_over_and_paid,
                  test_parcels_match_each_status, test_every_timeline_ends_in_the_order_status,
                  test_converted_quotes_point_at_their_orders_both_ways, test_demo_customer_has_orders_in_many_states,
                  test_paid_orders_are_cancelled_by_their_refund_after_the_money_went_back,
                  test_demo_customer_has_what_the_customer_app_needs, test_second_customer_has_a_few_orders_of_their_own,
                  test_every_refund_quote_parcel_and_return_state_is_present):
        check(shop)


# --- bulk ------------------------------------------------------------------------------------------

@pytest.fixture
def small_bulk(monkeypatch):
    """Fewer customers than the benchmark's 50,000, so the bulk tests take a second or two."""
    monkeypatch.setattr(bulk, "CUSTOMERS", 1_000)
    monkeypatch.setattr(bulk, "GUESTS", 200)


def check_bulk_orders(db, count: int) -> None:
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == count
    line_sums = (sa.select(OrderItem.order_id, sa.func.sum(OrderItem.line_total).label("lines"),
                           sa.func.sum(OrderItem.tax_amount).label("tax"),
                           sa.func.count().label("n")).group_by(OrderItem.order_id).subquery())
    rows = db.session.execute(sa.select(Order, line_sums.c.lines, line_sums.c.tax, line_sums.c.n)
                              .join(line_sums, line_sums.c.order_id == Order.id)).all()
    assert len(rows) == count  # every order has items
    for order, lines, tax, _n in rows:
        assert Decimal(str(lines)).quantize(Decimal("0.01")) == order.subtotal, order.code
        assert order.total == order.subtotal - order.discount_total + order.delivery_fee
        tax = Decimal(str(tax)).quantize(Decimal("0.01"))
        assert order.tax_total == tax + delivery_tax(order.delivery_fee), order.code
        assert order.updated_at >= order.created_at
        assert (order.external_reference is None) == (order.channel == SalesChannel.INTERNAL)
        assert len(order.code) <= 32
    assert 2.0 < sum(n for *_o, n in rows) / count < 3.0
    codes = dict(db.session.execute(sa.select(Branch.id, Branch.code)).all())
    sequences = {(s.branch_id, s.year): s.last_number for s in db.session.scalars(sa.select(InvoiceSequence))}
    check_invoice_numbers([order for order, *_r in rows], codes, sequences)
    items = db.session.execute(sa.select(OrderItem.unit_price, OrderItem.quantity, OrderItem.line_total))
    assert all(line_total == unit_price * quantity for unit_price, quantity, line_total in items)
    statuses = set(db.session.scalars(sa.select(Order.status).distinct()))
    assert {O.FULFILLED, O.CANCELLED, O.REFUNDED, O.PARTIALLY_REFUNDED} <= statuses
    for order in db.session.scalars(sa.select(Order).options(selectinload(Order.payments))):
        assert order.payment_status == derive_payment_status(order.total, paid(order), order.refunded_total,
                                                             latest_state(order),
                                                             cancelled=order.status == O.CANCELLED), order.code
    disputed_or_expired = {PaymentStatus.DISPUTED, PaymentStatus.EXPIRED}
    assert disputed_or_expired <= set(db.session.scalars(sa.select(Order.payment_status).distinct()))


def test_bulk_orders_add_up(db, small_bulk):
    summary = load_demo_shop(orders=2_000, seed=3, echo=lambda _m: None)
    assert summary.startswith("Bulk shop: 2,000 orders")
    check_bulk_orders(db, 2_000)
    assert db.session.scalar(sa.select(sa.func.count(Customer.id))) == 1_000
    assert db.session.scalar(sa.select(sa.func.count(StaffUser.id))) >= 3


def test_bulk_load_rebuilds_the_indexes_it_drops_and_adds_to_existing_orders(db, small_bulk, monkeypatch):
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 1)  # the large-load path, on a small load
    inspector = sa.inspect(db.engine)
    before = {t: sorted(ix["name"] for ix in inspector.get_indexes(t)) for t in ("orders", "order_items")}
    load_demo_shop(orders=500, seed=3, echo=lambda _m: None)
    load_demo_shop(orders=500, seed=4, echo=lambda _m: None)
    inspector = sa.inspect(db.engine)
    assert {t: sorted(ix["name"] for ix in inspector.get_indexes(t)) for t in before} == before
    check_bulk_orders(db, 1_000)
    order = db.session.scalars(sa.select(Order).order_by(Order.id.desc()).limit(1)).one()
    assert order.id == 1_000 and order.code.endswith("0000001000")
    db.session.add(OrderItem(order_id=order.id, sku="X", name="X", quantity=1, unit_price=Decimal("1.00")))
    db.session.flush()  # the sequence carries on after the ids the bulk load chose


def test_bulk_needs_the_schema(app, tmp_path):
    from app import create_app
    from app.config import TestConfig
    from app.demo.base import SchemaMissing

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'empty.db'}"
    empty = create_app(config)
    with empty.app_context(), pytest.raises(SchemaMissing, match="db upgrade"):
        load_demo_shop(orders=10, echo=lambda _m: None)
