"""Customer order reads: my-orders, order-tracking, order-summery/summary, orders (seed 004)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.actors import Actor
from app.extensions import db as _db
from app.models import Parcel, ParcelEvent, ParcelItem, Payment, PaymentProvider, PaymentState
from app.orders import events
from app.orders.status import OrderStatus
from app.parcels.status import ParcelMethod, ParcelStatus
from tests.api_support import assert_error
from tests.factories import make_customer, make_order

UTC = timezone.utc
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday
BUYER = "buyer@shop.test"

READS = ["/api/v1/customer/order-tracking/{id}", "/api/v1/customer/order-summery/{id}",
         "/api/v1/customer/order-summary/{id}", "/api/v1/customer/orders/{id}", "/api/v1/customer/e-bill/{id}"]
LISTS = ["/api/v1/customer/my-orders", "/api/v1/customer/orders"]


def ship(order, *, to: ParcelStatus, at: datetime = T0, courier="The Courier Guy", expected=None) -> Parcel:
    """A courier parcel with all of ``order``'s items, moved step by step to ``to`` (an hour a step)."""
    parcel = Parcel(code=f"PCL-{order.id}-{to.value}", branch_id=order.branch_id, method=ParcelMethod.COURIER,
                    courier=courier, tracking_number=f"TCG{order.id:06d}", tracking_url=f"https://track.test/{order.id}",
                    estimated_delivery_at=expected, created_at=at, updated_at=at)
    for item in order.items:
        parcel.items.append(ParcelItem(order_id=order.id, order_item_id=item.id, quantity=item.quantity))
    path = [ParcelStatus.OPEN, ParcelStatus.PACKED, ParcelStatus.READY, ParcelStatus.COLLECTED_BY_DRIVER,
            ParcelStatus.IN_TRANSIT, ParcelStatus.DELIVERED]
    src = None
    for n, status in enumerate(path[: path.index(to) + 1]):
        when = at + timedelta(hours=n)
        parcel.events.append(ParcelEvent(created_at=when, from_status=src, to_status=status.value,
                                         location="Cape Town hub" if status == ParcelStatus.IN_TRANSIT else None,
                                         message=None, data={}, actor_type="STAFF", actor_label="Sam"))
        src = status.value
        parcel.status = status
        if status == ParcelStatus.DELIVERED:
            parcel.delivered_at = when
    _db.session.add(parcel)
    _db.session.flush()
    return parcel


@pytest.fixture
def orders(shop, db):
    """Three orders of the shop's customer (oldest first), one of another customer."""
    c = shop.customer
    old = make_order(shop.branch1, customer=c, created_at=T0 - timedelta(days=3), paid=True,
                     expected_delivery_at=T0 + timedelta(days=1), invoice_number="INV-CPT-2026-000001",
                     status=OrderStatus.FULFILLED)
    old.payments[0].created_at = T0 - timedelta(days=3)
    ship(old, to=ParcelStatus.DELIVERED, at=T0 - timedelta(days=1), expected=T0 + timedelta(days=1))
    mid = make_order(shop.branch1, customer=c, created_at=T0 - timedelta(days=2), lines=(("115.00", 2), ("50.00", 1)),
                     status=OrderStatus.DELIVERY_READY, expected_delivery_at=T0 - timedelta(days=1),
                     invoice_number="INV-CPT-2026-000002")
    mid.payments.append(Payment(provider=PaymentProvider.COD, amount=mid.total, currency="ZAR",
                                status=PaymentState.PENDING))
    mid.events.append(events.order_placed_event(order=mid, actor=Actor.customer(c)))
    mid.events[-1].created_at = mid.created_at
    ship(mid, to=ParcelStatus.IN_TRANSIT, at=T0 - timedelta(days=1))
    new = make_order(shop.branch2, customer=c, created_at=T0 - timedelta(days=1), invoice_number="INV-STB-2026-000001")
    theirs = make_order(shop.branch1, customer=make_customer("other@shop.test"), created_at=T0,
                        invoice_number="INV-CPT-2026-000003")
    _db.session.commit()
    return {"old": old, "mid": mid, "new": new, "theirs": theirs}


@pytest.fixture
def token(api, shop):
    return api.token(BUYER)


# --- access: every endpoint ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", READS)
def test_another_customers_order_is_404_like_a_missing_one(api, orders, token, url):
    theirs = assert_error(api.get(url.format(id=orders["theirs"].id), token), 404)
    missing = assert_error(api.get(url.format(id=999_999), token), 404)
    assert theirs["message"] == missing["message"]


@pytest.mark.parametrize("url", READS + LISTS)
def test_no_token_is_401_and_a_staff_token_is_403(api, orders, url):
    url = url.format(id=orders["old"].id)
    assert_error(api.get(url), 401)
    assert_error(api.get(url, api.token("admin@shop.test", staff=True)), 403)


# --- my-orders ----------------------------------------------------------------------------------------------

def test_my_orders_lists_only_mine_newest_first_with_seed_001_fields(api, orders, token, app):
    body = api.get("/api/v1/customer/my-orders", token).get_json()
    assert body["success"] is True
    rows = body["data"]["orders"]
    assert [r["id"] for r in rows] == [orders["new"].id, orders["mid"].id, orders["old"].id]
    assert body["data"]["pagination"] == {"total": 3, "count": 3, "limit": 15, "current_page": 1, "total_pages": 1}
    old, mid, new = rows[2], rows[1], rows[0]
    assert old == {
        "id": orders["old"].id, "order_code": orders["old"].code, "bill_no": "INV-CPT-2026-000001",
        "number_of_products": 1, "total_amount": "150.00", "currency": "ZAR", "order_date": "2026-10-30T08:00:00Z",
        "order_status": "delivered", "payment_status": "paid", "payment_type": "card",
        # delivered the day before it was due: Early; the weekday is the shop's (Johannesburg) day
        "delivery_date": "2026-11-01T13:00:00Z", "delivery_day": "Sunday", "delivery_delay_status": "Early",
    }
    assert (mid["order_status"], mid["payment_type"], mid["number_of_products"]) == ("packed", "cod", 2)
    assert mid["delivery_delay_status"] == "Delayed"  # due yesterday, still on the way
    assert (new["order_status"], new["payment_type"], new["delivery_date"]) == ("pending", None, None)


def test_my_orders_pages_by_15(api, shop, token):
    for n in range(17):
        make_order(shop.branch1, customer=shop.customer, created_at=T0 + timedelta(minutes=n))
    _db.session.commit()
    first = api.get("/api/v1/customer/my-orders", token).get_json()["data"]
    second = api.get("/api/v1/customer/my-orders?page=2", token).get_json()["data"]
    assert first["pagination"] == {"total": 17, "count": 15, "limit": 15, "current_page": 1, "total_pages": 2}
    assert second["pagination"]["count"] == 2
    ids = [o["id"] for o in first["orders"] + second["orders"]]
    assert len(set(ids)) == 17 and ids == sorted(ids, reverse=True)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "100001"])
def test_my_orders_bad_page_is_422_naming_it(api, shop, token, page):
    assert_error(api.get(f"/api/v1/customer/my-orders?page={page}", token), 422, "page")


def test_my_orders_unknown_parameter_is_422(api, shop, token):
    assert_error(api.get("/api/v1/customer/my-orders?sort=total", token), 422, "sort")


def test_my_orders_runs_a_fixed_number_of_queries(api, shop, token, app):
    """No N+1: a full page costs the same queries as a short one."""
    import sqlalchemy as sa

    def queries_for_page() -> int:
        count = 0

        def bump(*_a, **_k):
            nonlocal count
            count += 1

        sa.event.listen(_db.engine, "before_cursor_execute", bump)
        try:
            assert api.get("/api/v1/customer/my-orders", token).status_code == 200
        finally:
            sa.event.remove(_db.engine, "before_cursor_execute", bump)
        return count

    o = make_order(shop.branch1, customer=shop.customer, paid=True)
    ship(o, to=ParcelStatus.DELIVERED)
    _db.session.commit()
    one = queries_for_page()
    for _ in range(14):
        o = make_order(shop.branch1, customer=shop.customer, paid=True, lines=(("10.00", 1), ("20.00", 2)))
        ship(o, to=ParcelStatus.IN_TRANSIT)
    _db.session.commit()
    assert queries_for_page() == one


# --- order-tracking -----------------------------------------------------------------------------------------

def test_tracking_reads_the_stages_and_courier_from_the_parcels(api, orders, token):
    mid = orders["mid"]
    body = api.get(f"/api/v1/customer/order-tracking/{mid.id}", token).get_json()
    [card] = body["data"]["order"]
    assert card["order_placed_date"] == "2026-10-31T08:00:00Z" and card["order_placed_status"] == "pending"
    assert card["order_packed_date"] == "2026-11-01T09:00:00Z" and card["order_packed_status"] == "packed"
    assert card["order_shipped_date"] == "2026-11-01T11:00:00Z" and card["order_shipped_status"] == "shipped"
    assert card["order_delivered_date"] is None and card["order_delivered_status"] is None
    assert (card["courier_name"], card["courier_tracking_no"]) == ("The Courier Guy", f"TCG{mid.id:06d}")
    assert card["courier_tracking_url"] == f"https://track.test/{mid.id}"
    assert card["shipment_status"] == "IN_TRANSIT" and card["delivery_delay_status"] == "Delayed"
    assert [e["status"] for e in card["events"]] == ["ORDER_PLACED", "PROCESSING", "PACKED", "READY", "IN_TRANSIT",
                                                     "IN_TRANSIT"]
    assert card["events"][-1]["location"] == "Cape Town hub"
    assert set(card["events"][0]) >= {"status", "message", "location", "occurred_at"}


def test_tracking_of_a_delivered_order(api, orders, token):
    [card] = api.get(f"/api/v1/customer/order-tracking/{orders['old'].id}", token).get_json()["data"]["order"]
    assert card["order_delivered_date"] == "2026-11-01T13:00:00Z" and card["order_delivered_status"] == "delivered"
    assert card["delivery_day"] == "Sunday" and card["delivery_delay_status"] == "Early"


def test_tracking_of_an_order_without_parcels(api, orders, token):
    [card] = api.get(f"/api/v1/customer/order-tracking/{orders['new'].id}", token).get_json()["data"]["order"]
    assert card["order_packed_date"] is None and card["courier_name"] is None
    assert [e["status"] for e in card["events"]] == ["ORDER_PLACED"]


# --- order-summery ------------------------------------------------------------------------------------------

def test_summary_money_and_vat_per_rate_after_discount(api, shop, token):
    # given R230 + R50 of goods at 15%, a R28 discount and a R65 delivery fee
    order = make_order(shop.branch1, customer=shop.customer, lines=(("115.00", 2), ("50.00", 1)),
                       delivery_fee="65.00", discount_total=Decimal("28.00"), invoice_number="INV-1")
    _db.session.commit()
    # when
    body = api.get(f"/api/v1/customer/order-summery/{order.id}?lang_code=en", token).get_json()
    # then
    [s] = body["data"]["order"]
    assert (s["sub_total"], s["discount"], s["delivery_charge"], s["total_amount"]) == (
        "280.00", "28.00", "65.00", "317.00")
    assert s["split_tax"] == [
        {"key": "VAT", "percentage": "15.00%", "value": "32.87", "taxable_amount": "252.00"},
        {"key": "VAT (delivery)", "percentage": "15.00%", "value": "8.48", "taxable_amount": "65.00"},
    ]
    assert s["total_tax"] == "41.35" == f"{sum(Decimal(t['value']) for t in s['split_tax']):.2f}"
    assert s["discount_percentage"] == "10.00" and s["bill_no"] == "INV-1"
    first = s["order_details"][0]
    assert first["serial"] == 1 and first["order_items_id"] == order.items[0].id and first["quantity"] == 2
    assert (first["mrp"], first["offer_price"], first["total_price"]) == ("115.00", "115.00", "230.00")
    assert first["product"]["variations"] == [{"attribute": "Size", "attribute_value": "M", "attribute_code": None}]
    assert first["product"]["is_returned"] is False


def test_summary_alias_answers_the_same(api, orders, token):
    oid = orders["old"].id
    assert (api.get(f"/api/v1/customer/order-summary/{oid}", token).get_json()
            == api.get(f"/api/v1/customer/order-summery/{oid}", token).get_json())


def test_summary_bad_lang_code_is_422(api, orders, token):
    assert_error(api.get(f"/api/v1/customer/order-summery/{orders['old'].id}?lang_code=<x>", token), 422, "lang_code")


def test_summary_marks_returned_items(api, orders, token):
    from app.orders.status import ItemStatus

    orders["old"].items[0].status = ItemStatus.RETURN_REQUESTED
    _db.session.commit()
    [s] = api.get(f"/api/v1/customer/order-summery/{orders['old'].id}", token).get_json()["data"]["order"]
    assert s["order_details"][0]["product"]["is_returned"] is True
    assert s["order_details"][0]["item_status"] == "RETURN-REQUESTED"


# --- orders (seed 004) --------------------------------------------------------------------------------------

def test_orders_in_seed_004_shape(api, orders, token):
    body = api.get("/api/v1/customer/orders", token).get_json()["data"]
    assert [o["id"] for o in body["orders"]] == [orders["new"].id, orders["mid"].id, orders["old"].id]
    assert body["pagination"]["total"] == 3
    old = body["orders"][2]
    assert old["is_fully_paid"] is True and old["payments"][0]["status"] == "completed"
    assert old["shipment"]["status"] == "DELIVERED" and old["shipment"]["delivered_at"] == "2026-11-01T13:00:00Z"
    assert old["items"][0]["line_total"] == "100.00" and old["shipping_address"]["city"] == "Cape Town"


def test_one_order_in_seed_004_shape_with_payments_newest_first(api, orders, token):
    mid = orders["mid"]
    mid.payments.append(Payment(provider=PaymentProvider.CARD, amount=mid.total, currency="ZAR",
                                status=PaymentState.FAILED))
    _db.session.commit()
    body = api.get(f"/api/v1/customer/orders/{mid.id}", token).get_json()["data"]
    assert body["id"] == mid.id and body["is_fully_paid"] is False
    assert [p["status"] for p in body["payments"]] == ["failed", "pending"]
    assert [e["status"] for e in body["shipment"]["events"]][-1] == "IN_TRANSIT"


def test_my_orders_reads_the_same_parcel_summary_in_sql_as_the_tracking_rule(db):
    """my-orders reads each order's ParcelSummary in SQL; tracking.summarize counts it from the parcels: every
    demo order (all parcel statuses, split and shared parcels) gets the same four numbers both ways."""
    import sqlalchemy as sa

    from app.customers import queries as customer_queries
    from app.demo import load_demo_shop
    from app.models import Customer, Order
    from app.orders import queries as order_queries
    from app.orders.tracking import summarize

    load_demo_shop(seed=7, demo_orders=200, echo=lambda *_: None)
    checked = 0
    for customer in db.session.scalars(sa.select(Customer).where(Customer.id.in_(
            sa.select(Order.customer_id).distinct()))):
        rows, _ = customer_queries.my_orders_page(customer, page=1, per_page=1000)
        for row in rows:
            order = db.session.get(Order, row.id)
            assert customer_queries.parcel_summary(row) == summarize(order_queries.parcels_for(order)), order.code
            checked += 1
    assert checked >= 150  # the orders with a customer account (channel orders may have none)
