"""In a real browser: a manager starts an export from the order list, watches the progress bar (htmx polling)
and downloads the file."""
from __future__ import annotations

import csv
import io

from playwright.sync_api import expect

from app.reports import dispatch
from app.reports.runner import execute_export
from tests import factories
from tests.conftest import sign_in


def test_manager_exports_the_filtered_list_and_downloads_it(page, shop, monkeypatch):
    # given
    wanted = factories.make_order(shop.branch1, code="ORD-2026-007001")
    factories.make_order(shop.branch1, code="ORD-2026-007002", status=factories.OrderStatus.PROCESSING)
    factories.make_order(shop.branch3, code="ORD-2026-007003")
    factories.db.session.commit()
    started = []  # the job is held back, so the page is seen while it waits, then while it is done
    monkeypatch.setattr(dispatch, "dispatch", lambda job: started.append(job.id))
    sign_in(page, shop.manager.email)
    # when: the list is filtered, then "Export…" is chosen
    page.goto("/orders?status=ORDERED")
    page.get_by_role("link", name="Export…").click()
    page.wait_for_url("**/exports/new?status=ORDERED")
    expect(page.get_by_text("Status: Ordered")).to_be_visible()
    page.get_by_label("Position of Order", exact=True).fill("1")
    page.get_by_role("button", name="Start export").click()
    # then: the progress panel with its bar while the job waits for a runner
    page.wait_for_url("**/exports/*")
    expect(page.get_by_text("Waiting to start…")).to_be_visible()
    expect(page.locator("progress.export-bar")).to_be_visible()
    with page.expect_request(lambda r: r.url.endswith("/progress")):
        pass  # the panel polls
    # when the runner does the work (here: the test, in its own thread), the polled panel turns into a link
    execute_export(started[0])
    link = page.locator("#download-export")
    expect(link).to_be_visible(timeout=10_000)
    expect(page.locator(".export-progress")).to_have_attribute("data-status", "FINISHED")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8").read(), newline="")))
    assert rows[0][0] == "Order" and [r[0] for r in rows[1:]] == [wanted.code]
    # and My exports lists it
    page.goto("/exports/")
    expect(page.locator("table.exports tbody tr")).to_have_count(1)


def test_export_form_summary_follows_the_choices_and_my_exports_fills_in_when_done(page, shop, monkeypatch):
    # given
    factories.make_order(shop.branch1)
    factories.db.session.commit()
    started = []
    monkeypatch.setattr(dispatch, "dispatch", lambda job: started.append(job.id))
    sign_in(page, shop.manager.email)
    page.goto("/exports/new")
    summary = page.locator("#export-summary")
    expect(summary).to_contain_text("The file: CSV, one row per order, 16 columns: Order, Placed at,")
    # when the format, the columns and their order change, the summary says so before anything is sent
    page.get_by_label("Excel (.xlsx)").check()
    for key in ("placed_at", "modified_at", "branch", "channel", "status", "payment_status", "method", "email",
                "currency", "subtotal", "discount", "tax", "delivery_fee", "total"):
        page.locator(f"#col-{key}").uncheck()
    page.get_by_label("Position of Customer", exact=True).fill("0")
    expect(summary).to_have_text("The file: Excel (.xlsx), one row per order, 2 columns: Customer, Order.")
    # and the other shape is one link away
    page.get_by_role("link", name="Switch to one row per order line").click()
    expect(page.locator("#export-shape")).to_contain_text("One row per order line")
    expect(summary).to_contain_text("one row per order line")
    page.get_by_role("link", name="Switch to one row per order").click()
    page.get_by_role("button", name="Start export").click()
    page.wait_for_url("**/exports/*")
    # My exports: the waiting row polls as a whole and fills in rows, size and expiry once the file is made
    page.goto("/exports/")
    row = page.locator(f'tr[data-export="{started[0]}"]')
    expect(row.locator('[data-col="rows"]')).to_have_text("—")
    execute_export(started[0])
    expect(row.locator('[data-col="rows"]')).to_have_text("1", timeout=10_000)
    expect(row.locator('[data-col="size"]')).to_contain_text("B")
    expect(row.locator('[data-col="expires"]')).not_to_have_text("—")
    expect(row.get_by_role("link", name="Download")).to_be_visible()
