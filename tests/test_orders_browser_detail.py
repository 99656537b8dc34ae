"""Browser test: a staff member signs in, searches an order by code, opens it and moves it on."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from app.orders.status import OrderStatus
from tests import factories
from tests.conftest import sign_in


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
    page.get_by_role("button", name="Processing").click()

    # then the status, the flash and the timeline show it
    expect(page.locator(".badges")).to_contain_text("Processing")
    expect(page.locator(".flash-success")).to_contain_text("is now Processing")
    expect(page.locator("#timeline")).to_contain_text("Picking now")
    factories.db.session.expire_all()
    assert factories.db.session.get(type(wanted), wanted.id).status == OrderStatus.PROCESSING


def test_cancel_is_not_applied_when_the_confirmation_is_dismissed(page, shop):
    order = factories.make_order(shop.branch1)
    factories.db.session.commit()
    sign_in(page, shop.staff1.email)
    page.goto(f"/orders/{order.id}")
    page.dialog_answers["accept"] = False
    page.get_by_label("Reason").fill("Customer called")
    page.get_by_role("button", name="Cancelled").click()
    expect(page.locator(".badges")).to_contain_text("Ordered")
    factories.db.session.expire_all()
    assert factories.db.session.get(type(order), order.id).status == OrderStatus.ORDERED
