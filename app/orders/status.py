"""Order and payment statuses, and the order's allowed transitions: the one place they live."""
from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal

from app.labels import Labelled, sentence_case
from app.statemachine import CH, SYS, C, M, Role, S, StateMachine  # noqa: F401


class OrderStatus(enum.StrEnum):
    ORDERED = "ORDERED"  # placed, awaiting processing
    PROCESSING = "PROCESSING"  # the store is preparing the order
    DELIVERY_READY = "DELIVERY-READY"  # packed and ready to ship or collect
    PARTIALLY_FULFILLED = "PARTIALLY-FULFILLED"  # some items delivered, others pending
    FULFILLED = "FULFILLED"  # all items delivered or collected
    CANCELLED = "CANCELLED"  # cancelled before completion
    REFUNDED = "REFUNDED"  # payment returned to the customer
    PARTIALLY_REFUNDED = "PARTIALLY-REFUNDED"  # some items refunded

    @property
    def label(self) -> str:
        return sentence_case(self.value)


class PaymentStatus(enum.StrEnum):
    PENDING = "PENDING"  # nothing received yet
    AUTHORIZED = "AUTHORIZED"  # card authorised, not captured
    PARTIALLY_PAID = "PARTIALLY-PAID"  # completed payments cover part of the total
    PAID = "PAID"  # completed payments cover the total
    FAILED = "FAILED"  # the last attempt failed
    REFUNDED = "REFUNDED"  # everything paid was returned
    PARTIALLY_REFUNDED = "PARTIALLY-REFUNDED"  # part of what was paid was returned
    DISPUTED = "DISPUTED"  # a chargeback is open
    EXPIRED = "EXPIRED"  # the payment window closed
    VOIDED = "VOIDED"  # the order was cancelled unpaid: its open attempts were voided, nothing is owed

    @property
    def label(self) -> str:
        return sentence_case(self.value)


class FulfilmentMethod(Labelled):
    DELIVERY = "DELIVERY"  # shipped to the customer's address
    COLLECTION = "COLLECTION"  # click & collect at the branch


class DeliveryMethod(Labelled):
    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"


class ItemStatus(Labelled):
    ACTIVE = "ACTIVE"  # part of the order, to be fulfilled
    CANCELLED = "CANCELLED"  # cancelled before fulfilment (partial cancellation)
    REJECTED = "REJECTED"  # the store could not supply it (seed 002's reject)
    FULFILLED = "FULFILLED"  # delivered or collected
    RETURN_REQUESTED = "RETURN-REQUESTED"  # the customer asked to return it
    RETURNED = "RETURNED"  # back at the store
    REFUNDED = "REFUNDED"  # money for it went back


O = OrderStatus
ORDER_MACHINE = StateMachine(
    "order",
    {
        O.ORDERED: {O.PROCESSING: {S, CH}, O.CANCELLED: {S, C, CH}},
        # Parcels can leave while other items are still being picked: the system then moves the order on.
        O.PROCESSING: {
            O.DELIVERY_READY: {S},
            O.PARTIALLY_FULFILLED: {SYS},
            O.FULFILLED: {SYS},
            O.CANCELLED: {S, C, CH},
        },
        O.DELIVERY_READY: {
            O.PARTIALLY_FULFILLED: {S, SYS},
            O.FULFILLED: {S, SYS},
            O.PROCESSING: {S},
            O.CANCELLED: {M},
        },
        O.PARTIALLY_FULFILLED: {O.FULFILLED: {S, SYS}, O.PARTIALLY_REFUNDED: {SYS}, O.REFUNDED: {SYS}},
        O.FULFILLED: {O.PARTIALLY_REFUNDED: {SYS}, O.REFUNDED: {SYS}},
        O.CANCELLED: {O.PARTIALLY_REFUNDED: {SYS}, O.REFUNDED: {SYS}},
        O.PARTIALLY_REFUNDED: {O.REFUNDED: {SYS}},
        O.REFUNDED: {},
    },
)

# Statuses that a staff member picks by hand; refunds move orders only through the refund flow.
MANUAL_TARGETS = frozenset({O.PROCESSING, O.DELIVERY_READY, O.PARTIALLY_FULFILLED, O.FULFILLED, O.CANCELLED})


def available_statuses(status: OrderStatus, role: Role) -> list[OrderStatus]:
    """Statuses ``role`` may move an order to by hand from ``status`` (drives the buttons)."""
    return [s for s in ORDER_MACHINE.targets(status, role) if s in MANUAL_TARGETS]


# What a person does to make a manual move: buttons say the action, not the status the order lands in.
ACTION_LABELS = {
    O.PROCESSING: "Start processing",
    O.DELIVERY_READY: "Mark ready",
    O.PARTIALLY_FULFILLED: "Mark partly fulfilled",
    O.FULFILLED: "Mark fulfilled",
    O.CANCELLED: "Cancel order",
}


def action_label(src: OrderStatus, dst: OrderStatus) -> str:
    """The button text for moving an order from ``src`` to ``dst`` by hand."""
    if src == O.DELIVERY_READY and dst == O.PROCESSING:
        return "Back to processing"
    return ACTION_LABELS.get(dst, dst.label)


def determine_order_status(
    current: OrderStatus, parcel_states: Iterable[tuple[bool, bool]], all_items_in_parcels: bool
) -> OrderStatus:
    """The order status implied by its parcels (pure; saleor's determine_order_status).

    ``parcel_states`` holds one ``(finished, delivered)`` pair per parcel of the order: finished means
    DELIVERED, COLLECTED or RETURNED; delivered means DELIVERED or COLLECTED.
    """
    states = list(parcel_states)
    if current not in (O.PROCESSING, O.DELIVERY_READY, O.PARTIALLY_FULFILLED) or not states:
        return current
    delivered = sum(1 for _, d in states if d)
    if delivered and delivered == len(states) and all_items_in_parcels:
        return O.FULFILLED
    if delivered:
        return O.PARTIALLY_FULFILLED
    return current


def derive_payment_status(total: Decimal, completed: Decimal, refunded: Decimal, latest: str | None, *,
                          cancelled: bool = False) -> PaymentStatus:
    """Payment status from the payments themselves ("fully paid" is never set by hand).

    ``cancelled``: the order was cancelled, so nothing is owed on it any more: where an open order would say
    money is still to come (PENDING, AUTHORIZED), a cancelled one says VOIDED."""
    if completed > 0 and refunded >= completed:
        return PaymentStatus.REFUNDED
    if refunded > 0:
        return PaymentStatus.PARTIALLY_REFUNDED
    if completed >= total and (completed > 0 or (total == 0 and not cancelled)):
        return PaymentStatus.PAID
    if completed > 0:
        return PaymentStatus.PARTIALLY_PAID
    if latest in (None, "pending", "authorized", "cancelled") and cancelled:
        return PaymentStatus.VOIDED
    if latest == "authorized":
        return PaymentStatus.AUTHORIZED
    if latest == "failed":
        return PaymentStatus.FAILED
    if latest == "expired":
        return PaymentStatus.EXPIRED
    if latest == "disputed":
        return PaymentStatus.DISPUTED
    return PaymentStatus.PENDING


# Seed 001 (customer app) and seed 002 (numeric marketplace codes) vocabularies.
CUSTOMER_APP_STATUS = {
    O.ORDERED: "pending",
    O.PROCESSING: "confirmed",
    O.DELIVERY_READY: "packed",
    O.PARTIALLY_FULFILLED: "shipped",
    O.FULFILLED: "delivered",
    O.CANCELLED: "cancelled",
    O.REFUNDED: "cancelled",
    O.PARTIALLY_REFUNDED: "delivered",
}
NUMERIC_STATUS = {
    O.ORDERED: 100,
    O.PROCESSING: 200,
    O.DELIVERY_READY: 400,
    O.PARTIALLY_FULFILLED: 500,
    O.FULFILLED: 600,
    O.CANCELLED: 800,
    O.REFUNDED: 800,
    O.PARTIALLY_REFUNDED: 600,
}
