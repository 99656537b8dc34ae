"""The order list: every filter applied in SQL, scoping combined with filters, search, paging and counts,
and the page around them (panel, chips, htmx, errors)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.models import Order, SalesChannel
from app.orders import queries
from app.orders.filters import parse_order_filter
from app.orders.status import DeliveryMethod, FulfilmentMethod, OrderStatus, PaymentStatus
from tests import factories

UTC = timezone.utc


def codes(user, **args) -> list[str]:
    f = parse_order_filter(MultiDict(args))
    assert f.is_valid, f.errors
    return [o.code for o in queries.page_of(queries.filtered_orders(user, f), f)]


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def orders(shop):
    """Eight orders in branches 1 and 2 (and one in 3) that differ in one attribute each."""
    mk = factories.make_order
    other = factories.make_customer("zanele@example.test", name="Zanele Mokoena", phone="+27 21 555 0101")
    o = dict(
        a=mk(shop.branch1, code="ORD-2026-000001", customer=shop.customer, lines=(("100.00", 1),)),
        b=mk(shop.branch1, code="ORD-2026-000002", status=OrderStatus.PROCESSING, channel=SalesChannel.SHOPIFY,
             external_reference="SHP-77#1", lines=(("200.00", 2),)),
        c=mk(shop.branch1, code="ORD-2026-000003", customer=other, status=OrderStatus.DELIVERY_READY,
             fulfilment_method=FulfilmentMethod.COLLECTION, delivery_method=DeliveryMethod.EXPRESS,
             has_gift_box=True, paid=True),
        d=mk(shop.branch2, code="ORD-2026-000004", customer=shop.customer, currency="USD",
             channel=SalesChannel.TAKEALOT, lines=(("1000.00", 1),)),
        e=mk(shop.branch2, code="ORD-2026-000005", customer=other, status=OrderStatus.CANCELLED),
        f=mk(shop.branch3, code="ORD-2026-000006", status=OrderStatus.PROCESSING, lines=(("50.00", 1),)),
    )
    for day, order in enumerate(o.values(), start=1):
        order.created_at = order.updated_at = at(day)
    o["e"].updated_at = at(20)  # cancelled much later
    factories.db.session.commit()
    return o


FILTER_CASES = [
    ({}, ["6", "5", "4", "3", "2", "1"]),
    ({"status": "PROCESSING"}, ["6", "2"]),
    ({"status": "PROCESSING,CANCELLED"}, ["6", "5", "2"]),
    ({"payment_status": "PAID"}, ["3"]),
    ({"method": "COLLECTION"}, ["3"]),
    ({"delivery": "EXPRESS"}, ["3"]),
    ({"channel": "SHOPIFY,TAKEALOT"}, ["4", "2"]),
    ({"branch": "2"}, ["5", "4"]),
    ({"branch_group": "GROUP"}, ["5", "4", "3", "2", "1"]),
    ({"currency": "USD"}, ["4"]),
    ({"gift_box": "1"}, ["3"]),
    ({"gift_box": "0", "branch": "1"}, ["2", "1"]),
    ({"created_from": "2026-03-02", "created_to": "2026-03-03"}, ["3", "2"]),
    ({"modified_from": "2026-03-19"}, ["5"]),
    ({"total_min": "400", "total_max": "1000"}, ["2"]),  # 400 + 50 delivery = 450; 1050 is over
    ({"total_max": "150.00"}, ["6", "5", "3", "1"]),
    ({"q": "zanele"}, ["5", "3"]),
    ({"q": "ZANELE@EXAMPLE"}, ["5", "3"]),
    ({"q": "555 0101"}, ["5", "3"]),
    ({"q": "shp-77#"}, ["2"]),  # external reference, with punctuation
    ({"q": "000004"}, ["4"]),
    ({"q": "ORD-2026-000004"}, ["4"]),
    ({"q": "Mo"}, ["5", "3"]),  # two letters: below the trigram index, still found
    ({"q": "100%"}, []),  # LIKE wildcards are literal
    ({"q": '"'}, []),
    ({"q": "order_"}, []),
    ({"sort": "total", "direction": "desc", "branch": "1,2"}, ["4", "2", "5", "3", "1"]),  # ties: newest id first
    ({"sort": "code", "direction": "asc"}, ["1", "2", "3", "4", "5", "6"]),
    ({"sort": "modified"}, ["5", "6", "4", "3", "2", "1"]),
    ({"per_page": "20", "page": "2"}, []),

]


def test_each_filter_narrows_in_sql(shop, orders):
    # one table of cases over one data set (a set-up per case would triple the suite's time on PostgreSQL)
    for args, expected in FILTER_CASES:
        if args.get("branch_group") == "GROUP":
            args = {**args, "branch_group": str(shop.group.id)}
        if "branch" in args:
            ids = {"1": shop.branch1.id, "2": shop.branch2.id}
            args = {**args, "branch": ",".join(str(ids[b]) for b in args["branch"].split(","))}
        assert codes(shop.admin, **args) == [f"ORD-2026-00000{n}" for n in expected], args


def test_sort_by_customer(shop, orders):
    names = [n for n in (o.customer_name for o in queries.page_of(
        queries.filtered_orders(shop.admin, parse_order_filter({"sort": "customer", "direction": "asc"})),
        parse_order_filter({"sort": "customer", "direction": "asc"})))]
    assert names == sorted(names)


def test_placed_and_modified_ranges_match_either_one(shop, orders):
    # given: only order 1 was placed on 1 March; only order 5 was modified on 20 March
    args = {"created_from": "2026-03-01", "created_to": "2026-03-01"}
    assert codes(shop.admin, **args) == ["ORD-2026-000001"]
    # when both ranges are given, then an order matching either is in (seed 000's OR rule)
    both = codes(shop.admin, **args, modified_from="2026-03-20", modified_to="2026-03-20")
    assert both == ["ORD-2026-000005", "ORD-2026-000001"]


def test_customer_filter(shop, orders):
    assert codes(shop.admin, customer=str(shop.customer.id)) == ["ORD-2026-000004", "ORD-2026-000001"]


def test_staff_asking_for_another_branch_gets_nothing_of_it(shop, orders):
    # staff1 works in branch 1 only
    assert codes(shop.staff1) == ["ORD-2026-000003", "ORD-2026-000002", "ORD-2026-000001"]
    assert codes(shop.staff1, branch=str(shop.branch2.id)) == []
    assert codes(shop.staff1, branch=f"{shop.branch1.id},{shop.branch2.id}") == [
        "ORD-2026-000003", "ORD-2026-000002", "ORD-2026-000001"]
    assert codes(shop.staff1, q="ORD-2026-000004") == []
    assert codes(shop.staff1, customer=str(shop.customer.id)) == ["ORD-2026-000001"]
    assert codes(shop.staff1, branch_group=str(shop.group.id), status="CANCELLED") == []
    # a manager of branches 1 and 2 never sees branch 3
    assert "ORD-2026-000006" not in codes(shop.manager, status="PROCESSING")


def test_count_is_exact_below_the_cap_and_honest_above(shop, orders, monkeypatch):
    from app.orders import listing

    def count(cap):
        monkeypatch.setattr(queries, "COUNT_CAP", cap)
        result = listing.run(shop.admin, parse_order_filter({}))
        return result.total, result.capped, len(result.orders)

    assert count(10_000) == (6, False, 6)
    assert count(6) == (6, False, 6)
    assert count(5) == (5, True, 6)  # "5+": the page itself still shows every row it has


def test_both_ways_of_reading_a_page_give_the_same_rows(shop, orders, monkeypatch):
    # few matches: sorted from their ids; many: read in sort order (the "many" hints of search.py)
    from app.orders import listing

    cases = [{}, {"q": "zanele"}, {"q": "ORD-2026"}, {"q": "Mo"}, {"total_min": "100", "branch": str(shop.branch1.id)},
             {"sort": "customer", "direction": "asc"}]
    for many in (0, 2_000):
        monkeypatch.setattr(queries, "MANY", many)
        for args in cases:
            expected = codes(shop.admin, **args)
            for user in (shop.admin, shop.staff1):
                mine = expected if user is shop.admin else codes(shop.staff1, **args)
                for page in ("1", "2"):
                    f = parse_order_filter(MultiDict({**args, "per_page": "20", "page": page}))
                    result = listing.run(user, f)
                    assert [o.code for o in result.orders] == (mine if page == "1" else []), (many, args, page)
                    assert (result.total, result.capped) == (len(mine), False)


def test_deep_page_returns_the_right_rows(shop, orders):
    all_codes = codes(shop.admin, sort="total", direction="asc")
    f = parse_order_filter({"sort": "total", "direction": "asc", "per_page": "20"})
    assert [o.code for o in queries.page_of(queries.filtered_orders(shop.admin, f), f)] == all_codes


def test_search_index_follows_changes(shop, orders):
    # the SQLite FTS table is kept in sync by triggers; PostgreSQL's index is maintained by itself
    order = orders["a"]
    order.customer_name = "Lindiwe Dlamini"
    factories.db.session.commit()
    assert codes(shop.admin, q="lindiwe") == ["ORD-2026-000001"]
    assert "ORD-2026-000001" not in codes(shop.admin, q="bongani")
    factories.db.session.execute(sa.delete(Order).where(Order.id == orders["b"].id))  # items cascade in SQL
    factories.db.session.commit()
    assert codes(shop.admin, q="shp-77") == []


# --- the page -----------------------------------------------------------------------------------

def test_filter_panel_offers_only_my_branches(client, auth, shop, orders):
    auth.login(shop.staff1.email)
    html = client.get("/orders").get_data(as_text=True)
    panel = html[html.index('id="f-branch"'):]
    panel = panel[:panel.index("</details>")]
    assert "Cape Town" in panel and "Stellenbosch" not in panel and "Johannesburg" not in panel
    for name in ("q", "f-status", "f-payment_status", "f-channel", "f-method", "f-delivery", "f-branch_group",
                 "f-currency", "f-gift_box", "f-customer", "f-created_from", "f-created_to", "f-modified_from",
                 "f-modified_to", "f-total_min", "f-total_max", "f-sort", "f-direction", "f-per_page"):
        assert f'id="{name}"' in html, name


def test_active_filters_are_chips_that_remove_one_value(client, auth, shop, orders):
    auth.login(shop.admin.email)
    html = client.get("/orders?status=PROCESSING&status=CANCELLED&q=zanele&sort=total").get_data(as_text=True)
    chips = dict(re.findall(r'<a class="chip" href="([^"]+)"[^>]*>([^<]+?) <span', html))
    assert chips == {
        "/orders?q=zanele&amp;status=CANCELLED&amp;sort=total": "Status: Processing",
        "/orders?q=zanele&amp;status=PROCESSING&amp;sort=total": "Status: Cancelled",
        "/orders?status=PROCESSING&amp;status=CANCELLED&amp;sort=total": "Search: zanele",
    }
    assert 'id="f-status"' in html and '<input type="checkbox" name="status" value="PROCESSING" checked>' in html


def test_htmx_update_pushes_the_canonical_url(client, auth, shop, orders):
    auth.login(shop.staff1.email)
    r = client.get("/orders?q=&status=PROCESSING&created_from=&per_page=20",
                   headers={"HX-Request": "true", "HX-Target": "order-results"})
    assert r.status_code == 200
    assert r.headers["HX-Push-Url"] == "/orders?status=PROCESSING&per_page=20"
    assert "ORD-2026-000002" in r.get_data(as_text=True)
    assert r.headers["Server-Timing"].startswith("app;dur=")


def test_bad_value_from_htmx_is_a_400_with_the_message(client, auth, shop):
    auth.login(shop.staff1.email)
    r = client.get("/orders?total_min=9&total_max=1", headers={"HX-Request": "true", "HX-Target": "order-results"})
    assert r.status_code == 400 and "HX-Push-Url" not in r.headers
    assert "Maximum total is below the minimum." in r.get_data(as_text=True)


def test_capped_count_says_so(client, auth, shop, orders, monkeypatch):
    monkeypatch.setattr(queries, "MANY", 2)
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    auth.login(shop.admin.email)
    html = client.get("/orders").get_data(as_text=True)
    assert "3+ orders" in html and "Page 1</span>" in html and 'rel="next"' in html


def test_customer_link_on_detail_leads_to_a_prefiltered_list(client, auth, shop, orders):
    auth.login(shop.staff1.email)
    html = client.get(f"/orders/{orders['a'].id}").get_data(as_text=True)
    link = f"/orders?customer={shop.customer.id}"
    assert link in html
    listed = client.get(link).get_data(as_text=True)
    assert "ORD-2026-000001" in listed and "ORD-2026-000004" not in listed  # branch 2 is not staff1's
