"""The order list and order detail pages: listing, search, filter, scoping, status changes."""
from __future__ import annotations

from app.models import OrderEvent
from app.orders.status import OrderStatus
from tests import factories


def test_list_shows_orders_of_my_branch_newest_first(client, auth, shop):
    # given
    older = factories.make_order(shop.branch1, code="ORD-2026-000001")
    newer = factories.make_order(shop.branch1, code="ORD-2026-000002")
    other_branch = factories.make_order(shop.branch2, code="ORD-2026-000003")
    older.created_at = older.created_at.replace(year=2025)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    # when
    html = client.get("/orders").get_data(as_text=True)
    # then
    assert newer.code in html and older.code in html
    assert html.index(newer.code) < html.index(older.code)
    assert other_branch.code not in html


def test_search_by_code_and_email_and_status_filter(client, auth, shop):
    a = factories.make_order(shop.branch1, code="ORD-2026-004242")
    b = factories.make_order(shop.branch1, code="ORD-2026-000777", status=OrderStatus.PROCESSING)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    html = client.get("/orders?q=004242").get_data(as_text=True)
    assert a.code in html and b.code not in html
    html = client.get(f"/orders?q={b.customer_email.upper()}").get_data(as_text=True)
    assert b.code in html and a.code not in html
    html = client.get("/orders?status=PROCESSING").get_data(as_text=True)
    assert b.code in html and a.code not in html


def test_htmx_request_gets_only_the_results_partial(client, auth, shop):
    factories.make_order(shop.branch1, code="ORD-2026-000123")
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    r = client.get("/orders?q=000123", headers={"HX-Request": "true", "HX-Target": "order-results"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "ORD-2026-000123" in html and "<html" not in html


def test_bad_filter_value_is_a_clear_message_not_a_500(client, auth, shop):
    auth.login(shop.staff1.email)
    r = client.get("/orders?status=SHIPPED&page=abc")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Unknown status" in html and "Page must be a whole number" in html


def test_empty_state(client, auth, shop):
    auth.login(shop.staff1.email)
    assert "No orders yet" in client.get("/orders").get_data(as_text=True)
    assert "No orders match" in client.get("/orders?q=nothing-like-this").get_data(as_text=True)


def test_staff_of_another_branch_gets_404_on_detail_and_status_change(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff2.email)
    assert client.get(f"/orders/{order.id}").status_code == 404
    page = client.get("/orders").get_data(as_text=True)
    token = factories.csrf_from(page)
    r = client.post(f"/orders/{order.id}/status", data={"status": "PROCESSING", "version": "1", "csrf_token": token})
    assert r.status_code == 404
    factories.db.session.refresh(order)
    assert order.status == OrderStatus.ORDERED


def test_detail_shows_only_allowed_status_buttons(client, auth, shop):
    order = factories.make_order(shop.branch1, status=OrderStatus.PROCESSING)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'value="DELIVERY-READY"' in html and 'value="CANCELLED"' in html
    assert 'value="FULFILLED"' not in html and 'value="REFUNDED"' not in html


def test_status_change_is_recorded_with_actor_and_reason(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    token = factories.csrf_token(client, f"/orders/{order.id}")
    r = client.post(f"/orders/{order.id}/status",
                    data={"status": "PROCESSING", "reason": "Picking now", "version": "1", "csrf_token": token})
    assert r.status_code == 302
    factories.db.session.expire_all()
    assert order.status == OrderStatus.PROCESSING
    event = factories.db.session.query(OrderEvent).filter_by(order_id=order.id, type="STATUS_CHANGED").one()
    assert (event.from_status, event.to_status, event.staff_id, event.message) == (
        "ORDERED", "PROCESSING", shop.staff1.id, "Picking now")


def test_forbidden_status_change_by_url_is_refused_and_changes_nothing(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    token = factories.csrf_token(client, f"/orders/{order.id}")
    r = client.post(f"/orders/{order.id}/status", data={"status": "REFUNDED", "version": "1", "csrf_token": token})
    assert r.status_code == 400
    factories.db.session.expire_all()
    assert order.status == OrderStatus.ORDERED
    assert not factories.db.session.query(OrderEvent).filter_by(order_id=order.id).count()


def test_stale_version_is_refused(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    token = factories.csrf_token(client, f"/orders/{order.id}")
    r = client.post(f"/orders/{order.id}/status", data={"status": "PROCESSING", "version": "0", "csrf_token": token})
    assert r.status_code == 409
    assert "changed by someone else" in r.get_data(as_text=True)


def test_cancellation_needs_a_reason(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    token = factories.csrf_token(client, f"/orders/{order.id}")
    r = client.post(f"/orders/{order.id}/status", data={"status": "CANCELLED", "version": "1", "csrf_token": token})
    assert r.status_code == 409 and "Say why" in r.get_data(as_text=True)


def test_status_change_without_the_version_seen_is_refused(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    token = factories.csrf_token(client, f"/orders/{order.id}")
    r = client.post(f"/orders/{order.id}/status", data={"status": "PROCESSING", "csrf_token": token})
    assert r.status_code == 400
    factories.db.session.expire_all()
    assert order.status == OrderStatus.ORDERED


def test_ids_beyond_the_integer_range_are_404_not_500(client, auth, shop):
    auth.login(shop.staff1.email)
    for path in ("/orders/99999999999999999999", "/orders/0", "/orders/2147483648"):
        assert client.get(path).status_code == 404
