"""Verbs on parcels. Like every action: check the machine, change state, write events, flush; never commit."""
from __future__ import annotations

from app.actors import Actor
from app.extensions import db
from app.models import Order, Parcel, ParcelEvent
from app.orders import events as order_events
from app.parcels.status import NOT_DISPATCHED, PARCEL_MACHINE, ParcelStatus


def take_back_parcel(parcel: Parcel, *, order: Order, reason: str) -> ParcelEvent | None:
    """Take ``order``'s goods back out of a parcel that has not left the branch (its order was cancelled).

    A parcel that carries only this order's items is RETURNED (a system move); one shared with other orders
    keeps its status and loses this order's items. Both are written on the parcel's timeline and the
    order's. A parcel already dispatched is left alone (that is a return, not a take-back): returns None.
    """
    if parcel.status not in NOT_DISPATCHED:
        return None
    actor = Actor.system()
    mine = [pi for pi in parcel.items if pi.order_id == order.id]
    if not mine:
        return None
    src = parcel.status
    if len(mine) == len(parcel.items):
        PARCEL_MACHINE.check(src, ParcelStatus.RETURNED, actor.role)
        parcel.status = ParcelStatus.RETURNED
        text, summary = f"Taken back: order {order.code} was cancelled ({reason})", "taken back"
    else:
        for pi in mine:
            parcel.items.remove(pi)
            db.session.delete(pi)
        text = f"Items of order {order.code} taken out: the order was cancelled ({reason}); repack the rest"
        summary = "still carries other orders' items: this order's items were taken out"
    event = ParcelEvent(from_status=src.value, to_status=parcel.status.value, message=text,
                        data={"order_id": order.id, "order_code": order.code}, **actor.stamp())
    parcel.events.append(event)
    order_events.parcel_event(order=order, actor=actor, message=f"Parcel {parcel.code} {summary}",
                              data={"parcel_id": parcel.id, "parcel_code": parcel.code, "from": src.value,
                                    "to": parcel.status.value})
    db.session.flush()
    return event
