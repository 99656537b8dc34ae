"""The order list page around the rows (issue 7): result count wording, header sort links, the customer chip,
which saved view is highlighted (also after an htmx update), and the checkbox filters."""
from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from app.orders import listing, views
from app.orders.filters import parse_order_filter
from app.orders.status import OrderStatus
from tests import factories

HTMX = {"HX-Request": "true", "HX-Target": "order-results"}


def parse(query: str = "", **args):
    from urllib.parse import parse_qsl

    f = parse_order_filter(MultiDict(parse_qsl(query) + list(args.items())))
    assert f.is_valid, f.errors
    return f


def current_views(html: str) -> list[str]:
    """The names of the sidebar links marked as the current view."""
    html = html[html.index('id="views-sidebar"'):]
    html = html[:html.index("</aside>")]
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', html)


@pytest.fixture
def two(shop):
    mk = factories.make_order
    zanele = factories.make_customer("zanele@example.test", name="Zanele Mokoena")
    o = dict(
        a=mk(shop.branch1, code="ORD-2026-500001", customer=zanele, lines=(("100.00", 1),)),
        b=mk(shop.branch1, code="ORD-2026-500002", status=OrderStatus.PROCESSING, lines=(("900.00", 1),)),
        far=mk(shop.branch2, code="ORD-2026-500003", customer=factories.make_customer(name="Far Away")),
    )
    factories.db.session.commit()
    return o


# --- "1 order matches" --------------------------------------------------------------------------------

@pytest.mark.parametrize("total, capped, filtered, text", [
    (1, False, True, "1 order matches"),
    (2, False, True, "2 orders match"),
    (0, False, True, "0 orders match"),
    (1, False, False, "1 order"),
    (2000, False, False, "2,000 orders"),
    (10_000, True, True, "10,000+ orders match"),
    (10_000, True, False, "10,000+ orders"),
])
def test_count_text_agrees_with_the_number(total, capped, filtered, text):
    assert listing.count_text(total, capped, filtered) == text


def test_one_match_reads_1_order_matches(client, auth, shop, two):
    auth.login(shop.staff1.email)
    html = client.get("/orders?q=ORD-2026-500002").get_data(as_text=True)
    assert re.search(r'class="result-count muted">1 order matches</p>', html)
    html = client.get("/orders?status=ORDERED&status=PROCESSING").get_data(as_text=True)
    assert re.search(r'class="result-count muted">2 orders match</p>', html)


# --- column headers sort ----------------------------------------------------------------------------

def test_sort_links_toggle_the_current_column_and_keep_the_filters():
    f = parse("status=PROCESSING&sort=total&page=3&per_page=20")
    links = listing.sort_links(f)
    assert links["total"] == "/orders?status=PROCESSING&per_page=20&sort=total&direction=asc"  # desc → asc, page 1
    assert links["customer"] == "/orders?status=PROCESSING&per_page=20&sort=customer&direction=asc"
    assert links["placed"] == "/orders?status=PROCESSING&per_page=20"  # the default sort: nothing to say
    assert listing.sort_links(parse("sort=code&direction=asc"))["code"] == "/orders?sort=code"


def test_headers_link_to_their_sort_and_mark_the_current_one(client, auth, shop, two):
    auth.login(shop.staff1.email)
    html = client.get("/orders?sort=total&direction=asc").get_data(as_text=True)
    total = re.search(r'<th class="sortable num" aria-sort="ascending">\s*<a href="([^"]+)"', html)
    assert total and total.group(1) == "/orders?sort=total"
    assert 'hx-get="/orders?sort=customer&amp;direction=asc"' in html
    rows = re.findall(r'class="code">(ORD-[\d-]+)<', html)
    assert rows == ["ORD-2026-500001", "ORD-2026-500002"]


def test_an_htmx_sort_sends_the_panel_sort_fields_out_of_band(client, auth, shop, two):
    auth.login(shop.staff1.email)
    html = client.get("/orders?sort=total&direction=asc", headers=HTMX).get_data(as_text=True)
    oob = html[html.index('id="sort-fields" hx-swap-oob="true"'):]
    assert '<option value="total" selected>' in oob and '<option value="asc" selected>' in oob
    full = client.get("/orders?sort=total").get_data(as_text=True)
    assert "hx-swap-oob" not in full  # the full page renders the panel once, in place


# --- the customer chip ------------------------------------------------------------------------------

def test_customer_chip_shows_the_name(client, auth, shop, two):
    auth.login(shop.staff1.email)
    customer_id = two["a"].customer_id
    html = client.get(f"/orders?customer={customer_id}").get_data(as_text=True)
    assert 'aria-label="Remove Customer: Zanele Mokoena"' in html
    assert f"Customer: {customer_id}" not in html


def test_customer_name_is_not_shown_to_staff_without_an_order_of_theirs(client, auth, shop, two):
    # given a customer who only ordered in branch 2
    far = two["far"].customer_id
    # then staff of branch 1 see the id only, and the admin sees the name
    assert listing.visible_customer_name(shop.staff1, far) is None
    assert listing.visible_customer_name(shop.admin, far) == "Far Away"
    auth.login(shop.staff1.email)
    html = client.get(f"/orders?customer={far}").get_data(as_text=True)
    assert f'aria-label="Remove Customer: {far}"' in html and "Far Away" not in html


# --- which saved view is highlighted ----------------------------------------------------------------

def test_active_view_matches_filters_whatever_their_order(shop):
    views.ensure_default_views()
    defaults, _ = views.views_for(shop.staff1)
    by_name = {v.name: v.id for v in defaults}
    assert views.active_view(parse(""), defaults) == views.ALL_ORDERS
    assert views.active_view(parse("page=4"), defaults) == views.ALL_ORDERS
    assert views.active_view(parse("status=PARTIALLY-REFUNDED&modified_from=week&status=REFUNDED"),
                             defaults) == by_name["Refunds this week"]
    assert views.active_view(parse("direction=asc&status=PROCESSING"), defaults) == by_name["To pack"]
    assert views.active_view(parse("status=PROCESSING"), defaults) is None  # differs in its sort
    assert views.active_view(parse("status=ORDERED&created_from=today&q=x"), defaults) is None


def test_sidebar_highlights_no_view_when_the_filters_differ(client, auth, shop, two):
    auth.login(shop.staff1.email)
    assert current_views(client.get("/orders").get_data(as_text=True)) == ["All orders"]
    assert current_views(client.get("/orders?direction=asc&status=PROCESSING").get_data(as_text=True)) == ["To pack"]
    assert current_views(client.get("/orders?status=PROCESSING").get_data(as_text=True)) == []
    assert current_views(client.get("/orders?q=zanele").get_data(as_text=True)) == []


def test_htmx_update_sends_the_sidebar_with_its_new_highlight(client, auth, shop, two):
    auth.login(shop.staff1.email)
    client.get("/orders")
    html = client.get("/orders?q=zanele&status=", headers=HTMX).get_data(as_text=True)
    assert 'id="views-sidebar" aria-label="Saved views" hx-swap-oob="true"' in html
    assert current_views(html) == []
    html = client.get("/orders?q=&status=PROCESSING&direction=asc", headers=HTMX).get_data(as_text=True)
    assert current_views(html) == ["To pack"]


# --- checkbox filters -------------------------------------------------------------------------------

def test_multi_value_filters_are_checkbox_dropdowns_without_multiselects(client, auth, shop, two):
    auth.login(shop.staff1.email)
    html = client.get("/orders?status=ORDERED&status=PROCESSING").get_data(as_text=True)
    assert "<select" in html and "multiple" not in html
    for name in ("status", "payment_status", "channel", "branch"):
        assert f'<details class="dropdown" id="f-{name}" data-dropdown>' in html
    assert '<input type="checkbox" name="status" value="ORDERED" checked>' in html
    assert '<input type="checkbox" name="status" value="FULFILLED" >' in html
    assert re.search(r'<span id="s-status" data-summary>Ordered \+1</span>', html)
    assert re.search(r'<span id="s-channel" data-summary>Any</span>', html)
