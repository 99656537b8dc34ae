"""The customer's view of an order in seed 004's shape: items, shipping address, ``is_fully_paid``, one
``shipment`` (the order's parcels seen as one delivery, with their events) and payments newest first.

Used by GET /customer/orders, GET /customer/orders/{id} and the checkout answer (schemas: app/customers/schemas.py).
"""
from __future__ import annotations

from app.api.schemas import money, timestamp
from app.models import Order, OrderEventType
from app.orders import queries
from app.orders.status import CUSTOMER_APP_STATUS
from app.parcels.status import ParcelStatus

# A parcel status as the customer's shipment status (seed 004 speaks of ORDER_PLACED ... DELIVERED).
SHIPMENT_STATUS = {
    ParcelStatus.OPEN: "PROCESSING",
    ParcelStatus.PACKED: "PACKED",
    ParcelStatus.READY: "READY",
    ParcelStatus.COLLECTED_BY_DRIVER: "IN_TRANSIT",
    ParcelStatus.IN_TRANSIT: "IN_TRANSIT",
    ParcelStatus.ARRIVED: "OUT_FOR_DELIVERY",
    ParcelStatus.DELIVERED: "DELIVERED",
    ParcelStatus.COLLECTED: "COLLECTED",
    ParcelStatus.RETURNED: "RETURNED",
}
# Least advanced first: an order split over parcels shows the status of its least advanced parcel.
_PROGRESS = list(SHIPMENT_STATUS)
_PARCEL_STATUS = {s.value: s for s in ParcelStatus}


def order_004(order: Order, parcels=None) -> dict:
    parcels = queries.parcels_for(order) if parcels is None else parcels
    return {
        "id": order.id, "code": order.code, "user": order.customer_id, "status": order.status.value,
        "order_status": CUSTOMER_APP_STATUS[order.status], "payment_status": order.payment_status.value,
        "fulfilment_method": order.fulfilment_method.value, "delivery_method": order.delivery_method.value,
        "branch_id": order.branch_id, "bill_no": order.invoice_number,
        "shipping_address": order.shipping_address,
        "subtotal": money(order.subtotal), "discount": money(order.discount_total),
        "shipping_fee": money(order.delivery_fee), "tax": money(order.tax_total), "total": money(order.total),
        "currency": order.currency, "is_fully_paid": order.is_fully_paid, "notes": order.notes or "",
        "created_at": timestamp(order.created_at), "updated_at": timestamp(order.updated_at),
        "items": [{
            "id": i.id, "product": i.product_id, "variant": i.variant_id, "sku": i.sku, "product_name": i.name,
            "variant_description": i.variation_text, "barcode": i.barcode or "", "quantity": i.quantity,
            "unit_price": money(i.unit_price), "line_total": money(i.line_total), "status": i.status.value,
        } for i in order.items],
        "shipment": shipment(order, parcels),
        "payments": [{
            "id": p.id, "provider": p.provider.value.lower(), "status": p.status.value, "amount": money(p.amount),
            "currency": p.currency, "reference": p.reference or "", "created_at": timestamp(p.created_at),
            "updated_at": timestamp(p.updated_at),
        } for p in order.payments],  # the relationship is ordered newest first
    }


def shipment(order: Order, parcels) -> dict:
    """The order's parcels as one shipment. Events: the order being placed, then every parcel event (oldest
    first), so the app can draw a timeline."""
    placed = next((e for e in reversed(order.events) if e.type in (OrderEventType.PLACED, OrderEventType.IMPORTED)),
                  None)
    events = [{"id": f"order-{placed.id}" if placed else "order", "status": "ORDER_PLACED", "message": "Order placed",
               "location": "", "occurred_at": timestamp(placed.created_at if placed else order.created_at)}]
    for parcel in parcels:
        for e in sorted(parcel.events, key=lambda e: (e.created_at, e.id)):
            to = _PARCEL_STATUS.get(e.to_status or "")
            events.append({"id": f"parcel-{e.id}", "status": SHIPMENT_STATUS[to] if to else "UPDATE",
                           "message": e.message or (f"Parcel {parcel.code}: {to.label}" if to
                                                    else f"Parcel {parcel.code} updated"),
                           "location": e.location or "", "occurred_at": timestamp(e.created_at)})
    events.sort(key=lambda e: e["occurred_at"])
    lead = min(parcels, key=lambda p: _PROGRESS.index(p.status)) if parcels else None
    status = SHIPMENT_STATUS[lead.status] if lead else ("CANCELLED" if order.status == "CANCELLED" else "ORDER_PLACED")
    delivered = [p.delivered_at for p in parcels if p.delivered_at]
    return {
        "id": lead.id if lead else None, "status": status,
        "carrier": (lead.courier or "") if lead else "", "tracking_number": (lead.tracking_number or "") if lead else "",
        "tracking_url": (lead.tracking_url or "") if lead else "",
        "estimated_delivery_at": timestamp((lead.estimated_delivery_at if lead else None) or order.expected_delivery_at),
        "delivered_at": timestamp(max(delivered)) if parcels and len(delivered) == len(parcels) else None,
        "created_at": timestamp(lead.created_at if lead else order.created_at),
        "updated_at": timestamp(max([p.updated_at for p in parcels], default=order.updated_at)),
        "events": events,
    }
