"""The demo shop that ``make run`` loads: a deterministic, realistic back-office to click through.

Same seed, same shop: every random choice comes from one ``random.Random(seed)`` and the rows are created in a
fixed order (only the dates move with the day it is loaded: orders span the last 120 days). Each order's story
(``app.demo.story``) is played in memory first, then everything is inserted table by table with ids assigned
up front, as Core executemany (one per table), so the load takes seconds rather than minutes.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from app.actors import Actor
from app.demo import names
from app.demo.base import (
    ascii_slug, ensure_base, ensure_catalogue, make_address, random_person, random_phone, random_region,
    require_schema, snapshot,
)
from app.demo.context import DemoContext, Ids
from app.demo.customers import ACCOUNTS, account_plans, buyer_of, ensure_second_customer, fill_baskets
from app.demo.quotes import build_quotes, quote_for_order
from app.demo.story import OrderStory, Plan
from app.extensions import db
from app.models import (
    Customer, CustomerAddress, Order, OrderEvent, OrderItem, Parcel, ParcelEvent, ParcelItem, Payment,
    PaymentProvider, ProductVariant, Quote, QuoteEvent, QuoteLine, Refund, RefundItem, ReturnItem, ReturnRequest,
    SalesChannel, Voucher, WalletEntry,
)
from app.orders.pricing import ZERO, Line, convert, price_basket
from app.orders.status import DeliveryMethod, FulfilmentMethod, ItemStatus, OrderStatus
from app.refunds.status import RefundDestination

O = OrderStatus
CUSTOMERS = 500
DAYS = 120
# Sales channels other than our own apps, and how often each one brings an order (about a third of all).
CHANNELS = {SalesChannel.SHOPIFY: 14, SalesChannel.TAKEALOT: 10, SalesChannel.UBER_EATS: 7, SalesChannel.MUNCH: 5,
            SalesChannel.CUSTOM: 4}
CHANNEL_PREFIX = {"SHOPIFY": "SH", "TAKEALOT": "TAL", "UBER_EATS": "UE", "MUNCH": "MN", "CUSTOM": "EXT"}
STATUSES = {O.ORDERED: 6, O.PROCESSING: 6, O.DELIVERY_READY: 5, O.PARTIALLY_FULFILLED: 4, O.FULFILLED: 57,
            O.CANCELLED: 8, O.REFUNDED: 6, O.PARTIALLY_REFUNDED: 8}
# How old an order in each status can be (days): long enough for its story, recent for work in progress.
AGE = {O.ORDERED: (0.05, 3), O.PROCESSING: (0.6, 5), O.DELIVERY_READY: (2.5, 8), O.PARTIALLY_FULFILLED: (6, 15),
       O.FULFILLED: (8, DAYS), O.CANCELLED: (3, DAYS), O.REFUNDED: (35, DAYS), O.PARTIALLY_REFUNDED: (35, DAYS)}
REFUNDED_SCENARIOS = {"S3-full": 50, "S1-full": 35, "S5-full": 15}
PARTIAL_SCENARIOS = {"S3-part": 35, "S2": 25, "S4": 25, "S5-part": 15}
SIDES = {None: 85, "note": 4, "refund:REQUESTED": 2, "refund:APPROVED": 1, "refund:REJECTED": 1.5,
         "refund:FAILED": 1, "return:REQUESTED": 2, "return:APPROVED": 1.5, "return:REJECTED": 1,
         "return:RECEIVED": 1}
QUOTES = 150


def build_demo_shop(*, orders: int, seed: int, echo: Callable[[str], None]) -> str:
    """Load the demo shop once; a second call finds the orders and leaves everything as it is."""
    require_schema()
    existing = db.session.scalar(sa.select(sa.func.count(Order.id)))
    if existing:
        return f"Demo data already present ({existing:,} orders); nothing loaded."
    started = time.perf_counter()
    rng = random.Random(seed)
    base = ensure_base(seed)
    variants = ensure_catalogue(seed)
    customers = _customers(rng, [base.customer, ensure_second_customer(base.customer, seed)])
    db.session.flush()
    ctx = DemoContext(rng=rng, now=datetime.now(timezone.utc).replace(second=0, microsecond=0), base=base,
                      ids=Ids([m.__table__ for m in _ID_MODELS]))
    stories = _stories(ctx, orders, variants, customers)
    quotes = build_quotes(ctx, variants, customers, QUOTES) + [quote_for_order(ctx, s.order) for s in stories
                                                                if s.plan.side == "quote"]
    _persist(ctx, stories, quotes)
    fill_baskets(customers[:ACCOUNTS], variants, seed)
    db.session.commit()
    counts = Counter()
    for story in stories:
        counts["parcels"] += len(story.parcels)
        counts["refunds"] += len(story.refunds)
    summary = (f"Demo shop: {len(stories):,} orders, {len(customers):,} customers, {len(variants):,} variants, "
               f"{counts['parcels']:,} parcels, {counts['refunds']:,} refunds, {len(quotes):,} quotes "
               f"in {time.perf_counter() - started:.1f} s. Sign in as admin@demo.test / demo-admin.")
    return summary


# Models whose ids the demo assigns itself (PostgreSQL sequences are moved past them at the end).
_ID_MODELS = (Quote, QuoteLine, QuoteEvent, Order, OrderItem, Payment, OrderEvent, Parcel, ParcelItem, ParcelEvent,
              Refund, RefundItem, WalletEntry, Voucher, ReturnRequest, ReturnItem)


# --- customers ------------------------------------------------------------------------------------

def _customers(rng: random.Random, accounts: list[Customer]) -> list[Customer]:
    """~500 customers with 1–3 addresses each, after the demo accounts. No passwords: only those sign in."""
    now = datetime.now(timezone.utc)
    result = list(accounts)
    for n in range(CUSTOMERS - len(accounts)):
        first, last = random_person(rng)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}{n + 1}@example.test"
        phone = random_phone(rng)
        region = random_region(rng)
        customer = Customer(name=f"{first} {last}", email=email, phone=phone,
                            created_at=now - timedelta(days=rng.uniform(DAYS, 3 * 365)))
        for k in range(rng.choices((1, 2, 3), (70, 22, 8))[0]):
            customer.addresses.append(CustomerAddress(**make_address(rng, first, last, phone, email, region),
                                                      is_active=k == 0 or rng.random() < 0.8))
        result.append(customer)
    db.session.add_all(result)
    return result


# --- orders ---------------------------------------------------------------------------------------

def _stories(ctx: DemoContext, count: int, variants: list[ProductVariant],
             customers: list[Customer]) -> list[OrderStory]:
    """Plans (every status, payment and refund story represented), dated, sorted, then played one by one."""
    rng = ctx.rng
    plans = _plans(rng, count)
    dated = sorted(((_created_at(ctx, plan), n, plan) for n, plan in enumerate(plans)),
                   key=lambda x: (x[0], x[1]))
    demo_picks = _demo_customer_orders(dated)
    weights = _popularity(rng, len(variants))
    stories = []
    for n, (created, _k, plan) in enumerate(dated):
        buyer = buyer_of(plan, customers) or (customers[0] if n in demo_picks else None)
        order, placed_by = _order(ctx, plan, created, variants, weights, customers, buyer)
        story = OrderStory(ctx, order, plan, placed_by)
        story.play()
        stories.append(story)
    return stories


def _plans(rng: random.Random, count: int) -> list[Plan]:
    """The must-haves first (so even a small shop shows every payment status and refund story), then a
    weighted mix of the rest."""
    must = _must_have_plans()
    statuses, status_weights = list(STATUSES), list(STATUSES.values())
    plans = must[:count]
    while len(plans) < count:
        plans.append(_random_plan(rng, rng.choices(statuses, status_weights)[0]))
    return plans


def _must_have_plans() -> list[Plan]:
    card, eft, cod, ch = PaymentProvider.CARD, PaymentProvider.EFT, PaymentProvider.COD, PaymentProvider.CHANNEL
    plans = [Plan(O.ORDERED, card, outcome) for outcome in ("completed", "pending", "authorized", "failed")]
    plans += [Plan(O.ORDERED, eft, "partial"), Plan(O.ORDERED, cod, "pending"), Plan(O.PROCESSING, card, "authorized"),
              Plan(O.PROCESSING, eft, "partial"), Plan(O.DELIVERY_READY, cod, "pending"),
              Plan(O.DELIVERY_READY, card, side="box:OPEN"),
              Plan(O.PARTIALLY_FULFILLED, card), Plan(O.FULFILLED, cod), Plan(O.FULFILLED, ch),
              Plan(O.CANCELLED, card, "failed"), Plan(O.CANCELLED, card, "pending")]
    plans += [Plan(O.REFUNDED, card, scenario=s) for s in REFUNDED_SCENARIOS]
    plans += [Plan(O.PARTIALLY_REFUNDED, card, scenario=s) for s in PARTIAL_SCENARIOS]
    plans += [Plan(O.REFUNDED, card, scenario="S3-full", destination=d) for d in RefundDestination]
    plans += [Plan(O.FULFILLED, card, side=side) for side in SIDES if side] + [Plan(O.FULFILLED, card, side="quote")]
    return plans + account_plans()


def _random_plan(rng: random.Random, status: OrderStatus) -> Plan:
    provider = rng.choices((PaymentProvider.CARD, PaymentProvider.EFT, PaymentProvider.COD), (65, 15, 20))[0]
    plan = Plan(status, provider)
    if status == O.ORDERED:
        plan.outcome = rng.choices(("completed", "pending", "authorized", "failed"), (55, 15, 15, 15))[0]
        if provider == PaymentProvider.EFT:
            plan.outcome = rng.choices(("pending", "partial", "completed"), (50, 25, 25))[0]
    elif status == O.CANCELLED:
        plan.outcome = rng.choices(("pending", "authorized", "failed"), (40, 30, 30))[0]
    elif status in (O.PROCESSING, O.DELIVERY_READY):
        if provider == PaymentProvider.CARD and rng.random() < 0.15:
            plan.outcome = "authorized"
        elif provider == PaymentProvider.EFT and status == O.PROCESSING and rng.random() < 0.3:
            plan.outcome = "partial"
    elif status == O.REFUNDED:
        plan.scenario = _weighted(rng, REFUNDED_SCENARIOS)
    elif status == O.PARTIALLY_REFUNDED:
        plan.scenario = _weighted(rng, PARTIAL_SCENARIOS)
    elif status == O.FULFILLED:
        plan.side = _weighted(rng, SIDES) if rng.random() > 0.02 else "quote"
    if plan.scenario in ("S1-full", "S2") and provider == PaymentProvider.COD:
        plan.provider = PaymentProvider.CARD  # nothing to give back on an unpaid cash order
    return plan


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def _created_at(ctx: DemoContext, plan: Plan) -> datetime:
    low, high = plan.age or AGE[plan.status]
    return ctx.now - timedelta(days=ctx.rng.uniform(low, high))


def _demo_customer_orders(dated: list) -> set[int]:
    """Give the demo customer 2–3 orders of every status (internal card orders, so their stories work)."""
    taken: Counter = Counter()
    picks = set()
    for n, (_created, _k, plan) in enumerate(dated):
        if plan.provider == PaymentProvider.CARD and not plan.buyer and taken[plan.status] < 3 and n % 3 == 0:
            taken[plan.status] += 1
            picks.add(n)
    return picks


def _popularity(rng: random.Random, count: int) -> list[float]:
    ranks = list(range(1, count + 1))
    rng.shuffle(ranks)
    return [1 / r ** 0.9 for r in ranks]


def _order(ctx: DemoContext, plan: Plan, created: datetime, variants: list[ProductVariant], weights: list[float],
           customers: list[Customer], buyer: Customer | None) -> tuple[Order, Actor]:
    """A placed order: buyer, branch, channel, method, items and money; the story then moves it on."""
    rng = ctx.rng
    channel = _channel(rng, plan, buyer)
    if channel != SalesChannel.INTERNAL:
        plan.provider = PaymentProvider.CHANNEL
        if plan.outcome != "completed" and plan.status in (O.ORDERED, O.CANCELLED):
            plan.outcome = "pending"
        else:
            plan.outcome = "completed"
    if plan.status == O.CANCELLED and plan.outcome == "completed":
        plan.outcome = "pending"
    if buyer is None and (channel == SalesChannel.INTERNAL or rng.random() < 0.4):
        buyer = rng.choice(customers[ACCOUNTS:])
    fulfilment, delivery = _methods(rng, channel, plan)
    currency = _weighted(rng, {"ZAR": 92, "USD": 5, "EUR": 3}) if channel == SalesChannel.INTERNAL else "ZAR"
    order = Order(
        id=ctx.ids("orders"), code=ctx.codes("ORD", created), branch_id=_branch(ctx, buyer, fulfilment),
        channel=channel, status=O.ORDERED, fulfilment_method=fulfilment, delivery_method=delivery,
        currency=currency, language_code=_weighted(rng, {"en": 88, "af": 8, "zu": 4}),
        is_supplier_order=rng.random() < 0.01, created_at=created, updated_at=created,
        refunded_total=ZERO, discount_total=ZERO, extra_data={},
        notes=rng.choice(names.CUSTOMER_NOTES) if rng.random() < 0.08 else None,
        expected_delivery_at=created + timedelta(days=1 if delivery == DeliveryMethod.EXPRESS else rng.randrange(2, 5)),
    )
    if rng.random() < 0.05:
        order.has_gift_box, order.gift_box_note = True, rng.choice(names.GIFT_NOTES)
    placed_by = _buyer(ctx, order, buyer, channel)
    _items(ctx, order, plan, variants, weights)
    _fit_plan(plan, order)
    return order, placed_by


def _channel(rng: random.Random, plan: Plan, buyer: Customer | None) -> SalesChannel:
    """Channel orders are paid through the channel; stories that need our own customer stay internal."""
    if plan.provider == PaymentProvider.CHANNEL:
        return _weighted(rng, CHANNELS)
    if buyer is None and plan.provider == PaymentProvider.CARD and not plan.side and plan.destination is None \
            and rng.random() < 0.55:
        return _weighted(rng, CHANNELS)
    return SalesChannel.INTERNAL


def _methods(rng: random.Random, channel: SalesChannel, plan: Plan) -> tuple[FulfilmentMethod, DeliveryMethod]:
    needs_delivery = plan.provider == PaymentProvider.COD or plan.scenario == "S2" or plan.courier
    if channel == SalesChannel.MUNCH and not needs_delivery:
        return FulfilmentMethod.COLLECTION, DeliveryMethod.STANDARD
    if channel == SalesChannel.UBER_EATS:
        return FulfilmentMethod.DELIVERY, DeliveryMethod.EXPRESS
    if not needs_delivery and rng.random() < 0.25:
        return FulfilmentMethod.COLLECTION, DeliveryMethod.STANDARD
    return FulfilmentMethod.DELIVERY, DeliveryMethod.EXPRESS if rng.random() < 0.2 else DeliveryMethod.STANDARD


def _branch(ctx: DemoContext, buyer: Customer | None, fulfilment: FulfilmentMethod) -> int:
    cpt, stb, jhb = ctx.base.branches
    if buyer is ctx.base.customer:
        return cpt.id if ctx.rng.random() < 0.8 else stb.id
    city = buyer.addresses[0].city if buyer is not None and buyer.addresses else None
    if city in ("Johannesburg", "Pretoria", "Centurion", "Midrand"):
        return jhb.id
    if city in ("Stellenbosch", "Somerset West", "Paarl"):
        return stb.id
    return ctx.rng.choices((cpt.id, stb.id, jhb.id), (55, 15, 30))[0] if buyer is None else cpt.id


def _buyer(ctx: DemoContext, order: Order, buyer: Customer | None, channel: SalesChannel) -> Actor:
    """Copy who bought onto the order (name, contact, address snapshots) and say who placed it."""
    rng = ctx.rng
    if buyer is not None:
        address = buyer.addresses[0]
        order.customer_id, order.customer_name = buyer.id, buyer.name
        order.customer_email, order.customer_phone = buyer.email, buyer.phone
        order.shipping_address = address.snapshot()
        billing = next((a for a in buyer.addresses if a.company_name), address)
        order.billing_address = billing.snapshot()
    else:  # a channel's guest: no account, details as the channel sent them
        first, last = random_person(rng)
        phone = random_phone(rng)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}@guest.example.test"
        address = snapshot(make_address(rng, first, last, phone, email, random_region(rng)))
        order.customer_name, order.customer_email, order.customer_phone = f"{first} {last}", email, phone
        order.shipping_address = order.billing_address = address
    if channel != SalesChannel.INTERNAL:
        reference = f"{CHANNEL_PREFIX[channel.value]}-{order.id + 500000}"
        order.external_reference = reference
        order.channel_payload = {"platform": channel.value, "platform_order_id": reference,
                                 "placed_at": order.created_at.isoformat()}
        return Actor.channel(channel.label)
    if rng.random() < 0.15:  # taken over the phone by someone at the branch
        actor, user = ctx.staff_actor(order.branch_id)
        order.created_by_id = user.id
        return actor
    order.extra_data = {"device": rng.choice(("web", "ios", "android"))}
    return Actor.customer(buyer)


def _items(ctx: DemoContext, order: Order, plan: Plan, variants: list[ProductVariant], weights: list[float]) -> None:
    """1–6 distinct lines, priced by ``app.orders.pricing`` exactly as a checkout is (VAT-inclusive prices,
    Decimal throughout)."""
    rng = ctx.rng
    lines = rng.choices((1, 2, 3, 4, 5, 6), (38, 27, 17, 10, 5, 3))[0]
    if plan.status == O.PARTIALLY_FULFILLED or plan.scenario in ("S3-part", "S5-part"):
        lines = max(lines, 2)
    chosen: list[ProductVariant] = []
    while len(chosen) < lines:
        variant = rng.choices(variants, weights)[0]
        if variant not in chosen:
            chosen.append(variant)
    quantities = [rng.choices((1, 2, 3, 4), (78, 16, 4, 2))[0] for _variant in chosen]
    percent = rng.choice((5, 10, 15)) if rng.random() < 0.12 else 0
    priced = price_basket(
        [Line(quantity=q, unit_price=convert(v.price, order.currency), tax_rate=v.product.tax_rate, variant_id=v.id)
         for v, q in zip(chosen, quantities)],
        currency=order.currency, fulfilment=order.fulfilment_method.value, delivery=order.delivery_method.value,
        discount_percent=percent,
    )
    for variant, p in zip(chosen, priced.lines):
        order.items.append(OrderItem(
            id=ctx.ids("order_items"), product_id=variant.product_id, variant_id=variant.id, sku=variant.sku,
            barcode=variant.barcode, name=variant.name, variation=variant.attributes, quantity=p.line.quantity,
            mrp=convert(variant.mrp, order.currency) if variant.mrp is not None else None,
            unit_price=p.line.unit_price, tax_rate=p.line.tax_rate, discount=ZERO, tax_amount=p.tax_amount,
            line_total=p.line_total, status=ItemStatus.ACTIVE, refunded_quantity=0,
        ))
    order.subtotal, order.discount_total, order.delivery_fee = priced.subtotal, priced.discount, priced.delivery_fee
    order.tax_total, order.total = priced.tax_total, priced.total


def _fit_plan(plan: Plan, order: Order) -> None:
    """Adjust a refund story the order's money cannot tell (a kept delivery fee of zero is no partial refund)."""
    if plan.scenario == "S2" and order.delivery_fee == ZERO:
        plan.scenario = "S4"
    if plan.scenario == "S5-full" and order.delivery_fee != ZERO:
        plan.scenario = "S3-full"


# --- persisting -----------------------------------------------------------------------------------

def _persist(ctx: DemoContext, stories: list[OrderStory], quotes: list[Quote]) -> None:
    """Insert the stories' objects table by table, in foreign-key order, as Core executemany.

    The objects never join the session: the unit of work would spend most of the load's time on cascades and
    bookkeeping for some 50,000 rows whose ids are already known. Parent keys come from the parent objects
    here; a converted quote learns its order id last (orders must exist first, and quotes before them)."""
    orders = [s.order for s in stories]
    parcels = [p for s in stories for p in s.parcels]
    refunds = [r for s in stories for r in s.refunds]
    others = [o for s in stories for o in s.others]
    returns = [o for o in others if isinstance(o, ReturnRequest)]
    _insert(Quote, [(q, {"order_id": None}) for q in quotes])
    _insert(QuoteLine, [(line, {"quote_id": q.id}) for q in quotes for line in q.lines])
    _insert(QuoteEvent, [(e, {"quote_id": q.id}) for q in quotes for e in sorted(q.events, key=lambda e: e.id)])
    _insert(Order, [(o, {}) for o in orders])
    _insert(OrderItem, [(i, {"order_id": o.id}) for o in orders for i in o.items])
    _insert(Payment, [(p, {"order_id": o.id}) for o in orders for p in sorted(o.payments, key=lambda p: p.id)])
    _insert(OrderEvent, [(e, {"order_id": o.id}) for o in orders for e in sorted(o.events, key=lambda e: e.id)])
    _insert(Parcel, [(p, {}) for p in parcels])
    _insert(ParcelItem, [(pi, {"parcel_id": p.id, "order_item_id": pi.order_item.id}) for p in parcels
                         for pi in p.items])
    _insert(ParcelEvent, [(e, {"parcel_id": p.id}) for p in parcels for e in sorted(p.events, key=lambda e: e.id)])
    _insert(Refund, [(r, {}) for r in refunds])
    _insert(RefundItem, [(ri, {"refund_id": r.id, "order_item_id": ri.order_item.id}) for r in refunds
                         for ri in r.items])
    _insert(WalletEntry, [(o, {}) for o in others if isinstance(o, WalletEntry)])
    _insert(Voucher, [(o, {}) for o in others if isinstance(o, Voucher)])
    _insert(ReturnRequest, [(r, {}) for r in returns])
    _insert(ReturnItem, [(ri, {"return_request_id": r.id}) for r in returns for ri in r.items])
    table = Quote.__table__
    for quote in quotes:
        if quote.order_id is not None:  # converted: linked at the time of its last event
            db.session.execute(sa.update(table).where(table.c.id == quote.id).values(
                order_id=quote.order_id, updated_at=max(e.created_at for e in quote.events)))
    ctx.invoices.save()
    _move_sequences(ctx)


def _insert(model: type, pairs: list[tuple[object, dict]]) -> None:
    """One executemany for ``model``'s table: each object's column values (its parent keys from the dict),
    and the column's default where the object left a value unset, as the ORM would have done."""
    if not pairs:
        return
    table = model.__table__
    mapper = sa.inspect(model)
    columns = [(c.name, mapper.get_property_by_column(c).key, c.default) for c in table.c
               if c.computed is None]  # the database computes those (orders.customer_phone_digits)
    rows = []
    for obj, parent_keys in sorted(pairs, key=lambda pair: pair[0].id):
        values = obj.__dict__
        row = {}
        for name, key, default in columns:
            if name in parent_keys:
                row[name] = parent_keys[name]
            elif key in values:
                row[name] = values[key]
            elif default is not None:
                row[name] = default.arg(None) if default.is_callable else default.arg
            else:
                row[name] = None
        rows.append(row)
    db.session.execute(sa.insert(table), rows)


def _move_sequences(ctx: DemoContext) -> None:
    """PostgreSQL: ids were given explicitly, so each sequence must continue after the largest one."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ctx.ids.tables:
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM \"{table}\"), 1))"
        ))
