"""Checkout: a customer's basket becomes an order in one transaction (seed 000's basket → order, seed 004's order).

``checkout`` locks the basket row, proves the basket is the one the customer saw (its HMAC signature over the
lines at today's prices), prices it with ``app.orders.pricing``, takes the stock of each variant with one
conditional UPDATE (``stock = stock - q WHERE stock >= q``: atomic on both databases; two buyers of the last unit
get exactly one order), copies the address, records the payment and derives the payment status, writes the
PLACED event, issues the invoice number and marks the basket CHECKED-OUT, pointing at the order. Any refusal
raises before the caller commits, so nothing is half-written (the caller rolls back).

The same checkout again (same basket, same request) finds the basket CHECKED-OUT and returns its order
(``created`` False), never a second one. The basket reference is the natural idempotency key; an
``Idempotency-Key`` header is honoured too (same key → the first answer; same key or basket with another body →
IdempotencyConflict, 422).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.actors import Actor
from app.customers import basket as baskets
from app.exceptions import (
    BasketChanged,
    IdempotencyConflict,
    OutOfStock,
    ValidationFailed,
)
from app.extensions import db
from app.localtime import shop_zone
from app.models import (
    Basket,
    Branch,
    Customer,
    CustomerAddress,
    Order,
    OrderItem,
    Payment,
    PaymentProvider,
    PaymentState,
    ProductVariant,
    SalesChannel,
)
from app.models.types import utcnow
from app.orders import events
from app.orders.actions import recompute_payment_status
from app.orders.invoices import issue_invoice_number
from app.orders.status import DeliveryMethod, FulfilmentMethod, ItemStatus, OrderStatus

# Payment states a customer app may report at checkout.
ACCEPTED_STATES = (PaymentState.COMPLETED, PaymentState.AUTHORIZED, PaymentState.PENDING)
CUSTOMER_PROVIDERS = (PaymentProvider.CARD, PaymentProvider.COD, PaymentProvider.EFT, PaymentProvider.WALLET,
                      PaymentProvider.VOUCHER)
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


@dataclass(frozen=True)
class PaymentIn:
    provider: PaymentProvider
    status: PaymentState
    amount: Decimal | None = None
    reference: str | None = None


@dataclass(frozen=True)
class CheckoutRequest:
    basket_reference: str
    signature: str
    fulfilment: FulfilmentMethod
    delivery: DeliveryMethod
    branch_id: int
    payment: PaymentIn
    address_id: int | None = None
    shipping_address: dict | None = None  # already in the address book's snapshot shape
    notes: str | None = None
    fingerprint: str = ""  # a hash of the request, to tell "the same checkout again" from another one
    idempotency_key: str | None = None


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    created: bool  # False: the same checkout again, answered with the order it made


def checkout(customer: Customer, request: CheckoutRequest, *, secret_key: str) -> CheckoutResult:
    """Turn the customer's basket into an order (flushes; the caller commits once, or rolls back)."""
    if request.idempotency_key:
        earlier = db.session.scalars(sa.select(Basket).where(Basket.customer_id == customer.id,
                                                             Basket.checkout_key == request.idempotency_key)).first()
        if earlier is not None:
            return _repeat(earlier, request)
    basket = db.session.scalars(sa.select(Basket).where(Basket.reference == request.basket_reference,
                                                        Basket.customer_id == customer.id).with_for_update()).first()
    if basket is None:
        raise ValidationFailed("There is no basket of yours with this reference.", field="basket_reference")
    if basket.status == baskets.CHECKED_OUT:
        return _repeat(basket, request)
    if basket.status != baskets.OPEN:
        raise ValidationFailed("This basket was abandoned; fetch your basket again.", field="basket_reference")
    lines = baskets.basket_lines(basket)
    if not lines:
        raise ValidationFailed("The basket is empty.", field="basket_reference")
    if not baskets.signature_matches(basket, lines, request.signature, secret_key=secret_key):
        raise BasketChanged()
    branch = _branch(request)
    shipping = _address(customer, request)
    for line in lines:
        if not line.variant.product.is_active:
            raise OutOfStock(f"{line.variant.name} ({line.variant.sku}, variant {line.variant.id}) is no longer "
                             f"sold; remove it from the basket.", variant_id=line.variant.id)
    priced = baskets.price_lines(lines, fulfilment=request.fulfilment.value, delivery=request.delivery.value)
    payment = _payment(request.payment, priced.total, priced.currency)
    _take_stock(lines)
    order = _order(customer, basket, branch, request, priced, shipping, lines)
    order.payments.append(payment)
    recompute_payment_status(order)
    actor = Actor.customer(customer)
    events.order_placed_event(order=order, actor=actor, message="Order placed in the app")
    events.payment_event(order=order, actor=actor, message=f"{payment.provider.label} payment {payment.status.value}",
                         data={"provider": payment.provider.value, "status": payment.status.value,
                               "amount": str(payment.amount), "reference": payment.reference})
    issue_invoice_number(order)  # before the order joins the session: one INSERT carries the number
    db.session.add(order)
    basket.status, basket.order = baskets.CHECKED_OUT, order
    basket.checkout_key, basket.checkout_fingerprint = request.idempotency_key, request.fingerprint
    db.session.flush()
    return CheckoutResult(order=order, created=True)


def _repeat(basket: Basket, request: CheckoutRequest) -> CheckoutResult:
    """A basket already checked out: the same request gets the same order; another request is a conflict."""
    if basket.status != baskets.CHECKED_OUT or basket.order_id is None:
        raise IdempotencyConflict("This Idempotency-Key was used for another basket.", field="Idempotency-Key")
    if basket.checkout_fingerprint != request.fingerprint or basket.reference != request.basket_reference:
        what = "This Idempotency-Key" if request.idempotency_key == basket.checkout_key and request.idempotency_key \
            else "This basket"
        raise IdempotencyConflict(f"{what} was already checked out with other details (order "
                                  f"{basket.order.code}). Fetch your basket again for a new order.",
                                  field="basket_reference")
    return CheckoutResult(order=basket.order, created=False)


def _branch(request: CheckoutRequest) -> Branch:
    branch = db.session.get(Branch, request.branch_id)
    if branch is None or not branch.is_active:
        raise ValidationFailed("There is no branch with this id.", field="branch_id")
    if request.fulfilment == FulfilmentMethod.DELIVERY and not branch.delivers:
        raise ValidationFailed(f"{branch.name} does not deliver; choose collection or another branch.",
                               field="fulfilment_method")
    if request.fulfilment == FulfilmentMethod.COLLECTION and not branch.offers_collection:
        raise ValidationFailed(f"{branch.name} does not offer collection; choose delivery or another branch.",
                               field="fulfilment_method")
    return branch


def _address(customer: Customer, request: CheckoutRequest) -> dict | None:
    """The shipping address copied onto the order: an address-book entry of the customer's, or one given."""
    if request.address_id is not None and request.shipping_address is not None:
        raise ValidationFailed("Send address_id or shipping_address, not both.", field="address_id")
    if request.address_id is not None:
        address = db.session.scalars(sa.select(CustomerAddress).where(
            CustomerAddress.id == request.address_id, CustomerAddress.customer_id == customer.id,
            CustomerAddress.is_active.is_(True))).first()
        if address is None:
            raise ValidationFailed("There is no address of yours with this id.", field="address_id")
        return address.snapshot()
    if request.shipping_address is not None:
        return dict(request.shipping_address)
    if request.fulfilment == FulfilmentMethod.DELIVERY:
        raise ValidationFailed("A delivery needs an address: send address_id or shipping_address.",
                               field="shipping_address")
    return None


def _payment(given: PaymentIn, total: Decimal, currency: str) -> Payment:
    """The payment as reported by the app. A completed or authorised payment is for exactly the total; cash on
    delivery is a pending payment of the total."""
    if given.provider not in CUSTOMER_PROVIDERS:
        raise ValidationFailed(f"{given.provider.value} is not a payment the app can report.", field="payment.provider")
    if given.status not in ACCEPTED_STATES:
        raise ValidationFailed("A payment at checkout is completed, authorized or pending.", field="payment.status")
    if given.provider == PaymentProvider.COD and given.status != PaymentState.PENDING:
        raise ValidationFailed("Cash on delivery is paid on delivery: its status at checkout is pending.",
                               field="payment.status")
    if given.status in (PaymentState.COMPLETED, PaymentState.AUTHORIZED) and given.amount is None:
        raise ValidationFailed(f"A {given.status.value} payment needs its amount: the order total is "
                               f"{total:.2f} {currency}.", field="payment.amount")
    if given.amount is not None and given.amount != total:
        raise ValidationFailed(f"The payment is for {given.amount:.2f} {currency} but the order total is "
                               f"{total:.2f} {currency}.", field="payment.amount")
    return Payment(provider=given.provider, status=given.status, amount=total, currency=currency,
                   reference=given.reference or None)


def _take_stock(lines: list[baskets.BasketLine]) -> None:
    """One conditional UPDATE per variant, in id order (so two checkouts never wait on each other in a circle)."""
    table = ProductVariant.__table__
    for line in sorted(lines, key=lambda line: line.variant.id):
        taken = db.session.execute(
            sa.update(table).where(table.c.id == line.variant.id, table.c.stock >= line.quantity)
            .values(stock=table.c.stock - line.quantity))
        if taken.rowcount != 1:
            left = db.session.scalar(sa.select(table.c.stock).where(table.c.id == line.variant.id))
            raise OutOfStock(baskets.out_of_stock_message(line.variant, left), variant_id=line.variant.id)
        db.session.expire(line.variant, ["stock"])  # the database has the new stock


def _order(customer: Customer, basket: Basket, branch: Branch, request: CheckoutRequest, priced,
           shipping: dict | None, lines: list[baskets.BasketLine]) -> Order:
    now = utcnow()
    express = request.delivery == DeliveryMethod.EXPRESS or request.fulfilment == FulfilmentMethod.COLLECTION
    order = Order(
        code=_order_code(now), customer_id=customer.id, customer_name=customer.name, customer_email=customer.email,
        customer_phone=customer.phone, branch=branch, channel=SalesChannel.INTERNAL,
        basket_reference=basket.reference, extra_data={"device": "app"}, status=OrderStatus.ORDERED,
        fulfilment_method=request.fulfilment, delivery_method=request.delivery, notes=request.notes or None,
        currency=priced.currency, subtotal=priced.subtotal, discount_total=priced.discount,
        tax_total=priced.tax_total, delivery_fee=priced.delivery_fee, total=priced.total, refunded_total=Decimal("0"),
        shipping_address=shipping, billing_address=shipping, created_at=now, updated_at=now,
        expected_delivery_at=now + timedelta(days=1 if express else 3),
    )
    for line, p in zip(lines, priced.lines):
        variant = line.variant
        order.items.append(OrderItem(
            product_id=variant.product_id, variant_id=variant.id, sku=variant.sku, barcode=variant.barcode,
            name=variant.name, variation=variant.attributes or [], quantity=line.quantity, mrp=variant.mrp,
            unit_price=p.line.unit_price, tax_rate=p.line.tax_rate, discount=p.line.discount,
            tax_amount=p.tax_amount, line_total=p.line_total, status=ItemStatus.ACTIVE,
        ))
    return order


def _order_code(now) -> str:
    """ORD-<local date>-<6 random characters>: unique without a round trip (the column is unique besides)."""
    return f"ORD-{now.astimezone(shop_zone()):%Y%m%d}-{''.join(secrets.choice(_CODE_ALPHABET) for _ in range(6))}"
