"""Staff reads: the order list with the pages' filter vocabulary, and one full order. Scoped exactly as the pages
(another branch's order is a 404)."""
from __future__ import annotations

from typing import Any

from flask import g, request
from pydantic import BaseModel, ConfigDict
from spectree import Response

from app.api import bp, spec
from app.api.auth import staff_required
from app.api.envelope import ok
from app.api.errors import APIError
from app.api.schemas import DbId, Envelope, ErrorEnvelope, Money, Pagination, Timestamp, money, timestamp
from app.orders import listing, queries
from app.orders.filters import parse_order_filter

STAFF_ERRORS = {"HTTP_401": ErrorEnvelope, "HTTP_403": ErrorEnvelope, "HTTP_404": ErrorEnvelope}


class OrderListQuery(BaseModel):
    """The order list's filter vocabulary (the same parameters as /orders, parsed by the same OrderFilter).
    Lists are repeated keys or comma-separated values."""

    model_config = ConfigDict(extra="allow")
    q: str | None = None
    status: str | None = None
    payment_status: str | None = None
    method: str | None = None
    delivery: str | None = None
    channel: str | None = None
    branch: str | None = None
    branch_group: str | None = None
    customer: str | None = None
    currency: str | None = None
    gift_box: str | None = None
    created_from: str | None = None
    created_to: str | None = None
    modified_from: str | None = None
    modified_to: str | None = None
    total_min: str | None = None
    total_max: str | None = None
    sort: str | None = None
    direction: str | None = None
    page: str | None = None
    per_page: str | None = None


class BranchRef(BaseModel):
    id: int
    code: str
    name: str


class CustomerRef(BaseModel):
    id: int | None
    name: str
    email: str | None
    phone: str | None


class OrderItemOut(BaseModel):
    id: int
    variant_id: int | None
    sku: str
    barcode: str | None
    name: str
    variation: list[dict[str, Any]]
    quantity: int
    unit_price: Money
    line_total: Money
    status: str
    refunded_quantity: int


class PaymentOut(BaseModel):
    id: int
    provider: str
    reference: str | None
    status: str
    amount: Money
    currency: str
    created_at: Timestamp
    updated_at: Timestamp


class ParcelRef(BaseModel):
    id: int
    code: str
    status: str


class EventOut(BaseModel):
    type: str
    at: Timestamp
    actor_type: str
    actor: str
    from_status: str | None
    to_status: str | None
    message: str | None


class OrderSummaryOut(BaseModel):
    id: int
    code: str
    status: str
    payment_status: str
    fulfilment_method: str
    delivery_method: str
    channel: str
    external_reference: str | None
    branch: BranchRef
    customer: CustomerRef
    currency: str
    total: Money
    created_at: Timestamp
    updated_at: Timestamp


class OrderOut(OrderSummaryOut):
    basket_reference: str | None
    invoice_number: str | None
    subtotal: Money
    discount_total: Money
    tax_total: Money
    delivery_fee: Money
    paid_total: Money
    refunded_total: Money
    items: list[OrderItemOut]
    shipping_address: dict[str, Any] | None
    billing_address: dict[str, Any] | None
    payments: list[PaymentOut]
    parcels: list[ParcelRef]
    events: list[EventOut]
    extra_data: dict[str, Any]


class OrderListOut(BaseModel):
    orders: list[OrderSummaryOut]
    pagination: Pagination
    total_is_capped: bool


@bp.get("/orders")
@staff_required
@spec.validate(query=OrderListQuery, resp=Response(HTTP_200=Envelope[OrderListOut], HTTP_422=ErrorEnvelope,
                                                    **STAFF_ERRORS), tags=["staff orders"], security={"bearer": []})
def staff_orders():
    """Orders of the caller's branches, filtered and sorted as on /orders; `total` is capped at 10,000."""
    f = parse_order_filter(request.args)
    if not f.is_valid:
        errors = {name: [message] for name, message in f.errors.items()}
        raise APIError(422, "Some parameters are not valid: " + ", ".join(errors) + ".", code="invalid",
                       errors=errors)
    result = listing.run(g.api_staff, f)
    pages = max(1, -(-result.total // f.per_page))
    return ok({"orders": [order_summary(o) for o in result.orders],
               "pagination": {"total": result.total, "count": len(result.orders), "limit": f.per_page,
                              "current_page": f.page, "total_pages": pages},
               "total_is_capped": result.capped})


@bp.get("/orders/<int:order_id>")
@staff_required
@spec.validate(resp=Response(HTTP_200=Envelope[OrderOut], **STAFF_ERRORS), tags=["staff orders"],
               security={"bearer": []})
def staff_order(order_id: DbId):
    """One order in full: items, payments, parcels and its timeline."""
    order = queries.get_order_or_404(order_id, g.api_staff)
    return ok(order_full(order))


def order_summary(order) -> dict:
    return {
        "id": order.id, "code": order.code, "status": order.status.value,
        "payment_status": order.payment_status.value, "fulfilment_method": order.fulfilment_method.value,
        "delivery_method": order.delivery_method.value, "channel": order.channel.value,
        "external_reference": order.external_reference,
        "branch": {"id": order.branch.id, "code": order.branch.code, "name": order.branch.name},
        "customer": {"id": order.customer_id, "name": order.customer_name, "email": order.customer_email,
                     "phone": order.customer_phone},
        "currency": order.currency, "total": money(order.total),
        "created_at": timestamp(order.created_at), "updated_at": timestamp(order.updated_at),
    }


def order_full(order) -> dict:
    return order_summary(order) | {
        "basket_reference": order.basket_reference, "invoice_number": order.invoice_number,
        "subtotal": money(order.subtotal), "discount_total": money(order.discount_total),
        "tax_total": money(order.tax_total), "delivery_fee": money(order.delivery_fee),
        "paid_total": money(order.paid_total), "refunded_total": money(order.refunded_total),
        "items": [{
            "id": i.id, "variant_id": i.variant_id, "sku": i.sku, "barcode": i.barcode, "name": i.name,
            "variation": i.variation or [], "quantity": i.quantity, "unit_price": money(i.unit_price),
            "line_total": money(i.line_total), "status": i.status.value, "refunded_quantity": i.refunded_quantity,
        } for i in order.items],
        "shipping_address": order.shipping_address, "billing_address": order.billing_address,
        "payments": [{
            "id": p.id, "provider": p.provider.value, "reference": p.reference, "status": p.status.value,
            "amount": money(p.amount), "currency": p.currency, "created_at": timestamp(p.created_at),
            "updated_at": timestamp(p.updated_at),
        } for p in order.payments],
        "parcels": [{"id": p.id, "code": p.code, "status": p.status.value} for p in queries.parcels_for(order)],
        "events": [{
            "type": e.type.value, "at": timestamp(e.created_at), "actor_type": e.actor_type.value,
            "actor": e.actor_label, "from_status": e.from_status, "to_status": e.to_status, "message": e.message,
        } for e in order.events],
        "extra_data": order.extra_data or {},
    }
