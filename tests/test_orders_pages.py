"""The order list and order detail pages: listing, search, filter, scoping, status changes."""
from __future__ import annotations

import re

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
    assert r.status_code == 303
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


def test_stale_version_shows_the_order_as_it_is_now_at_its_own_url(client, auth, shop):
    # given the page was opened at version 1, then another tab started processing the order (version 2)
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    token = factories.csrf_token(client, f"/orders/{order.id}")
    r = client.post(f"/orders/{order.id}/status", data={"status": "PROCESSING", "version": "1", "csrf_token": token})
    assert r.status_code == 303
    # when the first tab sends its (now stale) change; its target is no longer even offered
    r = client.post(f"/orders/{order.id}/status", data={"status": "PROCESSING", "version": "1", "csrf_token": token})
    # then it is sent to the order's own page, which shows the message and the current version
    assert r.status_code == 303 and r.headers["Location"] == f"/orders/{order.id}"
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Someone else changed this order meanwhile" in html
    assert 'name="version" type="hidden" value="2"' in html
    # and a retry from there works
    r = client.post(f"/orders/{order.id}/status", data={"status": "DELIVERY-READY", "version": "2", "csrf_token": token})
    assert r.status_code == 303
    factories.db.session.expire_all()
    assert order.status == OrderStatus.DELIVERY_READY


def test_opening_the_status_address_goes_to_the_order(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    r = client.get(f"/orders/{order.id}/status")
    assert r.status_code == 302 and r.headers["Location"] == f"/orders/{order.id}"


def test_cancellation_needs_a_reason(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    token = factories.csrf_token(client, f"/orders/{order.id}")
    r = client.post(f"/orders/{order.id}/status", data={"status": "CANCELLED", "version": "1", "csrf_token": token})
    assert r.status_code == 303 and r.headers["Location"] == f"/orders/{order.id}"
    assert "Say why" in client.get(r.headers["Location"]).get_data(as_text=True)
    factories.db.session.expire_all()
    assert order.status == OrderStatus.ORDERED


def test_status_buttons_are_named_by_the_action(client, auth, shop):
    ordered = factories.make_order(shop.branch1)
    ready = factories.make_order(shop.branch1, status=OrderStatus.DELIVERY_READY)
    factories.db.session.commit()
    auth.login(shop.manager.email)
    html = client.get(f"/orders/{ordered.id}").get_data(as_text=True)
    assert re.findall(r'value="[A-Z-]+"[^>]*>([^<]+)</button>', html) == ["Start processing", "Cancel order"]
    html = client.get(f"/orders/{ready.id}").get_data(as_text=True)
    assert re.findall(r'value="[A-Z-]+"[^>]*>([^<]+)</button>', html) == [
        "Mark partly fulfilled", "Mark fulfilled", "Back to processing", "Cancel order"]


def test_cancel_button_asks_for_the_reason_in_a_dialog(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    button = re.search(r'<button[^>]*value="CANCELLED"[^>]*>', html, re.S).group(0)
    assert 'data-reason-dialog="#cancel-dialog"' in button and "data-confirm" not in button
    dialog = html[html.index('<dialog id="cancel-dialog"'):html.index("</dialog>")]
    assert "required" in dialog and "<textarea" in dialog


def test_a_cancelled_order_says_nothing_is_owed_and_a_refunded_one_shows_net_paid(client, auth, shop):
    # given an unpaid order cancelled with its pending payment, and a paid order partly refunded
    from decimal import Decimal

    from app.actors import Actor
    from app.models import Payment, PaymentState
    from app.orders.actions import change_order_status, recompute_payment_status

    cancelled = factories.make_order(shop.branch1)
    cancelled.payments.append(Payment(provider="EFT", amount=cancelled.total, currency="ZAR",
                                      status=PaymentState.PENDING))
    change_order_status(cancelled, to=OrderStatus.CANCELLED, actor=Actor.staff(shop.staff1), reason="Duplicate")
    refunded = factories.make_order(shop.branch1, status=OrderStatus.FULFILLED, paid=True)  # R150.00
    refunded.refunded_total = Decimal("50.00")
    recompute_payment_status(refunded)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    # then
    html = client.get(f"/orders/{cancelled.id}").get_data(as_text=True)
    badges = html[html.index('class="badges"'):html.index("</div>", html.index('class="badges"'))]
    assert 'data-status="VOIDED"' in badges and 'data-status="PENDING"' not in badges
    html = client.get(f"/orders/{refunded.id}").get_data(as_text=True)
    assert "fully paid" not in html
    assert re.search(r'id="paid">R150\.00<', html) and re.search(r'id="refunded">R50\.00<', html)
    assert re.search(r'id="net-paid">R100\.00<', html)


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
