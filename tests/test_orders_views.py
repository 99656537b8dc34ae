"""Saved views: defaults for everyone, own views per user, saved from the current filters, deleted by the owner."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.exceptions import ValidationFailed
from app.models import SavedView
from app.orders import views
from app.orders.status import OrderStatus
from tests import factories




def test_defaults_are_created_once_and_shown_to_everyone(client, auth, shop):
    auth.login(shop.staff1.email)
    html = client.get("/orders").get_data(as_text=True)
    client.get("/orders")
    for name, _ in views.DEFAULT_VIEWS:
        assert name in html
    assert factories.db.session.query(SavedView).filter(SavedView.user_id.is_(None)).count() == 4


def test_new_today_resolves_today_when_opened(client, auth, shop):
    # given: one order placed today, one yesterday
    today = factories.make_order(shop.branch1, code="ORD-2026-200001")
    old = factories.make_order(shop.branch1, code="ORD-2026-200002")
    old.created_at = datetime.now(timezone.utc) - timedelta(days=1, hours=1)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    # when
    query = dict(views.DEFAULT_VIEWS)["New today"]
    html = client.get("/orders?" + query).get_data(as_text=True)
    # then
    assert today.code in html and old.code not in html
    assert 'aria-current="page">New today' in html


def test_save_list_and_delete_own_view(client, auth, shop):
    auth.login(shop.staff1.email)
    token = factories.csrf_token(client)
    # when: the current filters are saved under a name
    r = client.post("/orders/views", data={"name": "Branch 1 – to pack today", "csrf_token": token,
                                           "query": "status=PROCESSING&created_from=today&page=3&q=&bogus=1"})
    # then: paging, blanks and unknown keys are dropped; relative dates stay relative
    assert r.status_code == 303 and r.headers["Location"].endswith("/orders?status=PROCESSING&created_from=today")
    view = factories.db.session.query(SavedView).filter_by(user_id=shop.staff1.id).one()
    assert view.query_string == "status=PROCESSING&created_from=today"
    html = client.get("/orders").get_data(as_text=True)
    assert "Branch 1 – to pack today" in html[html.index('id="my-views"'):]
    # saving again under the same name replaces the filters
    client.post("/orders/views", data={"name": "Branch 1 – to pack today", "query": "status=ORDERED",
                                       "csrf_token": token})
    factories.db.session.expire_all()
    assert factories.db.session.query(SavedView).filter_by(user_id=shop.staff1.id).one().query_string == "status=ORDERED"
    # another user neither sees nor deletes it
    auth.logout()
    auth.login(shop.staff2.email)
    assert "Branch 1 – to pack today" not in client.get("/orders").get_data(as_text=True)
    r = client.post(f"/orders/views/{view.id}/delete", data={"csrf_token": factories.csrf_token(client)})
    assert r.status_code == 404
    # the owner deletes it
    auth.logout()
    auth.login(shop.staff1.email)
    r = client.post(f"/orders/views/{view.id}/delete", data={"csrf_token": factories.csrf_token(client)})
    assert r.status_code == 303
    assert factories.db.session.query(SavedView).filter_by(user_id=shop.staff1.id).count() == 0


def test_defaults_cannot_be_deleted_by_users(client, auth, shop):
    auth.login(shop.admin.email)
    client.get("/orders")
    default = factories.db.session.query(SavedView).filter(SavedView.user_id.is_(None)).first()
    r = client.post(f"/orders/views/{default.id}/delete", data={"csrf_token": factories.csrf_token(client)})
    assert r.status_code == 404


def test_saving_needs_a_token_a_name_and_valid_filters(client, auth, shop):
    auth.login(shop.staff1.email)
    assert client.post("/orders/views", data={"name": "x", "query": "status=ORDERED"}).status_code == 400
    token = factories.csrf_token(client)
    r = client.post("/orders/views", data={"name": "", "query": "status=ORDERED", "csrf_token": token})
    assert r.status_code == 303
    r = client.post("/orders/views", data={"name": "Broken", "query": "status=NOPE", "csrf_token": token},
                    follow_redirects=True)
    assert "Unknown status" in r.get_data(as_text=True)
    assert factories.db.session.query(SavedView).filter_by(user_id=shop.staff1.id).count() == 0


def test_save_view_rejects_bad_filters_in_the_domain(shop):
    with pytest.raises(ValidationFailed):
        views.save_view(shop.staff1, name="Bad", query="per_page=1000")
    with pytest.raises(ValidationFailed):
        views.save_view(shop.staff1, name="  ", query="status=ORDERED")


def test_ready_for_collection_default(client, auth, shop):
    ready = factories.make_order(shop.branch1, status=OrderStatus.DELIVERY_READY, fulfilment_method="COLLECTION")
    shipped = factories.make_order(shop.branch1, status=OrderStatus.DELIVERY_READY)
    factories.db.session.commit()
    auth.login(shop.staff1.email)
    html = client.get("/orders?" + dict(views.DEFAULT_VIEWS)["Ready for collection"]).get_data(as_text=True)
    assert ready.code in html and shipped.code not in html
