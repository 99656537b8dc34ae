"""Browser test: an admin opens the customer page from an order and revokes the customer's API tokens."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from app.models import Customer
from tests import factories
from tests.conftest import sign_in


def _token(base: str) -> str:
    response = requests.post(f"{base}/api/v1/auth/token", json={"email": "buyer@shop.test",
                                                                "password": factories.PASSWORD}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["data"]["access_token"]


def test_admin_revokes_a_customers_tokens_from_the_order_page(page, live_server, shop):
    # given an order of a customer whose app holds a token
    order = factories.make_order(shop.branch1, customer=shop.customer)
    factories.db.session.commit()
    old = _token(live_server)
    url = f"{live_server}/api/v1/customer/order-cancel/999999"
    assert requests.get(url, headers={"Authorization": f"Bearer {old}"}, timeout=10).status_code == 404

    # when the admin opens the order and follows the customer's name
    sign_in(page, shop.admin.email)
    page.goto(f"/orders/{order.id}")
    page.get_by_role("link", name=shop.customer.name).first.click()
    expect(page.locator("h1")).to_contain_text(shop.customer.name)
    expect(page.locator("#api-access")).to_contain_text("Token version")

    # a dismissed confirmation changes nothing
    page.dialog_answers["accept"] = False
    page.get_by_role("button", name="Revoke tokens").click()
    expect(page.locator(".flash-success")).to_have_count(0)
    assert requests.get(url, headers={"Authorization": f"Bearer {old}"}, timeout=10).status_code == 404

    # and a confirmed one revokes every token
    page.dialog_answers["accept"] = True
    page.get_by_role("button", name="Revoke tokens").click()
    expect(page.locator(".flash-success")).to_contain_text("is revoked")
    expect(page.locator("[data-testid=token-version]")).to_have_text("1")
    expect(page.locator("#api-access")).to_contain_text("by Ada Admin")
    response = requests.get(url, headers={"Authorization": f"Bearer {old}"}, timeout=10)
    assert response.status_code == 401 and response.json()["success"] is False
    factories.db.session.expire_all()
    assert factories.db.session.get(Customer, shop.customer.id).api_token_version == 1
