"""A customer's basket: one OPEN basket per customer, lines ``[{variant_id, quantity}]`` priced at today's prices
by ``app.orders.pricing``, and an HMAC signature over those lines so a checkout can prove it saw this basket.

The signature is hmac-sha256, with a key derived from SECRET_KEY, over a canonical text of the basket's reference
and its lines sorted by variant id (variant id, quantity, unit price). Changing a quantity, adding a line or a
price change all change it, so an altered (or stale) basket is refused at checkout.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.exceptions import OutOfStock, ValidationFailed
from app.extensions import db
from app.models import Basket, Customer, Product, ProductVariant
from app.orders import pricing

CURRENCY = "ZAR"  # catalogue prices are rand
OPEN, CHECKED_OUT = "OPEN", "CHECKED-OUT"
MAX_LINES = 100
MAX_QUANTITY = 999


@dataclass(frozen=True)
class BasketLine:
    variant: ProductVariant
    quantity: int

    @property
    def available(self) -> bool:
        """Still sold and enough in stock for this quantity."""
        return self.variant.product.is_active and self.variant.stock >= self.quantity


def open_basket(customer: Customer, *, for_update: bool = False) -> Basket:
    """The customer's OPEN basket, created on first use (locked when ``for_update``, for a change). Flushes."""
    basket = _find_open(customer, for_update=for_update)
    if basket is not None:
        return basket
    basket = Basket(reference=f"BSK-{secrets.token_hex(8).upper()}", customer_id=customer.id, status=OPEN, items=[])
    try:
        with db.session.begin_nested():  # two first requests at once: the second finds the first's basket
            db.session.add(basket)
    except IntegrityError:
        basket = _find_open(customer, for_update=for_update)
    return basket


def _find_open(customer: Customer, *, for_update: bool = False) -> Basket | None:
    stmt = sa.select(Basket).where(Basket.customer_id == customer.id, Basket.status == OPEN).order_by(Basket.id)
    return db.session.scalars(stmt.with_for_update() if for_update else stmt).first()


def basket_lines(basket: Basket) -> list[BasketLine]:
    """The basket's lines with their variants (and products), in one query; lines of vanished variants drop."""
    wanted = {int(i["variant_id"]): int(i["quantity"]) for i in basket.items or []}
    if not wanted:
        return []
    variants = {v.id: v for v in db.session.scalars(
        sa.select(ProductVariant).where(ProductVariant.id.in_(wanted)).options(joinedload(ProductVariant.product)))}
    return [BasketLine(variants[vid], qty) for vid, qty in wanted.items() if vid in variants]


def price_lines(lines: list[BasketLine], *, fulfilment: str, delivery: str) -> pricing.Priced:
    return pricing.price_basket(
        [pricing.Line(quantity=line.quantity, unit_price=line.variant.price, tax_rate=line.variant.product.tax_rate,
                      variant_id=line.variant.id) for line in lines],
        currency=CURRENCY, fulfilment=fulfilment, delivery=delivery)


def signature(reference: str, lines: list[BasketLine], *, secret_key: str) -> str:
    """HMAC of the reference and the lines (sorted by variant id, with quantities and today's unit prices)."""
    key = hmac.new(secret_key.encode(), b"order-desk basket signatures v1", hashlib.sha256).digest()
    canonical = "\n".join([reference] + [f"{line.variant.id}:{line.quantity}:{line.variant.price:.2f}"
                                         for line in sorted(lines, key=lambda line: line.variant.id)])
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def sign(basket: Basket, lines: list[BasketLine], *, secret_key: str) -> str:
    """Store the basket's current signature (changed only when its lines or prices changed)."""
    value = signature(basket.reference, lines, secret_key=secret_key)
    if basket.signature != value:
        basket.signature = value
    return value


def signature_matches(basket: Basket, lines: list[BasketLine], given: str, *, secret_key: str) -> bool:
    return hmac.compare_digest(signature(basket.reference, lines, secret_key=secret_key), given or "")


def set_quantity(basket: Basket, *, variant_id: int, quantity: int) -> None:
    """Put ``quantity`` of a variant in the basket (0 removes it). More than in stock: OutOfStock naming it."""
    items = [dict(i) for i in basket.items or [] if int(i["variant_id"]) != variant_id]
    if quantity > 0:
        variant = db.session.scalars(sa.select(ProductVariant).join(Product).where(
            ProductVariant.id == variant_id, Product.is_active.is_(True))).first()
        if variant is None:
            raise ValidationFailed("There is no product on sale with this variant id.", field="variant_id")
        check_stock(variant, quantity, field="quantity")
        if len(items) >= MAX_LINES:
            raise ValidationFailed(f"A basket holds at most {MAX_LINES} different items.", field="variant_id")
        items.append({"variant_id": variant_id, "quantity": quantity})
    basket.items = items  # a new list, so the JSON column is seen as changed
    db.session.flush()


def check_stock(variant: ProductVariant, quantity: int, *, field: str = "items") -> None:
    if variant.stock < quantity:
        raise OutOfStock(out_of_stock_message(variant, variant.stock), variant_id=variant.id, field=field)


def out_of_stock_message(variant: ProductVariant, stock: int | None) -> str:
    left = "none is left" if not stock else f"only {stock} {'is' if stock == 1 else 'are'} left"
    return f"Not enough stock of {variant.name} ({variant.sku}, variant {variant.id}): {left}."


def add_quantity(basket: Basket, *, variant: ProductVariant, quantity: int) -> None:
    """Add to a line (reorder). The caller has checked the stock. Flushes."""
    items = [dict(i) for i in basket.items or []]
    line = next((i for i in items if int(i["variant_id"]) == variant.id), None)
    if line is None:
        items.append({"variant_id": variant.id, "quantity": quantity})
    else:
        line["quantity"] = int(line["quantity"]) + quantity
    basket.items = items
    db.session.flush()


def quantity_of(basket: Basket, variant_id: int) -> int:
    return next((int(i["quantity"]) for i in basket.items or [] if int(i["variant_id"]) == variant_id), 0)



REORDER_REASONS = {
    "discontinued": "No longer sold.",
    "out_of_stock": "Out of stock.",
    "insufficient_stock": "Less in stock than ordered: the rest was added.",
    "basket_limit": f"A basket line holds at most {MAX_QUANTITY}.",
}


def reorder(basket: Basket, order) -> tuple[list[dict], list[dict]]:
    """Add ``order``'s items to the basket at today's prices, as far as the stock allows. Returns what was added
    and what was not (``variant_id, sku, name, quantity, reason``). Flushes."""
    ids = {item.variant_id for item in order.items if item.variant_id is not None}
    variants = {v.id: v for v in db.session.scalars(
        sa.select(ProductVariant).where(ProductVariant.id.in_(ids)).options(selectinload(ProductVariant.product)))}
    added: list[dict] = []
    not_added: list[dict] = []

    def note(into: list, item, quantity: int, reason: str | None = None) -> None:
        row = {"variant_id": item.variant_id, "sku": item.sku, "name": item.name, "quantity": quantity}
        into.append(row | ({"reason": reason, "message": REORDER_REASONS[reason]} if reason else {}))

    for item in order.items:
        variant = variants.get(item.variant_id)
        if variant is None or not variant.product.is_active:
            note(not_added, item, item.quantity, "discontinued")
            continue
        in_basket = quantity_of(basket, variant.id)
        room = min(variant.stock - in_basket, MAX_QUANTITY - in_basket)
        if room <= 0:
            note(not_added, item, item.quantity, "out_of_stock" if variant.stock <= in_basket else "basket_limit")
            continue
        take = min(room, item.quantity)
        add_quantity(basket, variant=variant, quantity=take)
        note(added, item, take)
        if take < item.quantity:
            reason = "insufficient_stock" if variant.stock - in_basket < item.quantity else "basket_limit"
            note(not_added, item, item.quantity - take, reason)
    return added, not_added
