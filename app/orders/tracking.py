"""Where an order is on its way to the customer, read from its parcels and their events (pure functions).

- ``milestones``: when the order was placed, packed, shipped and delivered (seed 001's tracking stages).
- ``delivery_outlook``: the delivery date (when it was delivered, else when it is expected), its weekday in the
  shop's time zone, and whether it is On-Time, Early or Delayed.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app.orders.status import OrderStatus
from app.parcels.status import HANDED_OVER, ParcelStatus

P = ParcelStatus
# How far a parcel status has brought the order: packed (1), shipped (2), handed over (3). A parcel that skipped
# a stage still counts for it (a parcel first seen IN-TRANSIT was packed then too).
STAGE = {P.OPEN: 0, P.PACKED: 1, P.READY: 1, P.COLLECTED_BY_DRIVER: 2, P.IN_TRANSIT: 2, P.ARRIVED: 2,
         P.DELIVERED: 3, P.COLLECTED: 3, P.RETURNED: 0}
_BY_VALUE = {s.value: s for s in ParcelStatus}

ON_TIME, EARLY, DELAYED = "On-Time", "Early", "Delayed"
# Orders that will not be delivered (any more) have no delivery outlook.
NOT_DELIVERING = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED})


@dataclass(frozen=True)
class Milestones:
    placed: datetime
    packed: datetime | None
    shipped: datetime | None
    delivered: datetime | None
    cancelled: datetime | None


@dataclass(frozen=True)
class DeliveryOutlook:
    date: datetime | None  # delivered at, else expected at
    day: str | None  # its weekday in the shop's zone ("Friday")
    status: str | None  # On-Time | Early | Delayed (None: nothing expected, or not being delivered)


def delivery_outlook(*, expected: datetime | None, delivered: datetime | None, now: datetime, zone: ZoneInfo,
                     delivering: bool = True) -> DeliveryOutlook:
    """Compare calendar days in ``zone``: delivered before the expected day is Early, on it On-Time, after it
    Delayed; not yet delivered is Delayed once the expected day has passed, else On-Time."""
    date = delivered or (expected if delivering else None)
    day = date.astimezone(zone).strftime("%A") if date else None
    if expected is None or (delivered is None and not delivering):
        return DeliveryOutlook(date, day, None)
    due = expected.astimezone(zone).date()
    actual = (delivered or now).astimezone(zone).date()
    if actual > due:
        status = DELAYED
    elif delivered is not None and actual < due:
        status = EARLY
    else:
        status = ON_TIME
    return DeliveryOutlook(date, day, status)


@dataclass(frozen=True)
class ParcelSummary:
    """What the delivery outlook needs of an order's parcels. ``summarize`` makes it from parcels; a list page
    reads the same four numbers in SQL (``app.customers.queries.my_orders_page``), so one rule serves both."""

    parcels: int = 0
    handed_over: int = 0  # parcels handed over (delivered or collected) with a hand-over time
    last_handed_over_at: datetime | None = None  # the latest of those times
    latest_estimate: datetime | None = None  # the latest estimate of the parcels still on their way


def summarize(parcels) -> ParcelSummary:
    parcels = list(parcels)
    handed = [p.delivered_at for p in parcels if p.status in HANDED_OVER and p.delivered_at]
    estimates = [p.estimated_delivery_at for p in parcels if p.estimated_delivery_at and p.status not in HANDED_OVER]
    return ParcelSummary(len(parcels), len(handed), max(handed, default=None), max(estimates, default=None))


def _summary(parcels) -> ParcelSummary:
    return parcels if isinstance(parcels, ParcelSummary) else summarize(parcels)


def delivered_at(order, parcels) -> datetime | None:
    """When the last parcel was handed over, once every parcel is; without parcels, when the order was
    fulfilled. ``parcels``: the order's parcels, or their ``ParcelSummary``."""
    s = _summary(parcels)
    if s.parcels:
        return s.last_handed_over_at if s.handed_over == s.parcels else None
    return order.fulfilled_at


def expected_at(order, parcels) -> datetime | None:
    """The latest estimate of the parcels still on their way, else the order's promise."""
    return _summary(parcels).latest_estimate or order.expected_delivery_at


def order_outlook(order, parcels, *, now: datetime, zone: ZoneInfo) -> DeliveryOutlook:
    s = _summary(parcels)
    return delivery_outlook(expected=expected_at(order, s), delivered=delivered_at(order, s), now=now,
                            zone=zone, delivering=order.status not in NOT_DELIVERING)


def milestones(order, parcels: Iterable) -> Milestones:
    """Each stage's time: the first parcel event that reached it (any parcel of the order); an order moved to
    DELIVERY-READY by hand without parcel events counts as packed then. Delivered: ``delivered_at``."""
    parcels = list(parcels)
    first: dict[int, datetime] = {}
    for parcel in parcels:
        for event in parcel.events:
            stage = STAGE.get(_BY_VALUE.get(event.to_status or ""), 0)
            for s in range(1, stage + 1):
                if s not in first or event.created_at < first[s]:
                    first[s] = event.created_at
    placed = order.created_at
    cancelled = None
    for event in sorted(order.events, key=lambda e: (e.created_at, e.id or 0)):
        if event.type.value in ("PLACED", "IMPORTED"):
            placed = event.created_at
        elif event.to_status == OrderStatus.DELIVERY_READY.value and 1 not in first:
            first[1] = event.created_at
        elif event.to_status == OrderStatus.CANCELLED.value and cancelled is None:
            cancelled = event.created_at
    delivered = delivered_at(order, parcels)
    shipped = first.get(2) or delivered
    return Milestones(placed=placed, packed=first.get(1) or shipped, shipped=shipped, delivered=delivered,
                      cancelled=cancelled)
