"""Bulk actions on ticked rows: each order through the status machine, all-or-nothing per order, scoped."""
from __future__ import annotations

import re

from app.actors import Actor
from app.models import OrderEvent, Payment, PaymentState
from app.orders import bulk
from app.orders.status import OrderStatus
from tests import factories

O = OrderStatus


def test_bulk_status_change_with_allowed_refused_and_foreign_orders(shop):
    # given: staff1 (branch 1) ticks four orders of branch 1 and one of branch 2
    mk = factories.make_order
    ordered = mk(shop.branch1, status=O.ORDERED)
    processing = mk(shop.branch1, status=O.PROCESSING)
    ready = mk(shop.branch1, status=O.DELIVERY_READY)  # ready -> cancelled is for managers only
    refunded = mk(shop.branch1, status=O.REFUNDED)  # terminal
    foreign = mk(shop.branch2, status=O.ORDERED)
    factories.db.session.commit()
    ids = [ordered.id, processing.id, ready.id, refunded.id, foreign.id, 999_999]
    # when
    result = bulk.bulk_change_status(shop.staff1, ids, to=O.CANCELLED, actor=Actor.staff(shop.staff1),
                                     reason="Customer asked")
    factories.db.session.commit()
    # then
    assert [o.id for o, _ in result.changed] == [ordered.id, processing.id]
    refused = {o.id: why for o, why in result.refused}
    assert refused == {ready.id: "You are not allowed to move an order from Delivery ready to Cancelled.",
                       refunded.id: "An order cannot move from Refunded to Cancelled."}
    assert result.not_found == [foreign.id, 999_999]
    factories.db.session.expire_all()
    assert [o.status for o in (ordered, processing, ready, refunded, foreign)] == [
        O.CANCELLED, O.CANCELLED, O.DELIVERY_READY, O.REFUNDED, O.ORDERED]
    events = factories.db.session.query(OrderEvent).filter_by(type="STATUS_CHANGED").all()
    assert sorted(e.order_id for e in events) == [ordered.id, processing.id]
    assert {e.message for e in events} == {"Customer asked"}


def test_a_refused_order_leaves_nothing_half_done(shop):
    # given: cancelling needs a reason; a pending payment would be cancelled with the order
    order = factories.make_order(shop.branch1)
    order.payments.append(Payment(provider="CARD", amount=order.total, currency="ZAR", status=PaymentState.PENDING))
    factories.db.session.commit()
    # when: no reason
    result = bulk.bulk_change_status(shop.manager, [order.id], to=O.CANCELLED, actor=Actor.staff(shop.manager),
                                     reason="")
    factories.db.session.commit()
    # then
    assert result.refused and result.refused[0][1] == "Say why the order is cancelled."
    factories.db.session.expire_all()
    assert order.status == O.ORDERED and order.payments[0].status == PaymentState.PENDING
    assert factories.db.session.query(OrderEvent).count() == 0


def test_manager_may_cancel_a_ready_order_in_bulk(shop):
    ready = factories.make_order(shop.branch2, status=O.DELIVERY_READY)
    factories.db.session.commit()
    result = bulk.bulk_change_status(shop.manager, [ready.id], to=O.CANCELLED, actor=Actor.staff(shop.manager),
                                     reason="Out of stock")
    assert [o.id for o, _ in result.changed] == [ready.id] and not result.refused


def test_bulk_note_goes_to_my_orders_only(shop):
    mine = factories.make_order(shop.branch1)
    theirs = factories.make_order(shop.branch2)
    factories.db.session.commit()
    result = bulk.bulk_add_note(shop.staff1, [mine.id, theirs.id], actor=Actor.staff(shop.staff1),
                                message="Call before delivery")
    factories.db.session.commit()
    assert [o.id for o, _ in result.changed] == [mine.id] and result.not_found == [theirs.id]
    notes = factories.db.session.query(OrderEvent).filter_by(type="NOTE_ADDED").all()
    assert [(n.order_id, n.message) for n in notes] == [(mine.id, "Call before delivery")]


# --- over HTTP ------------------------------------------------------------------------------------



def test_bulk_status_page_lists_changed_and_refused(client, auth, shop):
    a = factories.make_order(shop.branch1, code="ORD-2026-100001")
    b = factories.make_order(shop.branch1, code="ORD-2026-100002", status=O.FULFILLED)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    r = client.post("/orders/bulk/status", data={"ids": [a.id, b.id], "status": "PROCESSING",
                                                 "next": "/orders?status=ORDERED", "csrf_token": factories.csrf_token(client)})
    assert r.status_code == 303 and r.headers["Location"].startswith("/orders/bulk/")
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "1 changed, 1 refused." in html
    changed = html[html.index('id="bulk-changed"'):html.index('id="bulk-refused"')]
    assert "ORD-2026-100001" in changed and "ORD-2026-100002" not in changed
    assert 'data-status="ORDERED"' in changed and 'data-status="PROCESSING"' in changed
    assert "cannot move from Fulfilled to Processing" in html
    assert 'href="/orders?status=ORDERED"' in html


def test_reloading_a_bulk_result_does_not_repeat_it(client, auth, shop):
    # given
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    # when a bulk note is sent, then its result page is reloaded twice
    r = client.post("/orders/bulk/note", data={"ids": [order.id], "message": "Call first",
                                               "csrf_token": factories.csrf_token(client)})
    assert r.status_code == 303
    for _ in range(2):
        page = client.get(r.headers["Location"])
        assert page.status_code == 200 and "1 changed." in page.get_data(as_text=True)
    # then the note was added once
    assert factories.db.session.query(OrderEvent).filter_by(type="NOTE_ADDED").count() == 1
    # and an old result address leads back to the list
    stale = client.get("/orders/bulk/not-the-latest")
    assert stale.status_code == 303 and stale.headers["Location"].endswith("/orders")


def test_bulk_without_selection_or_token_changes_nothing(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    r = client.post("/orders/bulk/status", data={"status": "PROCESSING", "csrf_token": factories.csrf_token(client)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/orders")
    r = client.post("/orders/bulk/status", data={"ids": [order.id], "status": "PROCESSING"})
    assert r.status_code == 400
    r = client.post("/orders/bulk/note", data={"ids": [order.id], "message": "x", "next": "https://evil.test/",
                                               "csrf_token": factories.csrf_token(client)}, follow_redirects=True)
    assert 'href="/orders"' in r.get_data(as_text=True)  # never sent back to another site
    factories.db.session.expire_all()
    assert order.status == O.ORDERED


def test_ids_that_cannot_exist_are_not_found_not_a_500(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    ids = [order.id, "99999999999999999999", str(2**63), str(2**31), "0", "-4", "abc", "1e3"]
    r = client.post("/orders/bulk/note", data={"ids": ids, "message": "Checked",
                                               "csrf_token": factories.csrf_token(client)}, follow_redirects=True)
    assert r.status_code == 200
    assert "1 changed, 7 not found." in r.get_data(as_text=True)


def test_a_bulk_request_over_the_limit_says_how_many_were_ignored(client, auth, shop):
    # given 5 orders among 5,000 ticked ids (a forged or scripted request: a page holds at most 100)
    orders = [factories.make_order(shop.branch1) for _ in range(5)]
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    ids = [o.id for o in orders] + list(range(1_000_000, 1_004_995))
    # when
    r = client.post("/orders/bulk/note", data={"ids": ids, "message": "Checked",
                                               "csrf_token": factories.csrf_token(client)}, follow_redirects=True)
    # then the first 100 are handled and the other 4,900 are counted, not dropped silently
    html = r.get_data(as_text=True)
    assert "5 changed, 95 not found." in html
    assert "4,900 more selected orders were ignored: at most 100" in html
    assert factories.db.session.query(OrderEvent).filter_by(type="NOTE_ADDED").count() == 5


def test_bulk_cancel_without_a_reason_is_refused_before_any_order_is_touched(client, auth, shop):
    a, b = factories.make_order(shop.branch1), factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    r = client.post("/orders/bulk/status", data={"ids": [a.id, b.id], "status": "CANCELLED", "reason": "  ",
                                                 "next": "/orders", "csrf_token": factories.csrf_token(client)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/orders")
    html = client.get("/orders").get_data(as_text=True)
    assert html.count("Say why the orders are cancelled.") == 1
    factories.db.session.expire_all()
    assert (a.status, b.status) == (O.ORDERED, O.ORDERED)


def test_bulk_move_to_has_no_preselected_target(client, auth, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    html = client.get("/orders").get_data(as_text=True)
    menu = html[html.index('id="bulk-status"'):]
    menu = menu[:menu.index("</select>")]
    assert re.findall(r"<option[^>]*>", menu)[0] == '<option value="" selected>'
    assert menu.count("selected") == 1
    r = client.post("/orders/bulk/status", data={"ids": [order.id], "status": "", "next": "/orders",
                                                 "csrf_token": factories.csrf_token(client)}, follow_redirects=True)
    assert "Choose the new status." in r.get_data(as_text=True)
    factories.db.session.expire_all()
    assert order.status == O.ORDERED


def test_bulk_menu_offers_only_moves_i_can_make(client, auth, shop):
    # a page with only DELIVERY-READY orders: staff may fulfil or send back, but not cancel
    factories.make_order(shop.branch1, status=O.DELIVERY_READY)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    html = client.get("/orders").get_data(as_text=True)
    menu = html[html.index('id="bulk-status"'):]
    menu = menu[:menu.index("</select>")]
    assert re.findall(r'value="([A-Z-]*)"', menu) == ["", "PROCESSING", "PARTIALLY-FULFILLED", "FULFILLED"]
    auth.logout()
    auth.login(shop.manager.email)
    html = client.get("/orders").get_data(as_text=True)
    assert 'value="CANCELLED"' in html[html.index('id="bulk-status"'):]


def test_detail_hides_manager_only_cancel_from_staff(client, auth, shop):
    order = factories.make_order(shop.branch1, status=O.DELIVERY_READY)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    assert 'value="CANCELLED"' not in client.get(f"/orders/{order.id}").get_data(as_text=True)
    auth.logout()
    auth.login(shop.manager.email)
    assert 'value="CANCELLED"' in client.get(f"/orders/{order.id}").get_data(as_text=True)
