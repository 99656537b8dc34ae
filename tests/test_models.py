"""The model's promises: UTC timestamps, unique codes and channel references, optimistic locking, addresses
copied onto the order, and "fully paid" derived from completed payments only. Run on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.models import Order, OrderEvent, Payment, PaymentProvider, PaymentState, SalesChannel
from app.models.types import UTCDateTime
from app.orders.status import OrderStatus
from tests import factories

D = Decimal
SAST = timezone(timedelta(hours=2))


def _fresh(db, model, id_):
    """Read a row in a session of its own, so the value comes from the database."""
    with Session(db.engine) as session:
        return session.get(model, id_)


# --- timestamps ------------------------------------------------------------------------------------

def test_timestamps_are_aware_utc_after_a_round_trip(db, shop):
    # given
    order = factories.make_order(shop.branch1)
    order.fulfilled_at = datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc)
    db.session.commit()
    # when
    stored = _fresh(db, Order, order.id)
    # then
    for value in (stored.created_at, stored.updated_at, stored.fulfilled_at):
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
    assert stored.fulfilled_at == datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc)
    assert abs(stored.created_at - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_other_zones_are_stored_as_the_same_instant_in_utc(db, shop):
    order = factories.make_order(shop.branch1)
    order.expected_delivery_at = datetime(2026, 3, 1, 8, 0, tzinfo=SAST)  # 08:00 in Johannesburg
    db.session.commit()
    stored = _fresh(db, Order, order.id)
    assert stored.expected_delivery_at == datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
    assert stored.expected_delivery_at.utcoffset() == timedelta(0)
    assert stored.expected_delivery_at.hour == 6


def test_microseconds_survive(db, shop):
    moment = datetime(2026, 11, 22, 5, 6, 7, 123456, tzinfo=timezone.utc)
    order = factories.make_order(shop.branch1, fulfilled_at=moment)
    db.session.commit()
    assert _fresh(db, Order, order.id).fulfilled_at == moment


def test_timestamps_compare_in_sql_across_zones(db, shop):
    order = factories.make_order(shop.branch1, fulfilled_at=datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc))
    db.session.commit()
    found = db.session.scalars(sa.select(Order.id).where(
        Order.fulfilled_at >= datetime(2026, 3, 1, 7, 59, tzinfo=SAST),
        Order.fulfilled_at <= datetime(2026, 3, 1, 8, 1, tzinfo=SAST),
    )).all()
    assert found == [order.id]


def test_naive_datetimes_are_refused(db, shop):
    # given
    order = factories.make_order(shop.branch1)
    db.session.commit()
    # when
    order.fulfilled_at = datetime(2026, 3, 1, 12, 30)  # no tzinfo
    # then
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
    assert _fresh(db, Order, order.id).fulfilled_at is None


def test_naive_datetimes_are_refused_in_queries_too(db, shop):
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.scalars(sa.select(Order).where(Order.created_at >= datetime(2026, 1, 1))).all()
    db.session.rollback()


def test_utc_datetime_type_directly():
    t = UTCDateTime()

    class Dialect:
        def __init__(self, name):
            self.name = name

    aware = datetime(2026, 1, 1, 2, 0, tzinfo=SAST)
    assert t.process_bind_param(aware, Dialect("sqlite")) == datetime(2026, 1, 1, 0, 0)  # naive UTC text
    assert t.process_bind_param(aware, Dialect("postgresql")) == datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc)
    assert t.process_result_value(datetime(2026, 1, 1), Dialect("sqlite")) == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert t.process_bind_param(None, Dialect("sqlite")) is None
    with pytest.raises(ValueError):
        t.process_bind_param(datetime(2026, 1, 1), Dialect("postgresql"))


# --- uniqueness ------------------------------------------------------------------------------------

def test_channel_and_external_reference_are_unique_together(db, shop):
    # given
    factories.make_order(shop.branch1, channel=SalesChannel.TAKEALOT, external_reference="TK-1001")
    db.session.commit()
    # when / then
    with pytest.raises(IntegrityError):
        factories.make_order(shop.branch2, channel=SalesChannel.TAKEALOT, external_reference="TK-1001")
    db.session.rollback()


def test_same_external_reference_on_another_channel_is_fine(db, shop):
    factories.make_order(shop.branch1, channel=SalesChannel.TAKEALOT, external_reference="1001")
    factories.make_order(shop.branch1, channel=SalesChannel.UBER_EATS, external_reference="1001")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 2


def test_orders_without_external_reference_do_not_collide(db, shop):
    for _ in range(3):
        factories.make_order(shop.branch1, channel=SalesChannel.INTERNAL, external_reference=None)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 3


def test_order_codes_are_unique(db, shop):
    factories.make_order(shop.branch1, code="ORD-2026-000123")
    db.session.commit()
    with pytest.raises(IntegrityError):
        factories.make_order(shop.branch2, code="ORD-2026-000123")
    db.session.rollback()
    assert db.session.scalars(sa.select(Order.code)).all() == ["ORD-2026-000123"]


# --- optimistic locking ----------------------------------------------------------------------------

def test_second_of_two_concurrent_updates_is_stale(db, shop):
    # given: an order, opened by two people at once
    order = factories.make_order(shop.branch1)
    db.session.commit()
    assert order.version == 1
    with Session(db.engine) as first, Session(db.engine) as second:
        mine, theirs = first.get(Order, order.id), second.get(Order, order.id)
        assert mine.version == theirs.version == 1
        # when: the first saves, then the second saves what it read before
        mine.notes = "Leave at the gate"
        first.commit()
        theirs.notes = "Ring twice"
        # then
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    stored = _fresh(db, Order, order.id)
    assert stored.notes == "Leave at the gate"
    assert stored.version == 2


def test_every_update_bumps_the_version(db, shop):
    order = factories.make_order(shop.branch1)
    db.session.commit()
    order.status = OrderStatus.PROCESSING
    db.session.commit()
    order.notes = "x"
    db.session.commit()
    assert _fresh(db, Order, order.id).version == 3


def test_a_status_change_from_a_stale_copy_is_refused(db, shop):
    # given: someone else moved the order while we held an old copy
    order = factories.make_order(shop.branch1)
    db.session.commit()
    assert order.version == 1  # our copy is loaded now
    with Session(db.engine) as other:
        other.get(Order, order.id).status = OrderStatus.CANCELLED
        other.commit()
    # when
    order.status = OrderStatus.PROCESSING
    # then
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()
    assert _fresh(db, Order, order.id).status == OrderStatus.CANCELLED


# --- addresses are copied ------------------------------------------------------------------------

def test_shipping_address_is_a_copy_of_the_address_book_entry(db, shop):
    # given
    customer = factories.make_customer(name="Thandi Nkosi")
    entry = customer.addresses[0]
    order = factories.make_order(shop.branch1, customer=customer)
    db.session.commit()
    placed_line1 = order.shipping_address["line1"]
    assert order.shipping_address == entry.snapshot()
    # when: the customer edits the address book afterwards
    entry.line1 = "1 New Road"
    entry.city = "Durban"
    entry.postcode = "4001"
    db.session.commit()
    # then: the placed order keeps the address it was placed with
    stored = _fresh(db, Order, order.id)
    assert stored.shipping_address["line1"] == placed_line1 != "1 New Road"
    assert stored.shipping_address["city"] == "Cape Town"
    assert stored.billing_address["postcode"] == "8001"


def test_address_snapshot_holds_every_copied_field(db, shop):
    entry = shop.customer.addresses[0]
    snap = entry.snapshot()
    assert set(snap) == set(entry.SNAPSHOT_FIELDS)
    snap["line1"] = "changed in the copy"
    assert entry.line1 != "changed in the copy"


# --- paid total and "fully paid" --------------------------------------------------------------------

def _pay(order, amount: str, state: PaymentState) -> None:
    order.payments.append(Payment(provider=PaymentProvider.CARD, amount=D(amount), currency=order.currency,
                                  status=state))


def test_paid_total_counts_completed_payments_only(db, shop):
    # given: an order of R150.00 with attempts in every state
    order = factories.make_order(shop.branch1, lines=(("100.00", 1),), delivery_fee="50.00")
    _pay(order, "60.00", PaymentState.COMPLETED)
    for state in (PaymentState.PENDING, PaymentState.AUTHORIZED, PaymentState.FAILED, PaymentState.REFUNDED,
                  PaymentState.CANCELLED):
        _pay(order, "150.00", state)
    db.session.commit()
    # when
    stored = _fresh(db, Order, order.id)
    # then
    assert order.total == D("150.00")
    assert order.paid_total == D("60.00") and isinstance(order.paid_total, Decimal)
    assert not order.is_fully_paid
    with Session(db.engine) as s:
        again = s.get(Order, stored.id)
        assert again.paid_total == D("60.00") and not again.is_fully_paid


def test_fully_paid_once_completed_payments_reach_the_total(db, shop):
    # given
    order = factories.make_order(shop.branch1, lines=(("100.00", 1),), delivery_fee="50.00")
    _pay(order, "60.00", PaymentState.COMPLETED)
    db.session.commit()
    assert not order.is_fully_paid
    # when
    _pay(order, "89.99", PaymentState.COMPLETED)
    # then: one cent short
    assert order.paid_total == D("149.99") and not order.is_fully_paid
    _pay(order, "0.01", PaymentState.COMPLETED)
    assert order.paid_total == D("150.00") and order.is_fully_paid
    # and a completed payment that is later refunded stops counting
    last = next(p for p in order.payments if p.amount == D("0.01"))
    last.status = PaymentState.REFUNDED
    assert order.paid_total == D("149.99") and not order.is_fully_paid


def test_overpaid_is_fully_paid_and_no_payment_is_not(db, shop):
    order = factories.make_order(shop.branch1, lines=(("10.00", 1),), delivery_fee="0.00")
    assert order.paid_total == D("0.00") and not order.is_fully_paid
    _pay(order, "12.00", PaymentState.COMPLETED)
    assert order.is_fully_paid


def test_factory_paid_order_is_fully_paid(db, shop):
    order = factories.make_order(shop.branch1, paid=True)
    db.session.commit()
    stored = _fresh(db, Order, order.id)
    with Session(db.engine) as s:
        again = s.get(Order, stored.id)
        assert again.is_fully_paid and again.paid_total == again.total


# --- events --------------------------------------------------------------------------------------------

def test_timeline_is_newest_first(db, shop):
    from app.actors import Actor
    from app.orders import events

    order = factories.make_order(shop.branch1)
    actor = Actor.staff(shop.staff1)
    for text in ("first", "second", "third"):
        events.note_added_event(order=order, actor=actor, message=text)
        db.session.flush()
    db.session.commit()
    db.session.expire_all()
    assert [e.message for e in order.events] == ["third", "second", "first"]
    assert all(e.created_at.tzinfo is not None for e in order.events)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderEvent)) == 3


def test_migrations_and_models_agree(db):
    """What `flask db check` checks: the schema built by migrations/ is exactly what the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.models import include_in_autogenerate

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_in_autogenerate})
        assert compare_metadata(context, db.metadata) == []
