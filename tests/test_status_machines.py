"""Every status machine, table-driven: each allowed move for each role that has it, each allowed move refused
to the roles that lack it, a sample of forbidden moves, and the pure helpers around the order machine
(available_statuses, determine_order_status, derive_payment_status). Then change_order_status through the
domain, against the database.

The expected tables below are written out by hand (they are docs/STATUSES.md in code form), so a change to a
TRANSITIONS map fails here until the table and the document are changed with it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.actors import Actor
from app.exceptions import InvalidTransition, ValidationFailed
from app.models import OrderEvent, OrderEventType, Payment, PaymentProvider, PaymentState
from app.models.order import ActorType
from app.orders.actions import change_order_status
from app.orders.status import (
    CUSTOMER_APP_STATUS, NUMERIC_STATUS, ORDER_MACHINE, OrderStatus, PaymentStatus, available_statuses,
    derive_payment_status, determine_order_status,
)
from app.parcels.status import PARCEL_MACHINE, ParcelStatus
from app.quotes.status import QUOTE_MACHINE, QuoteStatus
from app.refunds.status import REFUND_MACHINE, RefundStatus
from app.statemachine import Role
from tests import factories

O, P, Q, R = OrderStatus, ParcelStatus, QuoteStatus, RefundStatus

# Who may make a move once nesting is applied (admin ⊃ manager ⊃ staff).
STAFF_UP = {Role.STAFF, Role.MANAGER, Role.ADMIN}
MANAGER_UP = {Role.MANAGER, Role.ADMIN}
CUSTOMER, CHANNEL, SYSTEM = Role.CUSTOMER, Role.CHANNEL, Role.SYSTEM

EXPECTED = {
    "order": {
        (O.ORDERED, O.PROCESSING): STAFF_UP | {CHANNEL},
        (O.ORDERED, O.CANCELLED): STAFF_UP | {CUSTOMER, CHANNEL},
        (O.PROCESSING, O.DELIVERY_READY): STAFF_UP,
        (O.PROCESSING, O.PARTIALLY_FULFILLED): {SYSTEM},
        (O.PROCESSING, O.FULFILLED): {SYSTEM},
        (O.PROCESSING, O.CANCELLED): STAFF_UP | {CUSTOMER, CHANNEL},
        (O.DELIVERY_READY, O.PARTIALLY_FULFILLED): STAFF_UP | {SYSTEM},
        (O.DELIVERY_READY, O.FULFILLED): STAFF_UP | {SYSTEM},
        (O.DELIVERY_READY, O.PROCESSING): STAFF_UP,
        (O.DELIVERY_READY, O.CANCELLED): MANAGER_UP,
        (O.PARTIALLY_FULFILLED, O.FULFILLED): STAFF_UP | {SYSTEM},
        (O.PARTIALLY_FULFILLED, O.PARTIALLY_REFUNDED): {SYSTEM},
        (O.PARTIALLY_FULFILLED, O.REFUNDED): {SYSTEM},
        (O.FULFILLED, O.PARTIALLY_REFUNDED): {SYSTEM},
        (O.FULFILLED, O.REFUNDED): {SYSTEM},
        (O.CANCELLED, O.PARTIALLY_REFUNDED): {SYSTEM},
        (O.CANCELLED, O.REFUNDED): {SYSTEM},
        (O.PARTIALLY_REFUNDED, O.REFUNDED): {SYSTEM},
    },
    "parcel": {
        (P.OPEN, P.PACKED): STAFF_UP,
        (P.OPEN, P.RETURNED): {SYSTEM},
        (P.PACKED, P.READY): STAFF_UP,
        (P.PACKED, P.OPEN): STAFF_UP,
        (P.PACKED, P.RETURNED): {SYSTEM},
        (P.READY, P.RETURNED): {SYSTEM},
        (P.READY, P.COLLECTED_BY_DRIVER): STAFF_UP | {SYSTEM},
        (P.READY, P.COLLECTED): STAFF_UP,
        (P.READY, P.PACKED): STAFF_UP,
        (P.COLLECTED_BY_DRIVER, P.IN_TRANSIT): STAFF_UP | {SYSTEM},
        (P.COLLECTED_BY_DRIVER, P.RETURNED): STAFF_UP | {SYSTEM},
        (P.IN_TRANSIT, P.ARRIVED): STAFF_UP | {SYSTEM},
        (P.IN_TRANSIT, P.DELIVERED): STAFF_UP | {SYSTEM},
        (P.IN_TRANSIT, P.RETURNED): STAFF_UP | {SYSTEM},
        (P.ARRIVED, P.DELIVERED): STAFF_UP | {SYSTEM},
        (P.ARRIVED, P.RETURNED): STAFF_UP | {SYSTEM},
    },
    "quote": {
        (Q.DRAFT, Q.SENT): STAFF_UP,
        (Q.SENT, Q.VIEWED): {CUSTOMER, SYSTEM},
        (Q.SENT, Q.ACCEPTED): STAFF_UP | {CUSTOMER},
        (Q.SENT, Q.DECLINED): STAFF_UP | {CUSTOMER},
        (Q.SENT, Q.EXPIRED): {SYSTEM},
        (Q.SENT, Q.DRAFT): STAFF_UP,
        (Q.VIEWED, Q.ACCEPTED): STAFF_UP | {CUSTOMER},
        (Q.VIEWED, Q.DECLINED): STAFF_UP | {CUSTOMER},
        (Q.VIEWED, Q.EXPIRED): {SYSTEM},
        (Q.VIEWED, Q.DRAFT): STAFF_UP,
        (Q.ACCEPTED, Q.CONVERTED): STAFF_UP | {CUSTOMER, SYSTEM},
        (Q.DECLINED, Q.DRAFT): STAFF_UP,
        (Q.EXPIRED, Q.DRAFT): STAFF_UP,
    },
    "refund": {
        (R.REQUESTED, R.APPROVED): MANAGER_UP,
        (R.REQUESTED, R.REJECTED): MANAGER_UP,
        (R.APPROVED, R.COMPLETED): MANAGER_UP | {SYSTEM},
        (R.APPROVED, R.FAILED): {SYSTEM},
        (R.FAILED, R.APPROVED): MANAGER_UP,
    },
}
MACHINES = {"order": ORDER_MACHINE, "parcel": PARCEL_MACHINE, "quote": QUOTE_MACHINE, "refund": REFUND_MACHINE}
STATES = {"order": OrderStatus, "parcel": ParcelStatus, "quote": QuoteStatus, "refund": RefundStatus}
TERMINAL = {
    "order": {O.REFUNDED},
    "parcel": {P.DELIVERED, P.COLLECTED, P.RETURNED},
    "quote": {Q.CONVERTED},
    "refund": {R.COMPLETED, R.REJECTED},
}

ALLOWED = [
    pytest.param(name, src, dst, role, id=f"{name}:{src.value}->{dst.value}:{role.value}")
    for name, table in EXPECTED.items()
    for (src, dst), roles in table.items()
    for role in sorted(roles, key=list(Role).index)
]
REFUSED_TO_ROLE = [
    pytest.param(name, src, dst, role, id=f"{name}:{src.value}->{dst.value}:{role.value}")
    for name, table in EXPECTED.items()
    for (src, dst), roles in table.items()
    for role in Role
    if role not in roles
]


# --- the maps themselves ------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(MACHINES))
def test_machine_declares_exactly_the_documented_moves(name):
    machine = MACHINES[name]
    declared = {(src, dst) for src, moves in machine.transitions.items() for dst in moves}
    assert declared == set(EXPECTED[name])


@pytest.mark.parametrize("name", list(MACHINES))
def test_every_state_is_in_the_map_and_terminal_states_are_as_documented(name):
    machine = MACHINES[name]
    assert set(machine.transitions) == set(STATES[name])
    assert {s for s in STATES[name] if machine.is_terminal(s)} == TERMINAL[name]


# --- allowed moves, per role --------------------------------------------------------------------

@pytest.mark.parametrize("name, src, dst, role", ALLOWED)
def test_allowed_move_passes_for_a_role_that_has_it(name, src, dst, role):
    machine = MACHINES[name]
    machine.check(src, dst, role)  # does not raise
    assert machine.can(src, dst, role)
    assert dst in machine.targets(src, role)


@pytest.mark.parametrize("name, src, dst, role", REFUSED_TO_ROLE)
def test_allowed_move_is_refused_to_a_role_that_lacks_it(name, src, dst, role):
    machine = MACHINES[name]
    with pytest.raises(InvalidTransition) as exc:
        machine.check(src, dst, role)
    assert exc.value.role == role
    assert "not allowed" in exc.value.message
    assert not machine.can(src, dst, role)
    assert dst not in machine.targets(src, role)


def test_role_nesting_admin_includes_manager_includes_staff():
    # a staff move is open to managers and admins, a manager move to admins but not to staff
    assert ORDER_MACHINE.can(O.PROCESSING, O.DELIVERY_READY, Role.ADMIN)
    assert ORDER_MACHINE.can(O.DELIVERY_READY, O.CANCELLED, Role.ADMIN)
    assert not ORDER_MACHINE.can(O.DELIVERY_READY, O.CANCELLED, Role.STAFF)
    assert not REFUND_MACHINE.can(R.REQUESTED, R.APPROVED, Role.STAFF)
    # nesting is for staff roles only: the system is not staff, and staff are not the system
    assert not ORDER_MACHINE.can(O.PROCESSING, O.DELIVERY_READY, Role.SYSTEM)
    assert not ORDER_MACHINE.can(O.FULFILLED, O.REFUNDED, Role.ADMIN)


# --- forbidden moves ----------------------------------------------------------------------------

FORBIDDEN = [
    # terminal states go nowhere
    *[("order", O.REFUNDED, dst) for dst in OrderStatus if dst != O.REFUNDED],
    *[("parcel", src, dst) for src in (P.DELIVERED, P.COLLECTED, P.RETURNED)
      for dst in (P.OPEN, P.IN_TRANSIT, P.RETURNED)],
    *[("quote", Q.CONVERTED, dst) for dst in (Q.DRAFT, Q.ACCEPTED, Q.SENT)],
    *[("refund", src, dst) for src in (R.COMPLETED, R.REJECTED) for dst in (R.REQUESTED, R.APPROVED, R.FAILED)],
    # skipping states
    ("order", O.ORDERED, O.DELIVERY_READY),
    ("order", O.ORDERED, O.FULFILLED),
    ("order", O.ORDERED, O.PARTIALLY_FULFILLED),
    ("parcel", P.OPEN, P.READY),
    ("parcel", P.PACKED, P.IN_TRANSIT),
    ("parcel", P.READY, P.DELIVERED),
    ("parcel", P.COLLECTED_BY_DRIVER, P.DELIVERED),
    ("quote", Q.DRAFT, Q.ACCEPTED),
    ("quote", Q.DRAFT, Q.CONVERTED),
    ("quote", Q.SENT, Q.CONVERTED),
    ("refund", R.REQUESTED, R.COMPLETED),
    # going back where the machine does not allow it
    ("order", O.FULFILLED, O.DELIVERY_READY),
    ("order", O.CANCELLED, O.ORDERED),
    ("order", O.CANCELLED, O.PROCESSING),
    ("order", O.PARTIALLY_FULFILLED, O.DELIVERY_READY),
    ("order", O.PARTIALLY_REFUNDED, O.FULFILLED),
    ("parcel", P.IN_TRANSIT, P.READY),
    ("quote", Q.ACCEPTED, Q.DRAFT),
    ("refund", R.APPROVED, R.REQUESTED),
    # cancelling once goods are out of the door is not a status change
    ("order", O.PARTIALLY_FULFILLED, O.CANCELLED),
    ("order", O.FULFILLED, O.CANCELLED),
    # refunds only from a state where money was taken and the order is settled
    ("order", O.ORDERED, O.REFUNDED),
    ("order", O.PROCESSING, O.PARTIALLY_REFUNDED),
    ("order", O.DELIVERY_READY, O.REFUNDED),
    # standing still is not a move
    ("order", O.PROCESSING, O.PROCESSING),
    ("parcel", P.OPEN, P.OPEN),
    ("quote", Q.SENT, Q.SENT),
    ("refund", R.REQUESTED, R.REQUESTED),
]


@pytest.mark.parametrize(
    "name, src, dst", [pytest.param(n, s, d, id=f"{n}:{s.value}->{d.value}") for n, s, d in FORBIDDEN]
)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_forbidden_move_is_refused_to_everyone(name, src, dst, role):
    with pytest.raises(InvalidTransition) as exc:
        MACHINES[name].check(src, dst, role)
    assert exc.value.role is None  # "cannot", not "not allowed": nobody may
    article = "An" if name[0] in "aeiou" else "A"
    assert exc.value.message == f"{article} {name} cannot move from {src.label} to {dst.label}."


# --- available_statuses: the buttons on the order page ------------------------------------------

@pytest.mark.parametrize(
    "status, role, expected",
    [
        (O.ORDERED, Role.STAFF, [O.PROCESSING, O.CANCELLED]),
        (O.PROCESSING, Role.STAFF, [O.DELIVERY_READY, O.CANCELLED]),
        (O.DELIVERY_READY, Role.STAFF, [O.PARTIALLY_FULFILLED, O.FULFILLED, O.PROCESSING]),
        (O.DELIVERY_READY, Role.MANAGER, [O.PARTIALLY_FULFILLED, O.FULFILLED, O.PROCESSING, O.CANCELLED]),
        (O.DELIVERY_READY, Role.ADMIN, [O.PARTIALLY_FULFILLED, O.FULFILLED, O.PROCESSING, O.CANCELLED]),
        (O.PARTIALLY_FULFILLED, Role.STAFF, [O.FULFILLED]),
        (O.PARTIALLY_FULFILLED, Role.MANAGER, [O.FULFILLED]),
        # refunds move orders only through the refund flow: never a button
        (O.FULFILLED, Role.STAFF, []),
        (O.FULFILLED, Role.ADMIN, []),
        (O.CANCELLED, Role.MANAGER, []),
        (O.PARTIALLY_REFUNDED, Role.ADMIN, []),
        (O.REFUNDED, Role.ADMIN, []),
        # other actors see only their own moves
        (O.ORDERED, Role.CUSTOMER, [O.CANCELLED]),
        (O.DELIVERY_READY, Role.CUSTOMER, []),
        (O.ORDERED, Role.CHANNEL, [O.PROCESSING, O.CANCELLED]),
        (O.FULFILLED, Role.SYSTEM, []),
    ],
    ids=lambda v: getattr(v, "value", None) if not isinstance(v, list) else None,
)
def test_available_statuses(status, role, expected):
    assert available_statuses(status, role) == expected


def test_delivery_ready_to_cancelled_is_a_manager_move():
    assert O.CANCELLED not in available_statuses(O.DELIVERY_READY, Role.STAFF)
    assert O.CANCELLED in available_statuses(O.DELIVERY_READY, Role.MANAGER)


# --- determine_order_status: what the parcels imply ----------------------------------------------

DELIVERED = (True, True)  # (finished, delivered): DELIVERED or COLLECTED
RETURNED = (True, False)  # finished but not delivered
MOVING = (False, False)  # OPEN ... ARRIVED


@pytest.mark.parametrize(
    "current, parcels, all_items, expected",
    [
        pytest.param(O.DELIVERY_READY, [DELIVERED], True, O.FULFILLED, id="one-parcel-delivered"),
        pytest.param(O.DELIVERY_READY, [DELIVERED, DELIVERED], True, O.FULFILLED, id="all-parcels-delivered"),
        pytest.param(O.PARTIALLY_FULFILLED, [DELIVERED, DELIVERED], True, O.FULFILLED, id="last-parcel-delivered"),
        pytest.param(O.DELIVERY_READY, [DELIVERED, MOVING], True, O.PARTIALLY_FULFILLED, id="some-delivered"),
        pytest.param(O.DELIVERY_READY, [DELIVERED], False, O.PARTIALLY_FULFILLED, id="items-not-yet-in-parcels"),
        pytest.param(O.DELIVERY_READY, [DELIVERED, RETURNED], True, O.PARTIALLY_FULFILLED, id="one-returned"),
        pytest.param(O.DELIVERY_READY, [MOVING, MOVING], True, O.DELIVERY_READY, id="none-delivered-yet"),
        pytest.param(O.DELIVERY_READY, [RETURNED], True, O.DELIVERY_READY, id="all-returned-stays"),
        pytest.param(O.DELIVERY_READY, [], True, O.DELIVERY_READY, id="no-parcels"),
        pytest.param(O.PARTIALLY_FULFILLED, [DELIVERED, MOVING], True, O.PARTIALLY_FULFILLED, id="still-partial"),
        pytest.param(O.PROCESSING, [MOVING], True, O.PROCESSING, id="processing-nothing-delivered"),
        # statuses the parcels never change
        pytest.param(O.ORDERED, [DELIVERED], True, O.ORDERED, id="ordered-untouched"),
        pytest.param(O.FULFILLED, [DELIVERED], True, O.FULFILLED, id="fulfilled-untouched"),
        pytest.param(O.CANCELLED, [DELIVERED], True, O.CANCELLED, id="cancelled-untouched"),
        pytest.param(O.REFUNDED, [DELIVERED], True, O.REFUNDED, id="refunded-untouched"),
        pytest.param(O.PARTIALLY_REFUNDED, [DELIVERED], True, O.PARTIALLY_REFUNDED, id="part-refunded-untouched"),
    ],
)
def test_determine_order_status(current, parcels, all_items, expected):
    assert determine_order_status(current, parcels, all_items) == expected


def test_determine_order_status_accepts_any_iterable():
    assert determine_order_status(O.DELIVERY_READY, (s for s in [DELIVERED]), True) == O.FULFILLED


@pytest.mark.parametrize("current", [
    O.DELIVERY_READY,
    O.PARTIALLY_FULFILLED,
    O.PROCESSING,
])
def test_what_the_parcels_imply_is_a_move_the_system_may_make(current):
    for parcels in ([DELIVERED], [DELIVERED, MOVING]):
        implied = determine_order_status(current, parcels, True)
        if implied != current:
            ORDER_MACHINE.check(current, implied, Role.SYSTEM)


# --- derive_payment_status ------------------------------------------------------------------------

D = Decimal


@pytest.mark.parametrize(
    "total, completed, refunded, latest, expected",
    [
        pytest.param(D("100.00"), D("100.00"), D("0"), "completed", PaymentStatus.PAID, id="paid"),
        pytest.param(D("100.00"), D("120.00"), D("0"), "completed", PaymentStatus.PAID, id="overpaid-is-paid"),
        pytest.param(D("100.00"), D("40.00"), D("0"), "completed", PaymentStatus.PARTIALLY_PAID, id="partially-paid"),
        pytest.param(D("100.00"), D("40.00"), D("0"), "pending", PaymentStatus.PARTIALLY_PAID,
                     id="partially-paid-with-a-pending-attempt"),
        pytest.param(D("100.00"), D("100.00"), D("100.00"), "completed", PaymentStatus.REFUNDED, id="refunded"),
        pytest.param(D("100.00"), D("100.00"), D("30.00"), "completed", PaymentStatus.PARTIALLY_REFUNDED,
                     id="partially-refunded"),
        pytest.param(D("100.00"), D("0"), D("0"), "authorized", PaymentStatus.AUTHORIZED, id="authorized"),
        pytest.param(D("100.00"), D("0"), D("0"), "failed", PaymentStatus.FAILED, id="failed"),
        pytest.param(D("100.00"), D("0"), D("0"), "expired", PaymentStatus.EXPIRED, id="expired"),
        pytest.param(D("100.00"), D("0"), D("0"), "pending", PaymentStatus.PENDING, id="pending"),
        pytest.param(D("100.00"), D("0"), D("0"), None, PaymentStatus.PENDING, id="no-payments"),
        pytest.param(D("100.00"), D("0"), D("0"), "cancelled", PaymentStatus.PENDING, id="cancelled-attempt"),
        pytest.param(D("0.00"), D("0"), D("0"), None, PaymentStatus.PAID, id="zero-total-is-paid"),
        pytest.param(D("100.00"), D("99.99"), D("0"), "completed", PaymentStatus.PARTIALLY_PAID,
                     id="one-cent-short"),
    ],
)
def test_derive_payment_status(total, completed, refunded, latest, expected):
    assert derive_payment_status(total, completed, refunded, latest) == expected


@pytest.mark.parametrize(
    "total, completed, refunded, latest, expected",
    [
        pytest.param(D("100.00"), D("0"), D("0"), "cancelled", PaymentStatus.VOIDED, id="voided-attempt"),
        pytest.param(D("100.00"), D("0"), D("0"), None, PaymentStatus.VOIDED, id="never-paid"),
        pytest.param(D("100.00"), D("0"), D("0"), "pending", PaymentStatus.VOIDED, id="pending-attempt"),
        pytest.param(D("100.00"), D("0"), D("0"), "authorized", PaymentStatus.VOIDED, id="authorised-attempt"),
        pytest.param(D("100.00"), D("0"), D("0"), "failed", PaymentStatus.FAILED, id="failed-says-so"),
        pytest.param(D("100.00"), D("0"), D("0"), "expired", PaymentStatus.EXPIRED, id="expired-says-so"),
        pytest.param(D("0.00"), D("0"), D("0"), None, PaymentStatus.VOIDED, id="zero-total"),
        pytest.param(D("100.00"), D("0"), D("0"), "disputed", PaymentStatus.DISPUTED, id="a-dispute-still-shows"),
        pytest.param(D("100.00"), D("100.00"), D("100.00"), "refunded", PaymentStatus.REFUNDED, id="refunded"),
        pytest.param(D("100.00"), D("100.00"), D("0"), "completed", PaymentStatus.PAID, id="money-still-held"),
    ],
)
def test_a_cancelled_order_owes_nothing(total, completed, refunded, latest, expected):
    assert derive_payment_status(total, completed, refunded, latest, cancelled=True) == expected


# --- vocabularies of the other systems ----------------------------------------------------------

def test_every_order_status_maps_to_the_customer_app_and_to_a_numeric_code():
    assert set(CUSTOMER_APP_STATUS) == set(OrderStatus) == set(NUMERIC_STATUS)
    assert set(CUSTOMER_APP_STATUS.values()) <= {"pending", "confirmed", "packed", "shipped", "delivered", "cancelled"}
    assert set(NUMERIC_STATUS.values()) <= {100, 200, 300, 400, 500, 600, 700, 800, 900}


# --- change_order_status through the domain -------------------------------------------------------

def _events(db, order):
    return list(db.session.scalars(sa.select(OrderEvent).where(OrderEvent.order_id == order.id)))


def test_status_change_records_who_from_and_to(db, shop):
    # given
    order = factories.make_order(shop.branch1)
    db.session.commit()
    # when
    event = change_order_status(order, to=O.PROCESSING, actor=Actor.staff(shop.staff1))
    db.session.commit()
    # then
    db.session.expire_all()
    assert order.status == O.PROCESSING
    assert order.updated_by_id == shop.staff1.id
    (stored,) = _events(db, order)
    assert stored.id == event.id
    assert stored.type == OrderEventType.STATUS_CHANGED
    assert (stored.from_status, stored.to_status) == ("ORDERED", "PROCESSING")
    assert stored.actor_type == ActorType.STAFF
    assert stored.staff_id == shop.staff1.id
    assert stored.actor_label == "Sam Staff"
    assert stored.message is None


def test_status_change_by_the_system_has_no_staff_id(db, shop):
    order = factories.make_order(shop.branch1, status=O.DELIVERY_READY)
    change_order_status(order, to=O.FULFILLED, actor=Actor.system())
    (event,) = _events(db, order)
    assert event.actor_type == ActorType.SYSTEM and event.staff_id is None and event.actor_label == "Order Desk"
    assert order.updated_by_id is None


@pytest.mark.parametrize(
    "start, to, who",
    [
        (O.ORDERED, O.FULFILLED, "staff1"),  # skipping
        (O.DELIVERY_READY, O.CANCELLED, "staff1"),  # a manager move
        (O.FULFILLED, O.REFUNDED, "admin"),  # only the refund flow
        (O.REFUNDED, O.ORDERED, "admin"),  # terminal
    ],
)
def test_forbidden_status_change_is_refused_and_writes_nothing(db, shop, start, to, who):
    # given
    order = factories.make_order(shop.branch1, status=start)
    db.session.commit()
    version = order.version
    # when
    with pytest.raises(InvalidTransition):
        change_order_status(order, to=to, actor=Actor.staff(getattr(shop, who)), reason="because")
    # then
    db.session.commit()  # whatever the session holds would be written now
    db.session.expire_all()
    assert order.status == start
    assert order.version == version
    assert _events(db, order) == []


def test_manager_may_cancel_a_delivery_ready_order(db, shop):
    order = factories.make_order(shop.branch1, status=O.DELIVERY_READY)
    event = change_order_status(order, to=O.CANCELLED, actor=Actor.staff(shop.manager), reason="No driver today")
    assert order.status == O.CANCELLED
    assert event.message == "No driver today" and event.actor_label == "Mia Manager"


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_cancelling_requires_a_reason(db, shop, reason):
    # given
    order = factories.make_order(shop.branch1)
    order.payments.append(Payment(provider=PaymentProvider.COD, amount=order.total, currency="ZAR",
                                  status=PaymentState.PENDING))
    db.session.commit()
    # when
    with pytest.raises(ValidationFailed) as exc:
        change_order_status(order, to=O.CANCELLED, actor=Actor.staff(shop.staff1), reason=reason)
    # then
    assert exc.value.field == "reason"
    db.session.commit()
    db.session.expire_all()
    assert order.status == O.ORDERED
    assert [p.status for p in order.payments] == [PaymentState.PENDING]
    assert _events(db, order) == []


def test_cancelling_voids_pending_payments_and_keeps_failed_ones(db, shop):
    # given
    order = factories.make_order(shop.branch1, status=O.PROCESSING)
    for state in (PaymentState.FAILED, PaymentState.PENDING, PaymentState.AUTHORIZED):
        order.payments.append(Payment(provider=PaymentProvider.CARD, amount=Decimal("10.00"), currency="ZAR",
                                      status=state))
    db.session.commit()
    # when
    event = change_order_status(order, to=O.CANCELLED, actor=Actor.staff(shop.staff1), reason="  Out of stock  ")
    db.session.commit()
    # then
    db.session.expire_all()
    assert sorted(p.status.value for p in order.payments) == ["cancelled", "cancelled", "failed"]
    assert order.status == O.CANCELLED and order.payment_status == PaymentStatus.VOIDED
    assert event.message == "Out of stock"  # trimmed
    assert (event.from_status, event.to_status) == ("PROCESSING", "CANCELLED")


def test_cancelling_voids_an_authorisation_and_the_payment_status_follows(db, shop):
    # given an order whose card was authorised but not captured
    order = factories.make_order(shop.branch1)
    order.payments.append(Payment(provider=PaymentProvider.CARD, amount=order.total, currency="ZAR",
                                  status=PaymentState.AUTHORIZED))
    order.payment_status = PaymentStatus.AUTHORIZED
    db.session.commit()
    # when it is cancelled
    change_order_status(order, to=O.CANCELLED, actor=Actor.staff(shop.staff1), reason="Customer changed their mind")
    db.session.commit()
    # then the hold is released and the order says nothing is owed (not "Authorized", not "Pending")
    db.session.expire_all()
    assert [p.status for p in order.payments] == [PaymentState.CANCELLED]
    assert order.payment_status == PaymentStatus.VOIDED


def test_customer_and_channel_may_cancel_an_ordered_order(db, shop):
    mine = factories.make_order(shop.branch1, customer=shop.customer)
    theirs = factories.make_order(shop.branch1)
    change_order_status(mine, to=O.CANCELLED, actor=Actor.customer(shop.customer), reason="Changed my mind")
    change_order_status(theirs, to=O.CANCELLED, actor=Actor.channel("TAKEALOT"), reason="Cancelled on Takealot")
    (by_customer,) = _events(db, mine)
    (by_channel,) = _events(db, theirs)
    assert by_customer.actor_type == ActorType.CUSTOMER and by_customer.customer_id == shop.customer.id
    assert by_channel.actor_type == ActorType.CHANNEL and by_channel.actor_label == "TAKEALOT"


def test_fulfilled_sets_fulfilled_at(db, shop):
    # given
    order = factories.make_order(shop.branch1, status=O.DELIVERY_READY)
    db.session.commit()
    assert order.fulfilled_at is None
    before = datetime.now(timezone.utc)
    # when
    change_order_status(order, to=O.FULFILLED, actor=Actor.staff(shop.staff1))
    db.session.commit()
    # then
    db.session.expire_all()
    assert order.fulfilled_at.tzinfo is not None
    assert before - timedelta(seconds=1) <= order.fulfilled_at <= datetime.now(timezone.utc) + timedelta(seconds=1)


def test_other_moves_leave_fulfilled_at_alone(db, shop):
    order = factories.make_order(shop.branch1, status=O.DELIVERY_READY)
    change_order_status(order, to=O.PARTIALLY_FULFILLED, actor=Actor.staff(shop.staff1))
    assert order.fulfilled_at is None


def test_each_change_is_one_event_on_the_timeline_newest_first(db, shop):
    # given
    order = factories.make_order(shop.branch1)
    actor = Actor.staff(shop.staff1)
    # when
    for to in (O.PROCESSING, O.DELIVERY_READY, O.PROCESSING, O.DELIVERY_READY, O.FULFILLED):
        change_order_status(order, to=to, actor=actor)
    db.session.commit()
    # then
    db.session.expire_all()
    assert [(e.from_status, e.to_status) for e in order.events] == [
        ("DELIVERY-READY", "FULFILLED"), ("PROCESSING", "DELIVERY-READY"), ("DELIVERY-READY", "PROCESSING"),
        ("PROCESSING", "DELIVERY-READY"), ("ORDERED", "PROCESSING"),
    ]
