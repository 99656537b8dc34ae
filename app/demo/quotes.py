"""Demo quotes: every quote status, each reached through the quote status machine with its events; some
CONVERTED ones are the origin of demo orders (same lines, same money, ``order.quote_id`` both ways)."""
from __future__ import annotations

from datetime import datetime, timedelta

from app.actors import Actor
from app.demo import names
from app.demo.base import ascii_slug, make_address, random_person, random_phone, random_region, snapshot
from app.demo.context import DemoContext
from app.models import ActorType, Customer, Order, ProductVariant, Quote, QuoteEvent, QuoteLine
from app.orders.pricing import VAT_RATE, ZERO, Line, price_basket
from app.quotes.status import QUOTE_MACHINE, QuoteStatus
from app.statemachine import Role

Q = QuoteStatus
PATHS = {
    Q.DRAFT: [],
    Q.SENT: [Q.SENT],
    Q.VIEWED: [Q.SENT, Q.VIEWED],
    Q.ACCEPTED: [Q.SENT, Q.VIEWED, Q.ACCEPTED],
    Q.DECLINED: [Q.SENT, Q.VIEWED, Q.DECLINED],
    Q.EXPIRED: [Q.SENT, Q.EXPIRED],
    Q.CONVERTED: [Q.SENT, Q.VIEWED, Q.ACCEPTED, Q.CONVERTED],
}
WEIGHTS = {Q.DRAFT: 15, Q.SENT: 20, Q.VIEWED: 15, Q.ACCEPTED: 10, Q.DECLINED: 15, Q.EXPIRED: 15, Q.CONVERTED: 10}
VALID_DAYS = 30


def build_quotes(ctx: DemoContext, variants: list[ProductVariant], customers: list[Customer],
                 count: int) -> list[Quote]:
    """``count`` quotes for customers and prospects, every status at least once."""
    rng = ctx.rng
    statuses = list(PATHS) + rng.choices(list(WEIGHTS), list(WEIGHTS.values()), k=max(0, count - len(PATHS)))
    result = []
    for status in statuses[:count]:
        age = rng.uniform(VALID_DAYS + 5, 110) if status == Q.EXPIRED else rng.uniform(1, VALID_DAYS - 2)
        created = ctx.now - timedelta(days=age)
        quote = _quote(ctx, created, rng.choice(ctx.base.branches).id)
        if rng.random() < 0.6:
            customer = rng.choice(customers)
            address = customer.addresses[0].snapshot()
            quote.customer_id, quote.shipping_address, quote.billing_address = customer.id, address, address
        else:
            _prospect(ctx, quote)
        for variant in rng.sample(variants, rng.randrange(1, 6)):
            quantity = rng.choice((1, 2, 5, 10, 20))
            _line(ctx, quote, variant.id, variant.sku, variant.name, variant.attributes, quantity, variant.price)
        _money(quote, fulfilment="DELIVERY" if rng.random() < 0.7 else "COLLECTION")
        if status == Q.CONVERTED:  # converted into an order outside this demo's order list: no order link
            status = Q.ACCEPTED
        _walk(ctx, quote, PATHS[status], created)
        result.append(quote)
    return result


def quote_for_order(ctx: DemoContext, order: Order) -> Quote:
    """The accepted quote an order came from: the order's lines and money, converted when the order was placed.

    ``quote.order_id`` is set here for the caller to write after the order exists (see ``shop._persist``)."""
    created = order.created_at - timedelta(days=ctx.rng.uniform(2, 10))
    quote = _quote(ctx, created, order.branch_id)
    quote.customer_id, quote.currency = order.customer_id, order.currency
    quote.shipping_address, quote.billing_address = order.shipping_address, order.billing_address
    for item in order.items:
        _line(ctx, quote, item.variant_id, item.sku, item.name, item.variation, item.quantity, item.unit_price)
    quote.subtotal, quote.discount_total, quote.delivery_fee = order.subtotal, order.discount_total, order.delivery_fee
    quote.tax_total, quote.total = order.tax_total, order.total
    _walk(ctx, quote, PATHS[Q.CONVERTED][:-1], created, end=order.created_at - timedelta(minutes=5))
    _step(ctx, quote, Q.CONVERTED, order.created_at, _staff(ctx, quote))
    quote.updated_at = quote.decided_at  # the conversion time is written later, with the order link
    quote.order_id, order.quote_id = order.id, quote.id
    return quote


def _quote(ctx: DemoContext, created: datetime, branch_id: int) -> Quote:
    rng = ctx.rng
    _actor, user = ctx.staff_actor(branch_id)
    quote = Quote(
        id=ctx.ids("quotes"), code=ctx.codes("QUO", created), branch_id=branch_id, currency="ZAR",
        status=Q.DRAFT, public_token=f"{rng.getrandbits(128):032x}", valid_until=created + timedelta(days=VALID_DAYS),
        is_subscription=rng.random() < 0.05, created_at=created, updated_at=created, created_by_id=user.id,
        discount_total=ZERO, notes="Prices include 15% VAT. Delivery within 5 working days." if rng.random() < 0.5
        else None,
    )
    quote.events.append(QuoteEvent(id=ctx.ids("quote_events"), created_at=created, to_status=Q.DRAFT.value,
                                   message="Quote drafted", data={}, **Actor.staff(user).stamp()))
    return quote


def _prospect(ctx: DemoContext, quote: Quote) -> None:
    rng = ctx.rng
    first, last = random_person(rng)
    company = rng.choice(names.COMPANIES)
    phone = random_phone(rng)
    email = f"{ascii_slug(first)}@{ascii_slug(company.split()[0])}.example.test"
    address = snapshot(make_address(rng, first, last, phone, email, random_region(rng), company=True))
    quote.prospect_name, quote.prospect_email, quote.prospect_phone = f"{first} {last}", email, phone
    quote.prospect_company, quote.shipping_address, quote.billing_address = company, address, address


def _line(ctx: DemoContext, quote: Quote, variant_id, sku, name, variation, quantity, price) -> None:
    quote.lines.append(QuoteLine(id=ctx.ids("quote_lines"), variant_id=variant_id, sku=sku, name=name,
                                 variation=variation, quantity=quantity, unit_price=price, tax_rate=VAT_RATE,
                                 discount=ZERO, line_total=price * quantity))


def _money(quote: Quote, *, fulfilment: str) -> None:
    """Priced as an order would be (app.orders.pricing), with a 5% volume discount above R5,000."""
    lines = [Line(quantity=line.quantity, unit_price=line.unit_price, tax_rate=line.tax_rate) for line in quote.lines]
    volume = sum((line.line_total for line in quote.lines), ZERO) > 5000
    priced = price_basket(lines, currency=quote.currency, fulfilment=fulfilment, delivery="STANDARD",
                          discount_percent=5 if volume else 0)
    quote.subtotal, quote.discount_total, quote.delivery_fee = priced.subtotal, priced.discount, priced.delivery_fee
    quote.tax_total, quote.total = priced.tax_total, priced.total


def _walk(ctx: DemoContext, quote: Quote, path: list[QuoteStatus], created: datetime,
          end: datetime | None = None) -> None:
    """Move the quote along ``path`` at increasing times before ``end`` (default: now)."""
    end = end or ctx.cap
    t = created
    for status in path:
        if status == Q.EXPIRED:
            t = max(t, quote.valid_until)
        else:
            t = min(t + timedelta(hours=ctx.rng.uniform(1, 72)), end)
        actor = {Q.SENT: _staff(ctx, quote), Q.EXPIRED: Actor.system()}.get(status) or _customer(quote)
        _step(ctx, quote, status, t, actor)


def _step(ctx: DemoContext, quote: Quote, status: QuoteStatus, t: datetime, actor: Actor) -> None:
    QUOTE_MACHINE.check(quote.status, status, actor.role)
    src, quote.status, quote.updated_at = quote.status, status, t
    if status == Q.SENT:
        quote.sent_at = t
    elif status == Q.VIEWED:
        quote.viewed_at = t
    elif status in (Q.ACCEPTED, Q.DECLINED):
        quote.decided_at = t
    quote.events.append(QuoteEvent(id=ctx.ids("quote_events"), created_at=t, from_status=src.value,
                                   to_status=status.value, message=f"Quote {status.label.lower()}", data={},
                                   **actor.stamp()))


def _staff(ctx: DemoContext, quote: Quote) -> Actor:
    return ctx.staff_actor(quote.branch_id)[0]


def _customer(quote: Quote) -> Actor:
    """The person the quote was for (the address snapshot carries an account holder's name)."""
    address = quote.shipping_address or {}
    label = quote.prospect_name or f"{address.get('first_name', '')} {address.get('last_name', '')}".strip()
    return Actor(ActorType.CUSTOMER, Role.CUSTOMER, label or "Customer", customer_id=quote.customer_id)
