"""What a customer may do to their own orders (cancel, ask for a return), and what an admin may do to a
customer's API access (revoke every token). Each verb checks the rules, changes state, writes the timeline and
flushes; the caller commits once. The caller also scopes: ``order`` is already known to be ``customer``'s
(``app.customers.queries.customer_order_or_404``, with ``for_update=True`` so two requests cannot both pass the
checks).

The rules are tables of plain predicates (``cancel_refusal``, ``return_refusal``) so tests and docs can list
them case by case; see docs/STATUSES.md "What a customer may do".
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.actors import Actor
from app.exceptions import CancellationRefused, ReturnAlreadyRequested, ValidationFailed
from app.extensions import db
from app.models import Customer, Order, OrderEvent, OrderItem, PaymentState, ReturnItem, ReturnRequest, ReturnStatus
from app.models.types import utcnow
from app.orders import events
from app.orders.actions import change_order_status
from app.orders.queries import parcels_for
from app.orders.status import ItemStatus, OrderStatus
from app.parcels.status import HANDED_OVER, ParcelStatus

O = OrderStatus
CUSTOMER_CANCEL_REASON = "Cancelled by the customer in the app"
REASON_MAX = 1000

# A payment in one of these states means money was taken: the order is paid (or was), no cancelling.
MONEY_TAKEN = frozenset({PaymentState.COMPLETED, PaymentState.DISPUTED, PaymentState.REFUNDED})
# Return requests that still hold their items (a rejected one gives them back; a refunded one is settled).
OPEN_RETURNS = frozenset({ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED})

# Why a customer cannot cancel, by order status (statuses not listed may be cancelled if nothing is packed or paid).
_CANCEL_REFUSALS = {
    O.CANCELLED: "This order is already cancelled.",
    O.REFUNDED: "This order has already been refunded.",
    O.FULFILLED: "This order has been delivered, so it can no longer be cancelled: request a return instead.",
    O.PARTIALLY_REFUNDED: "This order has been delivered, so it can no longer be cancelled: request a return instead.",
    O.PARTIALLY_FULFILLED: "This order is on its way, so it can no longer be cancelled: request a return once it "
                           "is delivered.",
    O.DELIVERY_READY: "This order is already packed, so it can no longer be cancelled.",
}
PACKED = "This order is already packed, so it can no longer be cancelled."
PAID = "This order is paid online, so it can no longer be cancelled: request a return instead."


# --- cancelling --------------------------------------------------------------------------------------

def cancel_refusal(order: Order, parcels) -> str | None:
    """Why the customer may not cancel ``order`` (None: they may). Seed 001: only before "Packed" (no parcel
    PACKED or beyond, status before DELIVERY-READY); seed 001/004: only while nothing is paid (cash on delivery,
    or an online payment still pending, authorised or failed: those attempts are cancelled with the order)."""
    if refusal := _CANCEL_REFUSALS.get(order.status):
        return refusal
    if any(p.status != ParcelStatus.OPEN for p in parcels):
        return PACKED
    if any(p.status in MONEY_TAKEN for p in order.payments):
        return PAID
    return None


def customer_cancel_order(order: Order, *, customer: Customer, reason: str | None = None) -> OrderEvent:
    """Cancel the customer's own order, or raise ``CancellationRefused`` (400) saying why not.

    The move itself is the shared ``change_order_status`` (status machine for the customer role, pending and
    authorised payments cancelled, payment status recomputed), written on the timeline with the customer as
    actor."""
    refusal = cancel_refusal(order, parcels_for(order))
    if refusal:
        raise CancellationRefused(refusal)
    reason = (reason or "").strip()[:REASON_MAX] or CUSTOMER_CANCEL_REASON
    return change_order_status(order, to=O.CANCELLED, actor=Actor.customer(customer), reason=reason)


# --- returns -----------------------------------------------------------------------------------------

def is_delivered(order: Order, item: OrderItem) -> bool:
    """Delivered or collected: the item's status says so (its parcel was handed over), or staff marked the whole
    order FULFILLED by hand while the item was still ACTIVE."""
    return item.status == ItemStatus.FULFILLED or (item.status == ItemStatus.ACTIVE and order.status == O.FULFILLED)


def delivery_times(order: Order, parcels) -> dict[int, datetime]:
    """When each item of ``order`` reached the customer: the latest hand-over of one of ``parcels`` (the order's)
    carrying it."""
    times: dict[int, datetime] = {}
    for parcel in parcels:
        if parcel.status in HANDED_OVER and parcel.delivered_at is not None:
            for pi in parcel.items:
                if pi.order_id == order.id:
                    times[pi.order_item_id] = max(times.get(pi.order_item_id, parcel.delivered_at),
                                                  parcel.delivered_at)
    return times


def returnable_quantity(item: OrderItem) -> int:
    return item.quantity - item.refunded_quantity


def return_refusal(order: Order, item: OrderItem, *, delivered_at: datetime | None, now: datetime,
                   window_days: int) -> str | None:
    """Why ``item`` cannot be returned now (None: it can). A pending request for it is a conflict, checked
    before this (``ReturnAlreadyRequested``)."""
    name = f"“{item.name}”"
    if item.status == ItemStatus.RETURNED:
        return f"{name} has already been returned."
    if item.status == ItemStatus.REFUNDED or returnable_quantity(item) <= 0:
        return f"{name} has already been refunded."
    if item.status in (ItemStatus.CANCELLED, ItemStatus.REJECTED):
        return f"{name} was not supplied, so there is nothing to return."
    if not is_delivered(order, item):
        return f"{name} has not been delivered yet: it can be returned once it is."
    since = delivered_at or order.fulfilled_at or order.updated_at
    closes = since + timedelta(days=window_days)
    if now > closes:
        return f"The return window for {name} closed on {closes:%Y-%m-%d} ({window_days} days after delivery)."
    return None


def request_return(order: Order, *, customer: Customer, item_ids: list[int], quantities: list[int] | None,
                   reason: str, window_days: int, now: datetime | None = None) -> ReturnRequest:
    """The customer asks to return items of their delivered order: a ReturnRequest (REQUESTED) that staff will
    review, its items RETURN-REQUESTED, a RETURN event on the timeline with the customer as actor.

    ``quantities`` (optional, one per item id) defaults to each item's remaining quantity (ordered − refunded).
    Refusals: an item not in the order, not delivered, returned, refunded or past the window, or a quantity
    above what remains → ``ValidationFailed`` naming the field; an item already in an open request →
    ``ReturnAlreadyRequested`` (409)."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the items are being returned.", field="return_reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"The reason is at most {REASON_MAX} characters.", field="return_reason")
    items = _items_asked_for(order, item_ids)
    if quantities is not None and len(quantities) != len(item_ids):
        raise ValidationFailed("Give one quantity per item in order_items_id, in the same order.", field="quantities")
    _refuse_open_requests(order, items)
    times = delivery_times(order, parcels_for(order))
    lines = []
    for n, item in enumerate(items):
        refusal = return_refusal(order, item, delivered_at=times.get(item.id), now=now, window_days=window_days)
        if refusal:
            raise ValidationFailed(refusal, field="order_items_id")
        quantity = returnable_quantity(item) if quantities is None else quantities[n]
        if not 1 <= quantity <= returnable_quantity(item):
            raise ValidationFailed(f"At most {returnable_quantity(item)} of “{item.name}” can be returned.",
                                   field="quantities")
        lines.append(ReturnItem(order_item_id=item.id, quantity=quantity))
    request = ReturnRequest(order_id=order.id, customer_id=customer.id, reason=reason, status=ReturnStatus.REQUESTED,
                            items=lines)
    db.session.add(request)
    db.session.flush()  # the event names the request's id
    for item in items:
        item.status = ItemStatus.RETURN_REQUESTED
    events.return_event(order=order, actor=Actor.customer(customer), request=request, dst=ReturnStatus.REQUESTED)
    order.updated_at = now  # staff's "modified" filter sees the request
    db.session.flush()
    return request


def _items_asked_for(order: Order, item_ids: list[int]) -> list[OrderItem]:
    if not item_ids:
        raise ValidationFailed("Name at least one item to return.", field="order_items_id")
    if len(set(item_ids)) != len(item_ids):
        raise ValidationFailed("Name each item once.", field="order_items_id")
    by_id = {i.id: i for i in order.items}
    unknown = [str(i) for i in item_ids if i not in by_id]
    if unknown:
        raise ValidationFailed(f"Not items of order {order.code}: {', '.join(unknown)}.", field="order_items_id")
    return [by_id[i] for i in item_ids]


def _refuse_open_requests(order: Order, items: list[OrderItem]) -> None:
    """409 when a return is already requested for any of the items (the item's status says so, or an open
    request lists it)."""
    ids = [i.id for i in items]
    listed = set(db.session.scalars(
        sa.select(ReturnItem.order_item_id).join(ReturnRequest)
        .where(ReturnRequest.order_id == order.id, ReturnRequest.status.in_(OPEN_RETURNS),
               ReturnItem.order_item_id.in_(ids))))
    taken = [i for i in items if i.status == ItemStatus.RETURN_REQUESTED or i.id in listed]
    if taken:
        names = ", ".join(f"“{i.name}”" for i in taken)
        raise ReturnAlreadyRequested(f"A return is already requested for {names}.")


# --- API access --------------------------------------------------------------------------------------

def revoke_api_tokens(customer: Customer, *, actor: Actor) -> int:
    """Every bearer token issued to ``customer`` stops working (the JWT ``ver`` claim must match
    ``api_token_version``); who did it and when are kept on the customer. Returns the new version."""
    customer.api_token_version += 1
    customer.api_tokens_revoked_at = utcnow()
    customer.api_tokens_revoked_by_id = actor.staff_id
    db.session.flush()
    return customer.api_token_version
