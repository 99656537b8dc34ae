"""Seed 001's views of a customer's order: a my-orders row, the tracking card and the order summary.

Plain dicts for the API's response models (app/customers/api_orders.py). Status words: ``order_status`` is seed
001's vocabulary (``CUSTOMER_APP_STATUS``, docs/STATUSES.md); ``payment_status`` is our payment status in lower
case (``paid``, ``pending``, ``partially-paid`` ...); ``payment_type`` the newest payment's provider in lower case
(``card``, ``cod``, ``eft`` ...), null before any payment.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.api.schemas import money, timestamp
from app.customers.serializers import shipment
from app.orders import tracking
from app.orders.status import CUSTOMER_APP_STATUS, ItemStatus
from app.orders.tax import order_tax

RETURNED_ITEM = frozenset({ItemStatus.RETURN_REQUESTED, ItemStatus.RETURNED, ItemStatus.REFUNDED})


@dataclass(frozen=True)
class ViewSettings:
    now: datetime
    zone: ZoneInfo  # the shop's time zone: a delivery's weekday is the customer's day
    delivery_tax_rate: Decimal


def head(order, *, provider=...) -> dict:
    """Fields every view starts with. ``provider``: the newest payment's provider (None: no payment yet) when the
    caller read it already (my-orders reads it in its page query), else from ``order.payments`` (newest first)."""
    if provider is ...:
        provider = order.payments[0].provider if order.payments else None
    return {
        "id": order.id, "order_code": order.code, "bill_no": order.invoice_number,
        "order_status": CUSTOMER_APP_STATUS[order.status], "payment_status": order.payment_status.value.lower(),
        "payment_type": provider.value.lower() if provider else None, "currency": order.currency,
    }


def _outlook(order, parcels, settings: ViewSettings) -> dict:
    outlook = tracking.order_outlook(order, parcels, now=settings.now, zone=settings.zone)
    return {"delivery_date": timestamp(outlook.date), "delivery_day": outlook.day,
            "delivery_delay_status": outlook.status}


def my_order(order, *, parcels, settings: ViewSettings) -> dict:
    """A row of ``app.customers.queries.my_orders_page``: the order's columns, ``products`` and ``provider``."""
    return head(order, provider=order.provider) | {
        "number_of_products": order.products, "total_amount": money(order.total),
        "order_date": timestamp(order.created_at),
    } | _outlook(order, parcels, settings)


def order_tracking(order, parcels, settings: ViewSettings) -> dict:
    stages = tracking.milestones(order, parcels)
    ship = shipment(order, parcels)

    def stage(name: str, at, word: str) -> dict:
        return {f"order_{name}_date": timestamp(at), f"order_{name}_status": word if at else None}

    return (head(order) | stage("placed", stages.placed, "pending") | stage("packed", stages.packed, "packed")
            | stage("shipped", stages.shipped, "shipped") | stage("delivered", stages.delivered, "delivered")
            | stage("cancelled", stages.cancelled, "cancelled") | {
                "courier_name": ship["carrier"] or None, "courier_tracking_no": ship["tracking_number"] or None,
                "courier_tracking_url": ship["tracking_url"] or None, "shipment_status": ship["status"],
                "events": ship["events"],
            } | _outlook(order, parcels, settings))


def order_summary(order, settings: ViewSettings, *, lang_code: str | None = None) -> dict:
    tax = order_tax(order, delivery_tax_rate=settings.delivery_tax_rate)
    percentage = (order.discount_total * 100 / order.subtotal) if order.subtotal else Decimal("0")
    return head(order) | {
        "order_date": timestamp(order.created_at), "lang_code": lang_code or order.language_code,
        "sub_total": money(order.subtotal), "total_amount": money(order.total), "total_tax": money(tax.total),
        "split_tax": [{"key": t.key, "percentage": t.percentage, "value": money(t.tax), "taxable_amount": money(t.gross)}
                      for t in tax.lines],
        "delivery_charge": money(order.delivery_fee), "discount": money(order.discount_total),
        "discount_rate": money(order.discount_total), "discount_percentage": f"{percentage:.2f}",
        "order_details": [{
            "serial": n, "order_items_id": item.id, "product_id": item.product_id, "variant_id": item.variant_id,
            "sku": item.sku,
            "product": {
                "thumbnail": None, "name": item.name, "is_returned": item.status in RETURNED_ITEM,
                "variations": [{"attribute": v.get("attribute") or "", "attribute_value": v.get("value") or "",
                                "attribute_code": v.get("code")} for v in item.variation or []],
            },
            "item_status": item.status.value, "quantity": item.quantity,
            "mrp": money(item.mrp if item.mrp is not None else item.unit_price), "offer_price": money(item.unit_price),
            "total_price": money(item.line_total), "tax_rate": f"{item.tax_rate:.2f}",
        } for n, item in enumerate(order.items, start=1)],
    }
