"""Verbs on orders. Each checks the rules, changes state, writes events and flushes; never commits."""
from __future__ import annotations

from app.actors import Actor
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models.order import Order, OrderEvent, PaymentState
from app.models.types import utcnow
from app.orders import events
from app.orders.status import ORDER_MACHINE, OrderStatus, derive_payment_status

NOTE_MAX = 2000


def change_order_status(order: Order, *, to: OrderStatus, actor: Actor, reason: str | None = None) -> OrderEvent:
    """Move ``order`` to ``to`` if the status machine allows it for ``actor``; record who and why."""
    src = order.status
    ORDER_MACHINE.check(src, to, actor.role)
    reason = (reason or "").strip() or None
    if to == OrderStatus.CANCELLED:
        if not reason:
            raise ValidationFailed("Say why the order is cancelled.", field="reason")
        _cancel_pending_payments(order)
        recompute_payment_status(order)
    order.status = to
    if to == OrderStatus.FULFILLED:
        order.fulfilled_at = utcnow()
    order.updated_by_id = actor.staff_id
    event = events.status_changed_event(order=order, actor=actor, src=src, dst=to, reason=reason)
    db.session.flush()
    return event


def add_internal_note(order: Order, *, actor: Actor, message: str) -> OrderEvent:
    message = (message or "").strip()
    if not message:
        raise ValidationFailed("Write something in the note.", field="message")
    if len(message) > NOTE_MAX:
        raise ValidationFailed(f"Notes are at most {NOTE_MAX} characters.", field="message")
    event = events.note_added_event(order=order, actor=actor, message=message)
    order.updated_by_id = actor.staff_id
    order.updated_at = utcnow()  # a note is a change the list's "modified" filter should see
    db.session.flush()
    return event


def recompute_payment_status(order: Order) -> None:
    """The one function that stores the derived payment status."""
    completed = sum((p.amount for p in order.payments if p.status == PaymentState.COMPLETED), order.total * 0)
    refunded = order.refunded_total
    latest = order.payments[0].status.value if order.payments else None
    order.payment_status = derive_payment_status(order.total, completed, refunded, latest)


def _cancel_pending_payments(order: Order) -> None:
    """Seed 004: cancelling an order cancels its pending payment attempts."""
    for payment in order.payments:
        if payment.status in (PaymentState.PENDING, PaymentState.AUTHORIZED):
            payment.status = PaymentState.CANCELLED
