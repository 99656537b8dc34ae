"""Parcel statuses and their allowed transitions."""
from __future__ import annotations

import enum

from app.labels import Labelled, sentence_case
from app.statemachine import SYS, S, StateMachine


class ParcelStatus(enum.StrEnum):
    OPEN = "OPEN"  # created, items being added
    PACKED = "PACKED"  # items packed into boxes
    READY = "READY"  # ready for the courier or for collection
    COLLECTED_BY_DRIVER = "COLLECTED-BY-DRIVER"  # a driver has it
    IN_TRANSIT = "IN-TRANSIT"  # on the way
    ARRIVED = "ARRIVED"  # at the delivery location
    DELIVERED = "DELIVERED"  # handed to the customer
    COLLECTED = "COLLECTED"  # the customer picked it up at the store
    RETURNED = "RETURNED"  # sent back to the sender

    @property
    def label(self) -> str:
        return sentence_case(self.value)


class ParcelMethod(Labelled):
    COURIER = "COURIER"  # third-party courier
    OWN_DRIVER = "OWN-DRIVER"  # the store's own driver
    COLLECTION = "COLLECTION"  # the customer collects at the branch


P = ParcelStatus
PARCEL_MACHINE = StateMachine(
    "parcel",
    {
        # -> RETURNED before dispatch: taken back because its order was cancelled (parcels.actions.take_back_parcel).
        P.OPEN: {P.PACKED: {S}, P.RETURNED: {SYS}},
        P.PACKED: {P.READY: {S}, P.OPEN: {S}, P.RETURNED: {SYS}},
        P.READY: {P.COLLECTED_BY_DRIVER: {S, SYS}, P.COLLECTED: {S}, P.PACKED: {S}, P.RETURNED: {SYS}},
        P.COLLECTED_BY_DRIVER: {P.IN_TRANSIT: {S, SYS}, P.RETURNED: {S, SYS}},
        P.IN_TRANSIT: {P.ARRIVED: {S, SYS}, P.DELIVERED: {S, SYS}, P.RETURNED: {S, SYS}},
        P.ARRIVED: {P.DELIVERED: {S, SYS}, P.RETURNED: {S, SYS}},
        P.DELIVERED: {},
        P.COLLECTED: {},
        P.RETURNED: {},
    },
)

FINISHED = frozenset({P.DELIVERED, P.COLLECTED, P.RETURNED})
HANDED_OVER = frozenset({P.DELIVERED, P.COLLECTED})
NOT_DISPATCHED = frozenset({P.OPEN, P.PACKED, P.READY})  # still at the branch: can be taken back
