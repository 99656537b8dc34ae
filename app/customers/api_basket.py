"""The customer's basket, reorder and checkout (seed 000's basket → order, seed 004's order in the answer).

GET /customer/basket prices the basket for delivery (or ``?fulfilment_method=COLLECTION``) and signs it; PUT
/customer/basket/items sets one line; POST /customer/reorder/{id} adds an old order's items at today's prices;
POST /customer/checkout places the order (201), or answers the same checkout again with the same order (200).
"""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from flask import current_app, g, request
from pydantic import BaseModel, EmailStr, Field, StringConstraints
from spectree import Response

from app.api import bp, spec
from app.api.auth import customer_required
from app.api.envelope import ok
from app.api.errors import APIError
from app.api.schemas import DbId, Envelope, ErrorEnvelope, Money, Strict, money
from app.customers import basket as baskets
from app.customers.checkout import CheckoutRequest, PaymentIn, checkout
from app.customers.queries import customer_order_or_404
from app.customers.schemas import Order004
from app.customers.serializers import order_004
from app.extensions import db
from app.models import PaymentProvider, PaymentState
from app.orders.status import DeliveryMethod, FulfilmentMethod

ERRORS = {"HTTP_401": ErrorEnvelope, "HTTP_403": ErrorEnvelope, "HTTP_422": ErrorEnvelope}
Text = Annotated[str, StringConstraints(max_length=255)]


# --- schemas ------------------------------------------------------------------------------------------

class BasketQuery(Strict):
    fulfilment_method: FulfilmentMethod = FulfilmentMethod.DELIVERY
    delivery_method: DeliveryMethod = DeliveryMethod.STANDARD


class BasketItemIn(Strict):
    variant_id: DbId
    quantity: int = Field(ge=0, le=baskets.MAX_QUANTITY, description="0 removes the item")


class BasketItemOut(BaseModel):
    variant_id: int
    product_id: int
    sku: str
    name: str
    attributes: list[dict[str, Any]]
    quantity: int
    unit_price: Money
    line_total: Money
    tax_rate: str
    stock: int
    available: bool


class BasketOut(BaseModel):
    reference: str
    signature: str
    currency: str
    fulfilment_method: str
    delivery_method: str
    items: list[BasketItemOut]
    subtotal: Money
    discount: Money
    delivery_fee: Money
    tax_total: Money
    total: Money


class ReorderLine(BaseModel):
    variant_id: int | None
    sku: str
    name: str
    quantity: int
    reason: str | None = None
    message: str | None = None


class ReorderOut(BaseModel):
    added: list[ReorderLine]
    not_added: list[ReorderLine]
    basket: BasketOut


class ShippingAddressIn(Strict):
    """Seed 004's address fields."""

    full_name: Annotated[str, StringConstraints(min_length=1, max_length=160)]
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    email: EmailStr | None = None
    address_line_1: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    address_line_2: Text | None = None
    city: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    state: Annotated[str, StringConstraints(max_length=120)] | None = None
    postal_code: Annotated[str, StringConstraints(max_length=20)] | None = None
    country: Annotated[str, StringConstraints(min_length=2, max_length=60)] = "ZA"


class PaymentBody(Strict):
    provider: PaymentProvider
    reference: Annotated[str, StringConstraints(max_length=120)] | None = None
    status: PaymentState
    amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2,
                                   description="Required for a completed or authorized payment: the order total")


class CheckoutIn(Strict):
    basket_reference: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    signature: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    fulfilment_method: FulfilmentMethod
    delivery_method: DeliveryMethod = DeliveryMethod.STANDARD
    branch_id: DbId
    address_id: DbId | None = None
    shipping_address: ShippingAddressIn | None = None
    payment: PaymentBody
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


# --- endpoints ----------------------------------------------------------------------------------------

@bp.get("/customer/basket")
@customer_required
@spec.validate(query=BasketQuery, resp=Response(HTTP_200=Envelope[BasketOut], **ERRORS), tags=["basket"],
               security={"bearer": []})
def basket(query: BasketQuery):
    """The caller's basket (created on first use), priced at today's prices and signed."""
    current = baskets.open_basket(g.api_customer)
    data = _basket_out(current, query.fulfilment_method, query.delivery_method)
    db.session.commit()
    return ok(data)


@bp.put("/customer/basket/items")
@customer_required
@spec.validate(json=BasketItemIn, query=BasketQuery,
               resp=Response(HTTP_200=Envelope[BasketOut], HTTP_409=ErrorEnvelope, **ERRORS), tags=["basket"],
               security={"bearer": []})
def basket_item(json: BasketItemIn, query: BasketQuery):
    """Set the quantity of one variant (0 removes it). More than in stock: 409 naming the item."""
    current = baskets.open_basket(g.api_customer, for_update=True)
    baskets.set_quantity(current, variant_id=json.variant_id, quantity=json.quantity)
    data = _basket_out(current, query.fulfilment_method, query.delivery_method)
    db.session.commit()
    return ok(data)


@bp.route("/customer/reorder/<int:order_id>", methods=["POST", "GET"])
@customer_required
@spec.validate(resp=Response(HTTP_200=Envelope[ReorderOut], HTTP_404=ErrorEnvelope, **ERRORS), tags=["basket"],
               security={"bearer": []})
def reorder(order_id: DbId):
    """Add one of the caller's orders to the basket at today's prices (GET accepted too, as the app calls it)."""
    order = customer_order_or_404(order_id, g.api_customer)
    current = baskets.open_basket(g.api_customer, for_update=True)
    added, not_added = baskets.reorder(current, order)
    data = {"added": added, "not_added": not_added,
            "basket": _basket_out(current, FulfilmentMethod.DELIVERY, DeliveryMethod.STANDARD)}
    db.session.commit()
    message = "Added to your basket." if not not_added else "Added what is available to your basket."
    return ok(data, message=message)


@bp.post("/customer/checkout")
@customer_required
@spec.validate(json=CheckoutIn, resp=Response(HTTP_201=Envelope[Order004], HTTP_200=Envelope[Order004],
                                              HTTP_409=ErrorEnvelope, **ERRORS), tags=["checkout"],
               security={"bearer": []})
def checkout_basket(json: CheckoutIn):
    """Place an order from the basket (201). The same checkout again answers 200 with the same order. An
    `Idempotency-Key` header is honoured: the same key with another body is a 422."""
    request_ = _checkout_request(json)
    try:
        result = checkout(g.api_customer, request_, secret_key=current_app.config["SECRET_KEY"])
    except sa.exc.IntegrityError:
        # Two requests with one Idempotency-Key on different baskets at the same moment: the unique key lets one
        # through; the other is told to retry (and then gets the first one's answer or a conflict).
        db.session.rollback()
        if not request_.idempotency_key:
            raise
        raise APIError(409, "Another request with this Idempotency-Key is being processed. Retry it.",
                       code="idempotency_in_progress") from None
    if result.created:
        # Serialised from the objects just written, before the commit expires them (no re-reads: checkout is
        # the API's busiest write); a failed commit raises and nothing is answered from them.
        data = order_004(result.order, parcels=[])
        db.session.commit()
        return ok(data, status=201, message="Order placed")
    db.session.commit()
    return ok(order_004(result.order), message="This basket was already checked out: the same order.")


# --- helpers ------------------------------------------------------------------------------------------

def _basket_out(current, fulfilment: FulfilmentMethod, delivery: DeliveryMethod) -> dict:
    lines = baskets.basket_lines(current)
    priced = baskets.price_lines(lines, fulfilment=fulfilment.value, delivery=delivery.value)
    signature = baskets.sign(current, lines, secret_key=current_app.config["SECRET_KEY"])
    return {
        "reference": current.reference, "signature": signature, "currency": priced.currency,
        "fulfilment_method": fulfilment.value, "delivery_method": delivery.value,
        "items": [{
            "variant_id": line.variant.id, "product_id": line.variant.product_id, "sku": line.variant.sku,
            "name": line.variant.name, "attributes": line.variant.attributes or [], "quantity": line.quantity,
            "unit_price": money(p.line.unit_price), "line_total": money(p.line_total),
            "tax_rate": f"{p.line.tax_rate:.2f}", "stock": line.variant.stock, "available": line.available,
        } for line, p in zip(lines, priced.lines)],
        "subtotal": money(priced.subtotal), "discount": money(priced.discount),
        "delivery_fee": money(priced.delivery_fee), "tax_total": money(priced.tax_total), "total": money(priced.total),
    }


def _checkout_request(body: CheckoutIn) -> CheckoutRequest:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key.strip()) <= 128:
        raise APIError(422, "Idempotency-Key is 1 to 128 characters.", code="invalid",
                       errors={"Idempotency-Key": ["1 to 128 characters."]})
    fingerprint = hashlib.sha256(json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
    return CheckoutRequest(
        basket_reference=body.basket_reference, signature=body.signature, fulfilment=body.fulfilment_method,
        delivery=body.delivery_method, branch_id=body.branch_id, address_id=body.address_id,
        shipping_address=_snapshot(body.shipping_address) if body.shipping_address else None, notes=body.notes,
        payment=PaymentIn(provider=body.payment.provider, status=body.payment.status, amount=body.payment.amount,
                          reference=body.payment.reference),
        fingerprint=fingerprint, idempotency_key=key.strip() if key else None,
    )


def _snapshot(address: ShippingAddressIn) -> dict:
    """Seed 004's address in the shape orders keep (``CustomerAddress.snapshot()``)."""
    first, _, last = address.full_name.partition(" ")
    country = address.country.upper() if len(address.country) == 2 else address.country
    return {"first_name": first, "last_name": last, "phone": address.phone, "email": address.email,
            "line1": address.address_line_1, "line2": address.address_line_2, "city": address.city,
            "district": address.state, "postcode": address.postal_code, "country": country, "company_name": None,
            "tax_office": None, "tax_number": None, "identity_number": None, "e_bill_taxpayer": False}
