"""Browser test: a staff member signs in, searches an order by code, opens it and moves it on."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from app.models import OrderEvent
from app.orders.status import OrderStatus
from tests import factories
from tests.conftest import sign_in


def status_of(order) -> OrderStatus:
    """The order's status as stored now (the browser changed it through another connection)."""
    factories.db.session.expire_all()
    return factories.db.session.get(type(order), order.id).status


def test_staff_signs_in_searches_by_code_opens_and_changes_status(page, shop):
    # given a few orders in the staff member's branch and one in another branch
    wanted = factories.make_order(shop.branch1, code="ORD-2026-031337")
    for _ in range(3):
        factories.make_order(shop.branch1)
    hidden = factories.make_order(shop.branch2, code="ORD-2026-031338")
    factories.db.session.commit()

    # when they sign in and type part of the code into the search box
    sign_in(page, shop.staff1.email)
    expect(page.locator("table.orders tbody tr")).to_have_count(4)
    page.get_by_label("Search").fill("031337")

    # then the table updates in place and the URL keeps the search
    expect(page.locator("table.orders tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q=031337"))
    expect(page.get_by_text(hidden.code)).to_have_count(0)

    # when they open the order
    page.get_by_role("link", name=wanted.code).click()
    expect(page.locator("h1")).to_contain_text(wanted.code)
    expect(page.locator(".badges")).to_contain_text("Ordered")

    # and start processing it (the confirmation dialog is accepted)
    page.get_by_label("Reason").fill("Picking now")
    page.get_by_role("button", name="Start processing").click()

    # then the status, the flash and the timeline show it
    expect(page.locator(".badges")).to_contain_text("Processing")
    expect(page.locator(".flash-success")).to_contain_text("is now Processing")
    expect(page.locator("#timeline")).to_contain_text("Picking now")
    assert status_of(wanted) == OrderStatus.PROCESSING


def test_cancel_asks_for_the_reason_in_a_dialog_before_anything_is_sent(page, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    sign_in(page, shop.staff1.email)
    page.goto(f"/orders/{order.id}")
    dialog = page.locator("#cancel-dialog")
    requests = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)

    # when they press "Cancel order" with no reason typed, a dialog asks for it (no browser confirm)
    page.get_by_role("button", name="Cancel order").click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Why?")).to_be_focused()
    # an empty or blank reason is not accepted, and "Keep the order" sends nothing
    dialog.get_by_label("Why?").fill("   ")
    dialog.get_by_role("button", name="Cancel order").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Keep the order").click()
    expect(dialog).to_be_hidden()
    assert requests == []
    expect(page.locator(".badges")).to_contain_text("Ordered")

    # when they try again and give a reason
    page.get_by_role("button", name="Cancel order").click()
    dialog.get_by_label("Why?").fill("Customer called to cancel")
    dialog.get_by_role("button", name="Cancel order").click()

    # then the order is cancelled with that reason, once
    expect(page.locator(".flash-success")).to_contain_text("is now Cancelled")
    expect(page).to_have_url(re.compile(rf"/orders/{order.id}$"))
    expect(page.locator("#timeline")).to_contain_text("Customer called to cancel")
    assert len(requests) == 1
    assert status_of(order) == OrderStatus.CANCELLED


def test_a_stale_page_shows_the_order_as_it_is_now_and_a_retry_works(page, shop):
    # given the same order open in two tabs
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    sign_in(page, shop.staff1.email)
    page.goto(f"/orders/{order.id}")
    other = page.context.new_page()
    other.on("dialog", lambda d: d.accept())
    other.goto(f"/orders/{order.id}")
    # when the other tab starts processing it
    other.get_by_role("button", name="Start processing").click()
    expect(other.locator(".badges")).to_contain_text("Processing")
    other.close()
    # and this tab, still showing "Ordered", tries the same
    page.get_by_role("button", name="Start processing").click()
    # then it lands on the order's own page with the message and the order as it is now
    expect(page).to_have_url(re.compile(rf"/orders/{order.id}$"))
    expect(page.locator(".flash-error")).to_contain_text("Someone else changed this order meanwhile")
    expect(page.locator(".badges")).to_contain_text("Processing")
    # and a retry works
    page.get_by_role("button", name="Mark ready").click()
    expect(page.locator(".flash-success")).to_contain_text("is now Delivery ready")
    expect(page).to_have_url(re.compile(rf"/orders/{order.id}$"))
    # and a reload re-posts nothing
    page.reload()
    expect(page.locator(".badges")).to_contain_text("Delivery ready")
    assert status_of(order) == OrderStatus.DELIVERY_READY


def test_bulk_cancel_asks_for_the_reason_and_the_result_survives_a_reload(page, shop):
    orders = [factories.make_order(shop.branch1) for _ in range(2)]
    factories.db.session.commit()
    sign_in(page, shop.staff1.email)
    page.locator("#select-all").check()
    page.locator("#bulk-status").select_option("CANCELLED")
    page.get_by_role("button", name="Change status").click()
    dialog = page.locator("#bulk-cancel-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Why?").fill("Duplicate orders")
    dialog.get_by_role("button", name="Cancel orders").click()
    expect(page.locator("#bulk-summary")).to_have_text("2 changed.")
    expect(page).to_have_url(re.compile(r"/orders/bulk/"))
    page.reload()
    expect(page.locator("#bulk-summary")).to_have_text("2 changed.")
    assert [status_of(order) for order in orders] == [OrderStatus.CANCELLED] * 2
    events = factories.db.session.query(OrderEvent).filter_by(type="STATUS_CHANGED").all()
    assert sorted(e.message for e in events) == ["Duplicate orders", "Duplicate orders"]
