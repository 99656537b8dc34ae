"""Browser tests of the order list (Playwright + Chromium): filters, chips, saved views, bulk changes, keys."""
from __future__ import annotations

import re

import pytest

from app.models import SalesChannel
from app.orders.status import OrderStatus
from tests import factories
from tests.conftest import sign_in


@pytest.fixture
def desk(shop):
    mk = factories.make_order
    zanele = factories.make_customer("zanele@example.test", name="Zanele Mokoena")
    orders = dict(
        z_new=mk(shop.branch1, code="ORD-2026-300001", customer=zanele),
        z_shopify=mk(shop.branch1, code="ORD-2026-300002", customer=zanele, channel=SalesChannel.SHOPIFY,
                     status=OrderStatus.PROCESSING),
        other=mk(shop.branch1, code="ORD-2026-300003", status=OrderStatus.PROCESSING),
        foreign=mk(shop.branch2, code="ORD-2026-300004", customer=zanele),
    )
    factories.db.session.commit()
    return orders


def rows(page) -> list[str]:
    return page.locator("#order-results table.orders tbody a.code").all_text_contents()


def tick(page, name: str, *labels: str) -> None:
    """Open the checkbox dropdown of filter ``name`` and tick ``labels``; a click outside closes it."""
    page.locator(f"#f-{name} > summary").click()
    for label in labels:
        page.locator(f"#f-{name}").get_by_role("checkbox", name=label, exact=True).check()
    page.locator("h1").click()
    assert page.locator(f"#f-{name}").get_attribute("open") is None


def test_filter_by_several_fields_remove_a_chip_and_go_back(page, shop, desk):
    sign_in(page, shop.staff1.email)
    assert rows(page) == ["ORD-2026-300003", "ORD-2026-300002", "ORD-2026-300001"]
    # "/" focuses the search box; typing filters after a short pause
    page.locator("body").press("/")
    page.keyboard.type("zanele")
    page.wait_for_url(re.compile(r"q=zanele"))
    page.wait_for_function("document.querySelectorAll('#order-results tbody tr').length === 2")
    # several statuses and a channel, ticked in checkbox dropdowns (no Ctrl-click)
    tick(page, "status", "Processing", "Ordered")
    tick(page, "channel", "Shopify")
    page.wait_for_url(re.compile(r"channel=SHOPIFY"))
    page.wait_for_function("document.querySelectorAll('#order-results tbody tr').length === 1")
    assert rows(page) == ["ORD-2026-300002"]
    chips = page.locator(".chips a.chip").all_text_contents()
    assert [c.replace("×", "").strip() for c in chips] == [
        "Search: zanele", "Status: Ordered", "Status: Processing", "Channel: Shopify"]
    # removing the channel chip keeps the rest
    page.get_by_role("link", name="Remove Channel: Shopify").click()
    page.wait_for_load_state()
    assert "channel" not in page.url and "q=zanele" in page.url
    assert rows(page) == ["ORD-2026-300002", "ORD-2026-300001"]
    # back brings the channel filter back, panel included
    page.go_back()
    page.wait_for_function("document.querySelectorAll('#order-results tbody tr').length === 1")
    assert page.locator("#f-channel input:checked").evaluate_all("bs => bs.map(b => b.value)") == ["SHOPIFY"]
    assert page.locator("#s-channel").text_content() == "Shopify"
    # Enter on a focused row opens the order
    page.locator("#order-results tbody tr").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/orders/{desk['z_shopify'].id}")


def test_save_a_view_and_open_it(page, shop, desk):
    sign_in(page, shop.staff1.email)
    page.goto("/orders?status=PROCESSING")
    page.get_by_placeholder("Name for these filters").fill("Picking now")
    page.get_by_role("button", name="Save view").click()
    page.wait_for_url(re.compile(r"status=PROCESSING"))
    assert page.locator(".flash-success").text_content().strip() == "View “Picking now” saved."
    page.get_by_role("link", name="All orders").click()
    page.wait_for_load_state()
    assert len(rows(page)) == 3
    page.locator("#my-views").get_by_role("link", name="Picking now").click()
    page.wait_for_url(re.compile(r"status=PROCESSING"))
    assert rows(page) == ["ORD-2026-300003", "ORD-2026-300002"]
    page.get_by_role("button", name="Delete view Picking now").click()  # the confirmation is accepted
    page.wait_for_load_state()
    assert page.locator("#my-views").get_by_role("link", name="Picking now").count() == 0


def test_bulk_status_change(page, shop, desk):
    sign_in(page, shop.staff1.email)
    bulk_button = page.get_by_role("button", name="Change status")
    assert bulk_button.is_disabled()
    page.get_by_label("Select all on this page").check()
    assert page.locator("[data-selected-count]").text_content() == "3 selected"
    page.get_by_label("Move to").select_option("DELIVERY-READY")
    bulk_button.click()
    page.wait_for_url(re.compile(r"/orders/bulk/(?!status$)[\w-]+$"))  # the result page (post/redirect/get)
    assert page.locator("#bulk-summary").text_content().split() == ["2", "changed,", "1", "refused."]
    assert "ORD-2026-300001" in page.locator("#bulk-refused").text_content()
    factories.db.session.expire_all()
    assert desk["z_shopify"].status == OrderStatus.DELIVERY_READY and desk["other"].status == OrderStatus.DELIVERY_READY
    assert desk["z_new"].status == OrderStatus.ORDERED
