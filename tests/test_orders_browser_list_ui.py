"""What a person sees on the order list and the order page (issue 7, Playwright + Chromium): the table fits a
laptop and a small window, checkbox dropdown filters, the collapsible panel, header sort, keyboard shortcuts,
and long words that do not widen the page."""
from __future__ import annotations

import re

import pytest

from app.models import SalesChannel
from app.orders import actions
from app.actors import Actor
from app.orders.status import OrderStatus, PaymentStatus
from tests import factories
from tests.conftest import sign_in

SHOTS = None  # set to a folder (e.g. "/tmp/shots") to keep screenshots of each layout while working on the CSS


@pytest.fixture
def desk(shop):
    """Orders with the widest values the table shows: long names and emails, two-word badges, big totals."""
    mk = factories.make_order
    long_customer = factories.make_customer("bartholomew.vanderwesthuizen-montgomery@longdomain.example.test",
                                            name="Bartholomew van der Westhuizen-Montgomery")
    orders = [
        mk(shop.branch1, code="ORD-2026-700001", customer=long_customer, lines=(("123456.78", 9),),
           status=OrderStatus.PARTIALLY_FULFILLED, payment_status=PaymentStatus.PARTIALLY_REFUNDED,
           channel=SalesChannel.UBER_EATS),
        mk(shop.branch1, code="ORD-2026-700002", status=OrderStatus.DELIVERY_READY,
           payment_status=PaymentStatus.PARTIALLY_PAID, channel=SalesChannel.TAKEALOT),
        mk(shop.branch1, code="ORD-2026-700003", lines=(("5.00", 1),)),
    ]
    factories.db.session.commit()
    return orders


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def header_box(page, name: str):
    th = page.locator("table.orders thead th").filter(has_text=re.compile(rf"^\s*{name}", re.I)).first
    return th.bounding_box()


@pytest.mark.parametrize("width, height", [(1280, 800), (800, 600)])
def test_status_payment_method_and_total_are_within_the_window(page, shop, desk, width, height):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, shop.admin.email)
    page.locator("table.orders").scroll_into_view_if_needed()
    shot(page, f"list-{width}")
    for column in ("Status", "Payment", "Method", "Total"):
        box = header_box(page, column)
        assert box is not None, column
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (column, box)
    # the widest cells too (a long email, "Partially refunded", a six-figure total), and nothing scrolls sideways
    for cell in page.locator("table.orders tbody tr").first.locator("td").all():
        box = cell.bounding_box()
        if box:  # columns that give way on a small window are hidden (display: none)
            assert box["x"] + box["width"] <= width, (cell.text_content(), box)
    scroll = page.locator(".table-scroll").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll[0] <= scroll[1]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_checkbox_dropdown_filters_and_summary(page, shop, desk):
    sign_in(page, shop.staff1.email)
    status = page.locator("#f-status")
    status.locator("summary").click()
    # every option is in view, none cut off
    menu = status.locator(".dropdown-menu").bounding_box()
    for box in status.get_by_role("checkbox").all():
        label = box.locator("xpath=..").bounding_box()
        assert menu["y"] <= label["y"] and label["y"] + label["height"] <= menu["y"] + menu["height"] + 1
    status.get_by_role("checkbox", name="Delivery ready", exact=True).check()
    page.wait_for_url(re.compile(r"status=DELIVERY-READY"))
    status.get_by_role("checkbox", name="Ordered", exact=True).check()
    page.wait_for_url(re.compile(r"status=ORDERED.*status=DELIVERY-READY|status=DELIVERY-READY.*status=ORDERED"))
    page.wait_for_function("document.querySelectorAll('#order-results tbody tr').length === 2")
    assert page.locator("#s-status").text_content() == "Ordered +1"
    page.keyboard.press("Escape")
    assert status.get_attribute("open") is None
    # a reload renders the same ticks from the URL
    page.reload()
    assert page.locator("#f-status input:checked").evaluate_all("bs => bs.map(b => b.value)") == [
        "ORDERED", "DELIVERY-READY"]


def test_filter_panel_collapses_and_stays_collapsed(page, shop, desk):
    sign_in(page, shop.staff1.email)
    toggle = page.locator("#filters-toggle")
    assert toggle.text_content() == "Hide filters" and toggle.get_attribute("aria-expanded") == "true"
    table_top = page.locator("table.orders").bounding_box()["y"]
    toggle.click()
    assert page.locator("#filter-more").is_hidden()
    assert toggle.get_attribute("aria-expanded") == "false" and toggle.text_content() == "Show filters"
    collapsed_top = page.locator("table.orders").bounding_box()["y"]
    assert collapsed_top < table_top - 100 and collapsed_top < 350
    page.reload()
    assert page.locator("#filter-more").is_hidden()  # remembered
    page.get_by_role("button", name="Show filters").click()
    assert page.locator("#f-status").is_visible()


def test_column_headers_sort_the_list(page, shop, desk):
    sign_in(page, shop.staff1.email)
    codes = lambda: page.locator("#order-results tbody a.code").all_text_contents()  # noqa: E731
    page.locator("table.orders thead").get_by_role("link", name="Total").click()
    page.wait_for_url(re.compile(r"sort=total$"))
    page.wait_for_function("document.querySelector('th[aria-sort=descending]') && "
                           "document.querySelector('th[aria-sort=descending]').textContent.includes('Total')")
    assert codes() == ["ORD-2026-700001", "ORD-2026-700002", "ORD-2026-700003"]
    page.locator("table.orders thead").get_by_role("link", name="Total").click()
    page.wait_for_url(re.compile(r"sort=total&direction=asc"))
    page.wait_for_function("document.querySelector('th[aria-sort=ascending]') !== null")
    assert codes() == ["ORD-2026-700003", "ORD-2026-700002", "ORD-2026-700001"]
    # the panel's sort fields follow, so a filter change keeps the sort
    assert page.locator("#f-sort").input_value() == "total" and page.locator("#f-direction").input_value() == "asc"
    page.locator("#f-per_page").select_option("20")
    page.wait_for_url(re.compile(r"per_page=20"))
    assert "sort=total" in page.url and "direction=asc" in page.url


def test_sidebar_highlight_follows_htmx_filters(page, shop, desk):
    sign_in(page, shop.staff1.email)
    current = page.locator("#views-sidebar a[aria-current]")
    assert current.all_text_contents() == ["All orders"]
    page.locator("#q").fill("700003")
    page.wait_for_url(re.compile(r"q=700003"))
    page.wait_for_function("document.querySelectorAll('#views-sidebar a[aria-current]').length === 0")


def test_j_k_move_through_rows_and_enter_opens(page, shop, desk):
    sign_in(page, shop.staff1.email)
    rows = page.locator("#order-results tbody tr")
    focused = lambda: page.evaluate("document.activeElement.getAttribute('data-href')")  # noqa: E731
    page.keyboard.press("j")
    assert focused() == rows.nth(0).get_attribute("data-href")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")  # stays on the last row
    assert focused() == rows.nth(2).get_attribute("data-href")
    page.keyboard.press("k")
    assert focused() == rows.nth(1).get_attribute("data-href")
    shot(page, "list-j-k")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/orders/{desk[1].id}")


def test_question_mark_shows_the_shortcuts(page, shop, desk):
    sign_in(page, shop.staff1.email)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert dialog.is_visible()
    assert "Next / previous order in the list" in dialog.text_content()
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    # typing "?" in the search box is just typing
    page.locator("#q").click()
    page.keyboard.type("?")
    assert dialog.is_hidden() and page.locator("#q").input_value() == "?"


def test_slash_searches_from_the_order_page(page, shop, desk):
    sign_in(page, shop.staff1.email)
    page.goto(f"/orders/{desk[0].id}")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "top-q"
    page.keyboard.type("700002")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/orders\?q=700002"))
    assert page.locator("#order-results tbody a.code").all_text_contents() == ["ORD-2026-700002"]


@pytest.mark.parametrize("width", [1280, 800])
def test_a_long_word_does_not_widen_the_order_page(page, app, shop, desk, width):
    order = desk[0]
    word = "W" * 2000
    order.notes = word
    order.has_gift_box, order.gift_box_note = True, word[:500]  # the column holds 500
    actions.add_internal_note(order, actor=Actor.staff(shop.staff1), message=word)
    factories.db.session.commit()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, shop.staff1.email)
    page.goto(f"/orders/{order.id}")
    assert page.locator("#timeline").get_by_text(word).is_visible()
    shot(page, f"detail-long-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
