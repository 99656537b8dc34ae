"""A customer cancels an order or asks for a return through the API: the rules as tables, then the endpoints'
success and failure paths (another customer's order is a 404 like a missing one)."""
from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.customers import actions
from app.exceptions import CancellationRefused, ReturnAlreadyRequested, ValidationFailed
from app.extensions import db
from app.models import (
    ActorType, OrderEventType, Parcel, ParcelItem, Payment, PaymentProvider, PaymentState, ReturnItem, ReturnRequest,
    ReturnStatus,
)
from app.models.types import utcnow
from app.orders.status import ItemStatus, OrderStatus, PaymentStatus
from app.parcels.status import ParcelMethod, ParcelStatus
from tests.api_support import assert_error
from tests.factories import make_customer, make_order

O, P, I = OrderStatus, ParcelStatus, ItemStatus
_codes = itertools.count(1)


def pay(order, provider=PaymentProvider.COD, state=PaymentState.PENDING):
    order.payments.append(Payment(provider=provider, status=state, amount=order.total, currency=order.currency,
                                  reference=None if provider == PaymentProvider.COD else "txn"))
    db.session.flush()
    return order


def parcel(order, status: ParcelStatus, *, delivered_at=None, items=None) -> Parcel:
    p = Parcel(code=f"PCL-T-{next(_codes):05d}", branch_id=order.branch_id, method=ParcelMethod.COURIER, status=status,
               courier="Courier Guy", tracking_number="TCG1", delivered_at=delivered_at)
    for item in items or order.items:
        p.items.append(ParcelItem(order_id=order.id, order_item_id=item.id, quantity=item.quantity))
    db.session.add(p)
    db.session.flush()
    return p


def delivered(shop, *, days_ago: float = 3, lines=(("100.00", 2), ("50.00", 1)), customer=None):
    """A FULFILLED order of ``customer`` (the shop's buyer), handed over ``days_ago`` days ago, paid by card."""
    order = make_order(shop.branch1, customer=customer or shop.customer, lines=lines, status=O.FULFILLED, paid=True)
    when = utcnow() - timedelta(days=days_ago)
    order.fulfilled_at = when
    for item in order.items:
        item.status = I.FULFILLED
    parcel(order, P.DELIVERED, delivered_at=when)
    db.session.commit()
    return order


# --- the cancellation rules ------------------------------------------------------------------------

CANCEL_RULES = [
    # (order status, payments [(provider, state)], parcel status or None, refusal fragment or None = allowed)
    (O.ORDERED, [(PaymentProvider.COD, PaymentState.PENDING)], None, None),
    (O.PROCESSING, [(PaymentProvider.COD, PaymentState.PENDING)], None, None),
    (O.PROCESSING, [(PaymentProvider.COD, PaymentState.PENDING)], P.OPEN, None),  # picking, not packed yet
    (O.ORDERED, [], None, None),  # nothing paid yet
    (O.ORDERED, [(PaymentProvider.EFT, PaymentState.PENDING)], None, None),
    (O.ORDERED, [(PaymentProvider.CARD, PaymentState.AUTHORIZED)], None, None),  # not captured: voided
    (O.ORDERED, [(PaymentProvider.CARD, PaymentState.FAILED)], None, None),
    (O.ORDERED, [(PaymentProvider.CARD, PaymentState.COMPLETED)], None, "request a return instead"),
    (O.PROCESSING, [(PaymentProvider.EFT, PaymentState.COMPLETED)], None, "paid online"),
    (O.ORDERED, [(PaymentProvider.CARD, PaymentState.FAILED), (PaymentProvider.CARD, PaymentState.COMPLETED)], None,
     "paid online"),
    (O.ORDERED, [(PaymentProvider.CARD, PaymentState.DISPUTED)], None, "paid online"),
    (O.PROCESSING, [(PaymentProvider.COD, PaymentState.PENDING)], P.PACKED, "already packed"),
    (O.PROCESSING, [(PaymentProvider.COD, PaymentState.PENDING)], P.READY, "already packed"),
    (O.DELIVERY_READY, [(PaymentProvider.COD, PaymentState.PENDING)], P.READY, "already packed"),
    (O.PARTIALLY_FULFILLED, [(PaymentProvider.COD, PaymentState.PENDING)], P.IN_TRANSIT, "on its way"),
    (O.FULFILLED, [(PaymentProvider.COD, PaymentState.COMPLETED)], P.DELIVERED, "request a return instead"),
    (O.PARTIALLY_REFUNDED, [(PaymentProvider.CARD, PaymentState.COMPLETED)], P.DELIVERED, "request a return"),
    (O.CANCELLED, [(PaymentProvider.COD, PaymentState.CANCELLED)], None, "already cancelled"),
    (O.REFUNDED, [(PaymentProvider.CARD, PaymentState.REFUNDED)], None, "already been refunded"),
]


@pytest.mark.parametrize("status,payments,parcel_status,refusal", CANCEL_RULES)
def test_cancellation_rules(db, shop, status, payments, parcel_status, refusal):
    order = make_order(shop.branch1, customer=shop.customer, status=status)
    for provider, state in payments:
        pay(order, provider, state)
    if parcel_status is not None:
        parcel(order, parcel_status)
    if refusal is None:
        event = actions.customer_cancel_order(order, customer=shop.customer)
        assert order.status == O.CANCELLED and event.actor_type == ActorType.CUSTOMER
        assert all(p.status not in (PaymentState.PENDING, PaymentState.AUTHORIZED) for p in order.payments)
    else:
        with pytest.raises(CancellationRefused, match=refusal):
            actions.customer_cancel_order(order, customer=shop.customer)
        assert order.status == status


# --- the cancel endpoint -----------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["post", "get"])
def test_customer_cancels_a_cash_on_delivery_order(api, shop, method):
    # given: a COD order still being picked
    order = pay(make_order(shop.branch1, customer=shop.customer, status=O.PROCESSING))
    db.session.commit()
    token = api.token("buyer@shop.test")
    # when
    response = getattr(api, method)(f"/api/v1/customer/order-cancel/{order.id}?reason=Changed%20my%20mind", token)
    # then
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["message"] == "Order has been cancelled" and body["success"] is True
    assert body["data"]["status"] == "CANCELLED" and body["data"]["order_status"] == "cancelled"
    assert [p["status"] for p in body["data"]["payments"]] == ["cancelled"]
    db.session.expire_all()
    assert order.status == O.CANCELLED and order.payments[0].status == PaymentState.CANCELLED
    event = order.events[0]
    assert event.type == OrderEventType.STATUS_CHANGED and event.to_status == "CANCELLED"
    assert event.actor_type == ActorType.CUSTOMER and event.customer_id == shop.customer.id
    assert event.actor_label == shop.customer.name and event.staff_id is None
    assert event.message == "Changed my mind"


def test_cancel_without_a_reason_records_a_default_one(api, shop):
    order = make_order(shop.branch1, customer=shop.customer)
    db.session.commit()
    assert api.post(f"/api/v1/customer/order-cancel/{order.id}", api.token("buyer@shop.test")).status_code == 200
    db.session.expire_all()
    assert order.events[0].message == actions.CUSTOMER_CANCEL_REASON


def test_paid_order_is_400_saying_request_a_return(api, shop):
    order = make_order(shop.branch1, customer=shop.customer, paid=True)
    db.session.commit()
    body = assert_error(api.post(f"/api/v1/customer/order-cancel/{order.id}", api.token("buyer@shop.test")), 400)
    assert "request a return instead" in body["message"] and body["code"] == "cannot_cancel"
    db.session.expire_all()
    assert order.status == O.ORDERED and order.payment_status == PaymentStatus.PAID and not order.events


def test_packed_order_is_400(api, shop):
    order = pay(make_order(shop.branch1, customer=shop.customer, status=O.DELIVERY_READY))
    parcel(order, P.PACKED)
    db.session.commit()
    body = assert_error(api.post(f"/api/v1/customer/order-cancel/{order.id}", api.token("buyer@shop.test")), 400)
    assert "packed" in body["message"]


def test_cancelling_twice_is_400(api, shop):
    order = make_order(shop.branch1, customer=shop.customer)
    db.session.commit()
    token = api.token("buyer@shop.test")
    assert api.post(f"/api/v1/customer/order-cancel/{order.id}", token).status_code == 200
    assert "already cancelled" in assert_error(api.post(f"/api/v1/customer/order-cancel/{order.id}", token),
                                               400)["message"]


def test_cancel_another_customers_order_is_404_like_a_missing_one(api, shop):
    theirs = make_order(shop.branch1, customer=make_customer("other@shop.test"))
    db.session.commit()
    token = api.token("buyer@shop.test")
    mine = assert_error(api.post(f"/api/v1/customer/order-cancel/{theirs.id}", token), 404)
    missing = assert_error(api.post("/api/v1/customer/order-cancel/999999", token), 404)
    assert mine["message"] == missing["message"]
    assert_error(api.get(f"/api/v1/customer/order-cancel/{theirs.id}", token), 404)
    db.session.expire_all()
    assert theirs.status == O.ORDERED


def test_cancel_needs_a_customer_token(api, shop):
    order = make_order(shop.branch1, customer=shop.customer)
    db.session.commit()
    url = f"/api/v1/customer/order-cancel/{order.id}"
    assert_error(api.post(url), 401)
    assert_error(api.post(url, api.token("staff1@shop.test", staff=True)), 403)
    assert_error(api.post(url + "?colour=red", api.token("buyer@shop.test")), 422, "colour")
    assert_error(api.post(url + "?reason=a%00b", api.token("buyer@shop.test")), 422, "reason")
    assert_error(api.post("/api/v1/customer/order-cancel/99999999999", api.token("buyer@shop.test")), 404)


# --- the return rules --------------------------------------------------------------------------------

RETURN_RULES = [
    # (item status, order status, days since delivery, refunded quantity of 2, refusal fragment or None)
    (I.FULFILLED, O.FULFILLED, 1, 0, None),
    (I.FULFILLED, O.FULFILLED, 29.9, 0, None),
    (I.FULFILLED, O.PARTIALLY_FULFILLED, 2, 0, None),  # this item's parcel arrived, another is on its way
    (I.FULFILLED, O.PARTIALLY_REFUNDED, 2, 1, None),  # one of two refunded: the other may come back
    (I.ACTIVE, O.FULFILLED, 2, 0, None),  # staff marked the whole order delivered by hand
    (I.FULFILLED, O.FULFILLED, 30.1, 0, "return window"),
    (I.ACTIVE, O.PARTIALLY_FULFILLED, None, 0, "not been delivered"),
    (I.ACTIVE, O.PROCESSING, None, 0, "not been delivered"),
    (I.ACTIVE, O.DELIVERY_READY, None, 0, "not been delivered"),
    (I.CANCELLED, O.CANCELLED, None, 0, "not supplied"),
    (I.REJECTED, O.FULFILLED, 2, 0, "not supplied"),
    (I.RETURNED, O.FULFILLED, 2, 0, "already been returned"),
    (I.REFUNDED, O.REFUNDED, 2, 2, "already been refunded"),
    (I.FULFILLED, O.PARTIALLY_REFUNDED, 2, 2, "already been refunded"),
]


@pytest.mark.parametrize("item_status,order_status,days,refunded,refusal", RETURN_RULES)
def test_return_rules(db, shop, item_status, order_status, days, refunded, refusal):
    order = make_order(shop.branch1, customer=shop.customer, lines=(("100.00", 2),), status=order_status, paid=True)
    item = order.items[0]
    item.status, item.refunded_quantity = item_status, refunded
    if days is not None:
        parcel(order, P.DELIVERED, delivered_at=utcnow() - timedelta(days=days))
    if refusal is None:
        request = actions.request_return(order, customer=shop.customer, item_ids=[item.id], quantities=None,
                                         reason="Too small", window_days=30)
        assert request.status == ReturnStatus.REQUESTED and item.status == I.RETURN_REQUESTED
        assert request.items[0].quantity == 2 - refunded
    else:
        with pytest.raises(ValidationFailed, match=refusal) as refused:
            actions.request_return(order, customer=shop.customer, item_ids=[item.id], quantities=None,
                                   reason="Too small", window_days=30)
        assert refused.value.field == "order_items_id" and item.status == item_status


def test_window_counts_from_the_order_when_no_parcel_says_when(db, shop):
    order = make_order(shop.branch1, customer=shop.customer, status=O.FULFILLED, paid=True)
    order.fulfilled_at = utcnow() - timedelta(days=40)
    with pytest.raises(ValidationFailed, match="closed on"):
        actions.request_return(order, customer=shop.customer, item_ids=[order.items[0].id], quantities=None,
                               reason="Late", window_days=30)
    assert actions.request_return(order, customer=shop.customer, item_ids=[order.items[0].id], quantities=None,
                                  reason="Late", window_days=45)


def test_an_item_in_an_open_request_is_a_conflict_even_if_its_status_was_reset(db, shop):
    order = delivered(shop)
    item = order.items[0]
    db.session.add(ReturnRequest(order_id=order.id, customer_id=shop.customer.id, reason="x",
                                 status=ReturnStatus.APPROVED, items=[ReturnItem(order_item_id=item.id, quantity=1)]))
    db.session.flush()
    with pytest.raises(ReturnAlreadyRequested):
        actions.request_return(order, customer=shop.customer, item_ids=[item.id], quantities=None, reason="again",
                               window_days=30)


# --- the return endpoint -----------------------------------------------------------------------------

def test_customer_asks_to_return_delivered_items(api, shop):
    # given
    order = delivered(shop)
    first, second = order.items
    token = api.token("buyer@shop.test")
    # when
    response = api.post("/api/v1/customer/order/return", token, json={
        "order_id": order.id, "order_items_id": [first.id], "return_reason": "Damaged items", "quantities": [1]})
    # then
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["message"] == "Order return initiated successfully"
    data = body["data"]
    assert data["status"] == "REQUESTED" and data["order_id"] == order.id and data["return_reason"] == "Damaged items"
    assert data["items"] == [{"order_item_id": first.id, "sku": first.sku, "name": first.name, "quantity": 1}]
    db.session.expire_all()
    request = db.session.scalars(sa.select(ReturnRequest)).one()
    assert request.customer_id == shop.customer.id and request.status == ReturnStatus.REQUESTED
    assert first.status == I.RETURN_REQUESTED and second.status == I.FULFILLED
    event = order.events[0]
    assert event.type == OrderEventType.RETURN and event.to_status == "REQUESTED"
    assert event.actor_type == ActorType.CUSTOMER and event.customer_id == shop.customer.id
    assert event.data["return_request_id"] == request.id and event.data["items"] == [
        {"order_item_id": first.id, "quantity": 1}]


def test_quantities_default_to_what_remains(api, shop):
    order = delivered(shop)
    body = api.post("/api/v1/customer/order/return", api.token("buyer@shop.test"), json={
        "order_id": order.id, "order_items_id": [i.id for i in order.items], "return_reason": "Wrong colour"}).get_json()
    assert [i["quantity"] for i in body["data"]["items"]] == [2, 1]


def test_a_second_request_for_the_same_items_is_409(api, shop):
    order = delivered(shop)
    token = api.token("buyer@shop.test")
    payload = {"order_id": order.id, "order_items_id": [order.items[0].id], "return_reason": "Damaged"}
    assert api.post("/api/v1/customer/order/return", token, json=payload).status_code == 200
    body = assert_error(api.post("/api/v1/customer/order/return", token, json=payload), 409)
    assert body["code"] == "return_exists"
    both = payload | {"order_items_id": [order.items[1].id, order.items[0].id]}
    assert_error(api.post("/api/v1/customer/order/return", token, json=both), 409)
    db.session.expire_all()
    assert order.items[1].status == I.FULFILLED  # nothing half-written
    assert db.session.scalar(sa.select(sa.func.count(ReturnRequest.id))) == 1


@pytest.mark.parametrize("change,field", [
    ({"quantities": [3]}, "quantities"),  # more than the 2 delivered
    ({"quantities": [1, 1]}, "quantities"),  # one per item
    ({"quantities": [0]}, "quantities.0"),
    ({"quantities": [-1]}, "quantities.0"),
    ({"order_items_id": []}, "order_items_id"),
    ({"order_items_id": ["abc"]}, "order_items_id.0"),
    ({"order_items_id": [999999]}, "order_items_id"),  # not an item of this order
    ({"order_items_id": "OWN"}, "order_items_id"),  # replaced below by a duplicated id
    ({"order_items_id": "OTHER"}, "order_items_id"),  # replaced below by another order's item
    ({"return_reason": ""}, "return_reason"),
    ({"return_reason": "   "}, "return_reason"),
    ({"return_reason": "x" * 1001}, "return_reason"),
    ({"return_reason": "torn\x00"}, "return_reason"),
    ({"order_id": 2**40}, "order_id"),
    ({"order_id": "seven"}, "order_id"),
    ({"refund_to": "wallet"}, "refund_to"),
])
def test_bad_return_requests_are_422_naming_the_field(api, shop, change, field):
    order = delivered(shop)
    other = delivered(shop)
    payload = {"order_id": order.id, "order_items_id": [order.items[0].id], "return_reason": "Damaged"} | change
    if payload["order_items_id"] == "OWN":
        payload["order_items_id"] = [order.items[0].id, order.items[0].id]
    if payload["order_items_id"] == "OTHER":
        payload["order_items_id"] = [other.items[0].id]
    assert_error(api.post("/api/v1/customer/order/return", api.token("buyer@shop.test"), json=payload), 422, field)
    assert db.session.scalar(sa.select(sa.func.count(ReturnRequest.id))) == 0


def test_return_after_the_window_is_422_and_the_window_is_configurable(api, shop, app):
    order = delivered(shop, days_ago=31)
    token = api.token("buyer@shop.test")
    payload = {"order_id": order.id, "order_items_id": [order.items[0].id], "return_reason": "Late"}
    body = assert_error(api.post("/api/v1/customer/order/return", token, json=payload), 422, "order_items_id")
    assert "return window" in body["message"]
    app.config["RETURN_WINDOW_DAYS"] = 60
    try:
        assert api.post("/api/v1/customer/order/return", token, json=payload).status_code == 200
    finally:
        app.config["RETURN_WINDOW_DAYS"] = 30


def test_return_of_an_undelivered_order_is_422(api, shop):
    order = make_order(shop.branch1, customer=shop.customer, status=O.PROCESSING, paid=True)
    db.session.commit()
    body = assert_error(api.post("/api/v1/customer/order/return", api.token("buyer@shop.test"), json={
        "order_id": order.id, "order_items_id": [order.items[0].id], "return_reason": "x"}), 422, "order_items_id")
    assert "not been delivered" in body["message"]


def test_return_on_another_customers_order_is_404_like_a_missing_one(api, shop):
    theirs = delivered(shop, customer=make_customer("other@shop.test"))
    token = api.token("buyer@shop.test")
    payload = {"order_id": theirs.id, "order_items_id": [theirs.items[0].id], "return_reason": "Mine now"}
    mine = assert_error(api.post("/api/v1/customer/order/return", token, json=payload), 404)
    missing = assert_error(api.post("/api/v1/customer/order/return", token, json=payload | {"order_id": 999999}), 404)
    assert mine["message"] == missing["message"]
    db.session.expire_all()
    assert theirs.items[0].status == I.FULFILLED


def test_return_needs_a_customer_token_and_json(api, shop):
    order = delivered(shop)
    payload = {"order_id": order.id, "order_items_id": [order.items[0].id], "return_reason": "x"}
    assert_error(api.post("/api/v1/customer/order/return", json=payload), 401)
    assert_error(api.post("/api/v1/customer/order/return", api.token("staff1@shop.test", staff=True), json=payload),
                 403)
    token = api.token("buyer@shop.test")
    assert_error(api.post("/api/v1/customer/order/return", token, data="order_id=1",
                          content_type="application/x-www-form-urlencoded"), 415)
    assert_error(api.post("/api/v1/customer/order/return", token, data="{nope", content_type="application/json"), 400)
    assert_error(api.get("/api/v1/customer/order/return", token), 405)


def test_money_is_untouched_by_a_return_request(api, shop):
    order = delivered(shop)
    before = (order.total, order.refunded_total, order.payment_status)
    api.post("/api/v1/customer/order/return", api.token("buyer@shop.test"), json={
        "order_id": order.id, "order_items_id": [order.items[0].id], "return_reason": "Damaged"})
    db.session.expire_all()
    assert (order.total, order.refunded_total, order.payment_status) == before
    assert order.refunded_total == Decimal("0.00") and order.status == O.FULFILLED
