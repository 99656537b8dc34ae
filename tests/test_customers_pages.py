"""Staff pages touched by the customer API: /customers/<id> (admins only) with "Revoke tokens", and the order page's
return requests and customer-actor events."""
from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from app.customers import actions
from app.extensions import db
from app.models import Customer
from tests.api_support import assert_error
from tests.factories import csrf_token, make_order
from tests.test_customer_actions import delivered


def test_admin_sees_contact_addresses_orders_and_api_access(client, auth, shop):
    make_order(shop.branch1, customer=shop.customer)
    make_order(shop.branch2, customer=shop.customer)
    db.session.commit()
    auth.login(shop.admin.email)
    response = client.get(f"/customers/{shop.customer.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert shop.customer.name in html and shop.customer.email in html and shop.customer.phone in html
    assert "Long Street" in html and "Cape Town" in html  # the address book
    assert f'href="/orders?customer={shop.customer.id}"' in html and "2 orders" in html
    assert "Token version" in html and "Revoke tokens" in html and "never" in html


@pytest.mark.parametrize("who", ["staff1", "manager"])
def test_the_customer_page_is_for_admins_only(client, auth, shop, who):
    auth.login(getattr(shop, who).email)
    assert client.get(f"/customers/{shop.customer.id}").status_code == 404
    token = csrf_token(client)
    response = client.post(f"/customers/{shop.customer.id}/revoke-tokens", data={"csrf_token": token})
    assert response.status_code == 404
    db.session.expire_all()
    assert shop.customer.api_token_version == 0


def test_signed_out_is_sent_to_sign_in(client, shop):
    response = client.get(f"/customers/{shop.customer.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_customer_is_404(client, auth, shop):
    auth.login(shop.admin.email)
    assert client.get("/customers/999999").status_code == 404
    assert client.get("/customers/99999999999").status_code == 404


def test_revoke_tokens_needs_the_csrf_token(client, auth, shop):
    auth.login(shop.admin.email)
    assert client.post(f"/customers/{shop.customer.id}/revoke-tokens").status_code == 400
    db.session.expire_all()
    assert shop.customer.api_token_version == 0


def test_admin_revokes_tokens_old_token_is_401_and_it_is_recorded(client, auth, api, shop, caplog):
    # given a token the app holds
    old = api.token("buyer@shop.test")
    assert api.get("/api/v1/customer/order-cancel/999999", old).status_code == 404  # valid: the order is missing
    db.session.expire_all()
    assert db.session.get(Customer, shop.customer.id).api_last_sign_in_at is not None
    # when an admin revokes
    auth.login(shop.admin.email)
    token = csrf_token(client, f"/customers/{shop.customer.id}")
    with caplog.at_level(logging.INFO, logger="app.audit"):
        response = client.post(f"/customers/{shop.customer.id}/revoke-tokens", data={"csrf_token": token})
    # then
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is revoked" in page and "by Ada Admin" in page
    customer = db.session.get(Customer, shop.customer.id)
    db.session.refresh(customer)
    assert customer.api_token_version == 1 and customer.api_tokens_revoked_by_id == shop.admin.id
    assert customer.api_tokens_revoked_at is not None
    assert any("api_tokens_revoked" in r.getMessage() and f"customer_id={customer.id}" in r.getMessage()
               and "by=admin@shop.test" in r.getMessage() for r in caplog.records)
    assert_error(api.get("/api/v1/customer/order-cancel/999999", old), 401)
    assert api.get("/api/v1/customer/order-cancel/999999", api.token("buyer@shop.test")).status_code == 404


def test_order_page_shows_return_requests_and_the_customer_as_actor(client, auth, shop):
    order = delivered(shop)
    actions.request_return(order, customer=shop.customer, item_ids=[order.items[0].id], quantities=[1],
                           reason="Strap broke", window_days=30)
    db.session.commit()
    auth.login(shop.admin.email)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'id="returns"' in html and "Strap broke" in html and f"1 × {order.items[0].name}" in html
    assert 'data-status="REQUESTED"' in html
    assert f"Return requested: Strap broke" in html and "(customer)" in html
    assert html.count(f'href="/customers/{shop.customer.id}"') >= 2  # the customer card and the timeline
    auth.logout()
    auth.login(shop.staff1.email)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Strap broke" in html and f'href="/customers/{shop.customer.id}"' not in html


def test_order_without_return_requests_has_no_returns_section(client, auth, shop):
    order = make_order(shop.branch1, customer=shop.customer)
    db.session.commit()
    auth.login(shop.admin.email)
    assert 'id="returns"' not in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_revocation_is_a_domain_verb_that_only_flushes(db, shop):
    from app.actors import Actor

    assert actions.revoke_api_tokens(shop.customer, actor=Actor.staff(shop.admin)) == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(Customer.api_token_version).where(Customer.id == shop.customer.id)) == 0
