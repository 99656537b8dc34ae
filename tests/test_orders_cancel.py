"""Cancelling an order: refused while it holds money; otherwise items, payments and parcels follow at once."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.actors import Actor
from app.exceptions import RefundNeeded
from app.models import OrderEvent, Parcel, ParcelEvent, ParcelItem, Payment, PaymentProvider, PaymentState
from app.orders.actions import change_order_status
from app.orders.status import ItemStatus, OrderStatus, PaymentStatus
from app.parcels.status import ParcelMethod, ParcelStatus
from tests import factories

O, P = OrderStatus, ParcelStatus


def make_parcel(order, status=P.READY, items=None, code=None) -> Parcel:
    parcel = Parcel(code=code or f"PCL-{order.code}-{status.value}", branch_id=order.branch_id,
                    method=ParcelMethod.COURIER, status=status)
    for item in items if items is not None else order.items:
        parcel.items.append(ParcelItem(order_id=item.order_id, order_item_id=item.id, quantity=item.quantity))
    factories.db.session.add(parcel)
    factories.db.session.flush()
    return parcel


def test_a_paid_ready_order_is_not_cancelled_by_a_status_change(db, shop):
    # given: the example, a DELIVERY-READY order with a completed card payment and a parcel Ready
    order = factories.make_order(shop.branch1, status=O.DELIVERY_READY, paid=True)
    parcel = make_parcel(order)
    db.session.commit()
    version = order.version
    # when a manager tries to cancel it
    with pytest.raises(RefundNeeded) as exc:
        change_order_status(order, to=O.CANCELLED, actor=Actor.staff(shop.manager), reason="Customer called")
    # then nothing changed, and the message says a refund is needed
    assert "needs a refund" in exc.value.message
    db.session.rollback()
    db.session.expire_all()
    assert (order.status, order.payment_status, order.version) == (O.DELIVERY_READY, PaymentStatus.PAID, version)
    assert [i.status for i in order.items] == [ItemStatus.ACTIVE]
    assert parcel.status == P.READY


def test_a_fully_refunded_order_may_be_cancelled(db, shop):
    order = factories.make_order(shop.branch1, status=O.PROCESSING, paid=True)
    order.refunded_total = order.total
    change_order_status(order, to=O.CANCELLED, actor=Actor.staff(shop.staff1), reason="Refunded at the till")
    assert order.status == O.CANCELLED and order.payment_status == PaymentStatus.REFUNDED


def test_cancelling_cancels_the_remaining_items_and_takes_back_open_parcels(db, shop):
    # given an unpaid (cash on delivery) order being packed: two lines, each in its own parcel, plus a
    # rejected line; one parcel is packed, the other ready
    order = factories.make_order(shop.branch1, status=O.DELIVERY_READY, lines=(("10.00", 1), ("20.00", 2), ("5.00", 1)))
    order.payments.append(Payment(provider=PaymentProvider.COD, amount=order.total, currency="ZAR",
                                  status=PaymentState.PENDING))
    first, second, rejected = order.items
    rejected.status = ItemStatus.REJECTED
    packed = make_parcel(order, P.PACKED, [first], code="PCL-1")
    ready = make_parcel(order, P.READY, [second], code="PCL-2")
    db.session.commit()
    # when a manager cancels it
    change_order_status(order, to=O.CANCELLED, actor=Actor.staff(shop.manager), reason="Customer moved away")
    db.session.commit()
    # then, in the same transaction: items, payment, payment status and both parcels
    db.session.expire_all()
    assert [i.status for i in order.items] == [ItemStatus.CANCELLED, ItemStatus.CANCELLED, ItemStatus.REJECTED]
    assert [p.status for p in order.payments] == [PaymentState.CANCELLED]
    assert order.payment_status == PaymentStatus.VOIDED
    assert (packed.status, ready.status) == (P.RETURNED, P.RETURNED)
    (event,) = ready.events
    assert (event.from_status, event.to_status, event.actor_type) == ("READY", "RETURNED", "SYSTEM")
    assert "Customer moved away" in event.message and order.code in event.message
    on_order = [e.message for e in order.events if e.type == "PARCEL"]
    assert sorted(on_order) == ["Parcel PCL-1 taken back", "Parcel PCL-2 taken back"]


def test_a_dispatched_parcel_is_left_alone_and_a_shared_one_keeps_the_other_orders_items(db, shop):
    # given: an order whose goods are in a parcel on the road (possible after PROCESSING -> ... -> back) and in
    # a parcel shared with another order
    order = factories.make_order(shop.branch1, status=O.PROCESSING, lines=(("10.00", 1), ("20.00", 1)))
    other = factories.make_order(shop.branch1, status=O.PROCESSING)
    on_road = make_parcel(order, P.IN_TRANSIT, [order.items[0]], code="PCL-ROAD")
    shared = make_parcel(order, P.PACKED, [order.items[1], other.items[0]], code="PCL-SHARED")
    db.session.commit()
    # when
    change_order_status(order, to=O.CANCELLED, actor=Actor.staff(shop.staff1), reason="Duplicate order")
    db.session.commit()
    # then
    db.session.expire_all()
    assert on_road.status == P.IN_TRANSIT and not on_road.events
    assert shared.status == P.PACKED
    assert [pi.order_id for pi in shared.items] == [other.id]
    assert "taken out" in shared.events[0].message


def test_a_refused_cancellation_leaves_parcels_items_and_payments_alone(db, shop):
    order = factories.make_order(shop.branch1, status=O.PROCESSING)
    order.payments.append(Payment(provider=PaymentProvider.CARD, amount=Decimal("10.00"), currency="ZAR",
                                  status=PaymentState.COMPLETED))
    order.payments.append(Payment(provider=PaymentProvider.CARD, amount=Decimal("10.00"), currency="ZAR",
                                  status=PaymentState.AUTHORIZED))
    parcel = make_parcel(order, P.OPEN)
    db.session.commit()
    with pytest.raises(RefundNeeded):
        change_order_status(order, to=O.CANCELLED, actor=Actor.staff(shop.staff1), reason="Out of stock")
    db.session.rollback()
    db.session.expire_all()
    assert sorted(p.status.value for p in order.payments) == ["authorized", "completed"]
    assert parcel.status == P.OPEN and not parcel.events
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ParcelEvent)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderEvent)) == 0


def test_the_order_page_says_a_refund_is_needed(client, auth, shop):
    order = factories.make_order(shop.branch1, status=O.DELIVERY_READY, paid=True)
    factories.db.session.commit()
    auth.login(shop.manager.email)
    token = factories.csrf_token(client, f"/orders/{order.id}")
    r = client.post(f"/orders/{order.id}/status", data={"status": "CANCELLED", "reason": "Customer called",
                                                        "version": "1", "csrf_token": token}, follow_redirects=True)
    assert "needs a refund" in r.get_data(as_text=True)
    factories.db.session.expire_all()
    assert order.status == O.DELIVERY_READY


def test_a_paid_order_offers_no_cancel_button_and_says_why(client, auth, shop):
    # given a paid order the manager could otherwise cancel, and an unpaid one
    paid = factories.make_order(shop.branch1, status=O.DELIVERY_READY, paid=True)
    unpaid = factories.make_order(shop.branch1, status=O.DELIVERY_READY)
    factories.db.session.commit()
    auth.login(shop.manager.email)
    # when the manager opens them
    paid_page = client.get(f"/orders/{paid.id}").get_data(as_text=True)
    unpaid_page = client.get(f"/orders/{unpaid.id}").get_data(as_text=True)
    # then only the unpaid one offers "Cancel order"; the paid one says a refund is needed instead
    assert 'value="CANCELLED"' not in paid_page and 'id="refund-needed"' in paid_page
    assert 'value="CANCELLED"' in unpaid_page and 'id="refund-needed"' not in unpaid_page
