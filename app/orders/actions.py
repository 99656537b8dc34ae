"""Verbs on orders. Each checks the rules, changes state, writes events and flushes; never commits."""
from __future__ import annotations

from app.actors import Actor
from app.exceptions import RefundNeeded, ValidationFailed
from app.extensions import db
from app.models.order import Order, OrderEvent, PaymentState
from app.models.types import utcnow
from app.orders import events
from app.orders.queries import parcels_for
from app.orders.status import ORDER_MACHINE, ItemStatus, OrderStatus, derive_payment_status
from app.parcels.actions import take_back_parcel

NOTE_MAX = 2000


def change_order_status(order: Order, *, to: OrderStatus, actor: Actor, reason: str | None = None) -> OrderEvent:
    """Move ``order`` to ``to`` if the status machine allows it for ``actor``; record who and why.

    Cancelling goes through ``cancel_order``, which refuses an order that holds money (that needs a refund)."""
    if to == OrderStatus.CANCELLED:
        return cancel_order(order, actor=actor, reason=reason)
    src = order.status
    ORDER_MACHINE.check(src, to, actor.role)
    order.status = to
    if to == OrderStatus.FULFILLED:
        order.fulfilled_at = utcnow()
    return _record_move(order, src, to, actor, (reason or "").strip() or None)


def cancel_order(order: Order, *, actor: Actor, reason: str | None) -> OrderEvent:
    """Cancel ``order``, all in the caller's transaction: its remaining items are CANCELLED, its pending and
    authorised payments voided, its parcels that have not left the branch taken back, and the payment status
    recomputed (VOIDED: nothing is owed). An order holding money is refused (``RefundNeeded``): until the refund
    flow exists, nothing may cancel it and keep the money."""
    src = order.status
    ORDER_MACHINE.check(src, OrderStatus.CANCELLED, actor.role)
    reason = (reason or "").strip() or None
    if not reason:
        raise ValidationFailed("Say why the order is cancelled.", field="reason")
    if order.holds_money:
        raise RefundNeeded("order")
    order.status = OrderStatus.CANCELLED
    for item in order.items:
        if item.status == ItemStatus.ACTIVE:
            item.status = ItemStatus.CANCELLED
    _void_open_payments(order)
    recompute_payment_status(order)
    for parcel in parcels_for(order):
        take_back_parcel(parcel, order=order, reason=reason)
    return _record_move(order, src, OrderStatus.CANCELLED, actor, reason)


def _record_move(order: Order, src: OrderStatus, dst: OrderStatus, actor: Actor, reason: str | None) -> OrderEvent:
    order.updated_by_id = actor.staff_id
    event = events.status_changed_event(order=order, actor=actor, src=src, dst=dst, reason=reason)
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
    latest = order.payments[0].status.value if order.payments else None
    order.payment_status = derive_payment_status(order.total, order.paid_total, order.refunded_total, latest,
                                                 cancelled=order.status == OrderStatus.CANCELLED)


def _void_open_payments(order: Order) -> None:
    """Seed 004: cancelling an order cancels its pending payment attempts (and releases authorisations)."""
    for payment in order.payments:
        if payment.status in (PaymentState.PENDING, PaymentState.AUTHORIZED):
            payment.status = PaymentState.CANCELLED
