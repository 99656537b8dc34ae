"""Browser test: the order page shows the invoice number and opens the e-bill PDF."""
from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.conftest import sign_in


def test_staff_open_the_e_bill_from_the_order_page(page, shop):
    # given an invoiced order of the staff member's branch
    order = factories.make_order(shop.branch1, invoice_number="INV-CPT-2026-000777", paid=True)
    factories.db.session.commit()
    # when they open the order
    sign_in(page, shop.staff1.email)
    page.goto(f"/orders/{order.id}")
    # then the invoice number and the e-bill link are there
    expect(page.locator("#invoice-number")).to_have_text("INV-CPT-2026-000777")
    link = page.get_by_role("link", name="E-bill (PDF)")
    expect(link).to_have_attribute("target", "_blank")
    # and the link serves the PDF with the staff member's session
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
