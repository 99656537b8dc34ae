"""E-bills: GET /api/v1/customer/e-bill/{id}, the signed link, the cache, the staff link and the PDF itself."""
from __future__ import annotations

import io
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from app.extensions import db as _db
from app.orders import ebill
from tests.api_support import assert_error
from tests.factories import make_order

BUYER = "buyer@shop.test"


def pdf_text(data: bytes) -> str:
    assert data[:5] == b"%PDF-"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def order(shop, db):
    c = shop.customer
    c.addresses[0].company_name, c.addresses[0].tax_number = "Nkosi Trading CC", "4123456789"
    o = make_order(shop.branch1, customer=c, lines=(("115.00", 2), ("50.00", 1)), delivery_fee="65.00",
                   discount_total=Decimal("28.00"), paid=True, invoice_number="INV-CPT-2026-000042")
    _db.session.commit()
    return o


@pytest.fixture
def renders(monkeypatch):
    """Counts real renders of e-bills."""
    calls = []
    real = ebill.render_ebill

    def counting(order):
        calls.append(order.id)
        return real(order)

    monkeypatch.setattr(ebill, "render_ebill", counting)
    return calls


def link(api, order_id: int) -> str:
    response = api.get(f"/api/v1/customer/e-bill/{order_id}", api.token(BUYER))
    body = response.get_json()
    assert response.status_code == 200, body
    return body["pdf_url"]


def test_e_bill_answers_seed_001_shape_and_the_link_opens_without_a_token(api, order):
    body = api.get(f"/api/v1/customer/e-bill/{order.id}", api.token(BUYER)).get_json()
    assert body["success"] is True and body["message"] == "E-bill has been generated"
    assert body["pdf_url"] == body["data"]["pdf_url"] and body["data"]["bill_no"] == "INV-CPT-2026-000042"
    url = urlsplit(body["pdf_url"])
    assert url.scheme == "http" and url.path.startswith("/e-bill/") and url.path.endswith(".pdf")
    # when the app opens the link in a browser (no Authorization header)
    response = api.client.get(url.path)
    # then
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"].startswith("private")


def test_the_pdf_is_a_proper_tax_invoice(api, order, app):
    text = pdf_text(api.client.get(urlsplit(link(api, order.id)).path).data)
    flat = " ".join(text.split())
    for expected in ["Tax invoice INV-CPT-2026-000042", order.code, app.config["SHOP_NAME"],
                     f"VAT no. {app.config['SHOP_VAT_NUMBER']}", "Cape Town (CPT)",  # shop and branch
                     "Nkosi Trading CC", "4123456789",  # the buyer's company and tax number
                     "R317.00", "-R28.00", "R65.00",  # total, discount, delivery
                     "R32.87", "R8.48", "R41.35",  # VAT per rate (goods after discount, delivery) and its total
                     "Card", "Completed"]:  # payments
        assert expected.replace(" ", "") in flat.replace(" ", "").replace("\u00a0", ""), expected


def test_rendered_once_per_order_version_and_rendered_again_after_a_change(api, order, renders):
    first = link(api, order.id)
    second = link(api, order.id)
    assert api.client.get(urlsplit(first).path).status_code == 200
    assert api.client.get(urlsplit(second).path).status_code == 200
    assert renders == [order.id]
    # when the order changes (a new version), the next e-bill is rendered afresh and the old file goes
    order.notes = "Leave at the gate"
    _db.session.commit()
    third = link(api, order.id)
    assert renders == [order.id, order.id]
    assert len(list(ebill.cache_dir().glob(f"ebill-{order.id}-v*.pdf"))) == 1
    # an older link still opens: the order as it is now
    assert api.client.get(urlsplit(first).path).status_code == 200 and len(renders) == 2
    assert urlsplit(third).path != urlsplit(first).path


@pytest.mark.parametrize("change", ["signature_char", "payload", "garbage", "empty_key"])
def test_a_tampered_link_is_404(api, order, change):
    path = urlsplit(link(api, order.id)).path
    token = path.removeprefix("/e-bill/").removesuffix(".pdf")
    if change == "signature_char":
        # The signature's first character (its last one may differ only in base64 padding bits, which decode alike).
        at = token.rindex(".") + 1
        token = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1:]
    elif change == "payload":
        head, rest = token.split(".", 1)
        token = head[:-2] + "xy" + "." + rest
    elif change == "garbage":
        token = "not-a-token"
    else:
        token = ""
    assert api.client.get(f"/e-bill/{token}.pdf").status_code == 404


def test_an_expired_link_is_404(api, order, app, monkeypatch):
    from itsdangerous.timed import TimestampSigner

    ttl = app.config["EBILL_LINK_TTL_SECONDS"]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - ttl - 5)
    old = ebill.ebill_token(order)
    monkeypatch.undo()
    fresh = ebill.ebill_token(order)
    ebill.ebill_file(order)
    assert api.client.get(f"/e-bill/{old}.pdf").status_code == 404
    assert api.client.get(f"/e-bill/{fresh}.pdf").status_code == 200


def test_a_link_signed_with_another_key_is_404(api, order, app):
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("not the key", salt=ebill.SALT).dumps({"o": order.id, "k": ebill.cache_key(order)})
    assert api.client.get(f"/e-bill/{forged}.pdf").status_code == 404


def test_no_invoice_number_yet_is_409(api, shop):
    o = make_order(shop.branch1, customer=shop.customer)
    _db.session.commit()
    body = assert_error(api.get(f"/api/v1/customer/e-bill/{o.id}", api.token(BUYER)), 409)
    assert body["code"] == "no_invoice"


# --- staff link ---------------------------------------------------------------------------------------------

def test_staff_of_the_branch_get_the_same_cached_pdf(client, auth, order, renders):
    auth.login("staff1@shop.test")
    response = client.get(f"/orders/{order.id}/e-bill.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "INV-CPT-2026-000042" in pdf_text(response.data)
    assert client.get(f"/orders/{order.id}/e-bill.pdf").status_code == 200
    assert renders == [order.id]


def test_staff_of_another_branch_get_404_and_strangers_are_sent_to_sign_in(client, auth, order):
    assert client.get(f"/orders/{order.id}/e-bill.pdf").status_code == 302
    auth.login("staff2@shop.test")
    assert client.get(f"/orders/{order.id}/e-bill.pdf").status_code == 404


def test_order_page_shows_the_invoice_number_and_the_e_bill_link(client, auth, order, shop):
    auth.login("staff1@shop.test")
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "INV-CPT-2026-000042" in html and f'href="/orders/{order.id}/e-bill.pdf"' in html
    other = make_order(shop.branch1, customer=shop.customer)
    _db.session.commit()
    assert 'id="ebill-link"' not in client.get(f"/orders/{other.id}").get_data(as_text=True)


def test_the_app_starts_without_importing_weasyprint():
    import subprocess
    import sys

    code = ("import sys; from app import create_app; from app.config import TestConfig; create_app(TestConfig()); "
            "print('weasyprint' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
