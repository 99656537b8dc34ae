"""One factory per order event type. Each returns an unsaved OrderEvent added to the order."""
from __future__ import annotations

from app.actors import Actor
from app.models.order import Order, OrderEvent, OrderEventType


def _event(order: Order, actor: Actor, type_: OrderEventType, **fields) -> OrderEvent:
    event = OrderEvent(type=type_, customer_id=actor.customer_id, data=fields.pop("data", {}) or {},
                       **actor.stamp(), **fields)
    order.events.append(event)
    return event


def order_placed_event(*, order: Order, actor: Actor, message: str | None = None) -> OrderEvent:
    type_ = OrderEventType.IMPORTED if actor.type.value == "CHANNEL" else OrderEventType.PLACED
    return _event(order, actor, type_, to_status=order.status.value, message=message or "Order placed")


def status_changed_event(*, order: Order, actor: Actor, src, dst, reason: str | None) -> OrderEvent:
    return _event(order, actor, OrderEventType.STATUS_CHANGED, from_status=src.value, to_status=dst.value,
                  message=reason)


def note_added_event(*, order: Order, actor: Actor, message: str) -> OrderEvent:
    return _event(order, actor, OrderEventType.NOTE_ADDED, message=message)


def payment_event(*, order: Order, actor: Actor, message: str, data: dict) -> OrderEvent:
    return _event(order, actor, OrderEventType.PAYMENT, message=message, data=data)


def parcel_event(*, order: Order, actor: Actor, message: str, data: dict) -> OrderEvent:
    return _event(order, actor, OrderEventType.PARCEL, message=message, data=data)


def refund_event(*, order: Order, actor: Actor, message: str, data: dict, src=None, dst=None) -> OrderEvent:
    return _event(order, actor, OrderEventType.REFUND, message=message, data=data,
                  from_status=getattr(src, "value", src), to_status=getattr(dst, "value", dst))



def return_event(*, order: Order, actor: Actor, request, src=None, dst) -> OrderEvent:
    """A return request (``app.models.refund.ReturnRequest``, flushed: it needs its id) changed status."""
    return _event(order, actor, OrderEventType.RETURN, message=f"Return {dst.value.lower()}: {request.reason}",
                  data={"return_request_id": request.id, "status": dst.value,
                        "items": [{"order_item_id": ri.order_item_id, "quantity": ri.quantity} for ri in request.items]},
                  from_status=getattr(src, "value", src), to_status=dst.value)
