"""The order search (issue 7): phone numbers by their digits in any national or international form; a whole
order code, email address or phone number looked up by equality first, finding what the substring search
finds; the branch scope still applied; the search table following a branch change."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.orders import queries, search
from app.orders.filters import parse_order_filter
from tests import factories
from tests.conftest import sign_in


def codes(user, **args) -> list[str]:
    f = parse_order_filter(MultiDict(args))
    assert f.is_valid, f.errors
    return [o.code for o in queries.page_of(queries.filtered_orders(user, f), f)]


def substring_codes(user, monkeypatch, **args) -> list[str]:
    """What the list finds with the exact lookups switched off: the substring search alone."""
    with monkeypatch.context() as m:
        m.setattr(search, "exact_condition", lambda q, dialect: None)
        return codes(user, **args)


@pytest.fixture
def people(shop):
    """Orders whose phone numbers are stored in the shapes people type them in."""
    mk, cust = factories.make_order, factories.make_customer
    thandi = cust("thandi.nkosi@example.test", name="Thandi Nkosi", phone="+27 82 779 0876")
    lerato = cust("lerato@example.test", name="Lerato Dube", phone="082 555 1234")  # stored nationally
    pieter = cust("pieter@example.test", name="Pieter Botha", phone="+27 (0)21 555 0101")
    anna = cust("anna@example.co.uk", name="Anna Nkosi", phone="+44 20 7946 0958")
    o = dict(
        t1=mk(shop.branch1, code="ORD-2026-000101", customer=thandi),
        t2=mk(shop.branch2, code="ORD-2026-000102", customer=thandi),
        lerato=mk(shop.branch1, code="ORD-2026-000103", customer=lerato),
        pieter=mk(shop.branch1, code="ORD-2026-000104", customer=pieter),
        anna=mk(shop.branch1, code="ORD-2026-000105", customer=anna),
        a10=mk(shop.branch1, code="ORD-2026-001010"),
        a11=mk(shop.branch2, code="ORD-2026-001011"),
    )
    factories.db.session.commit()
    return o


PHONE_FORMS = [
    # what is typed, the orders found (newest first)
    ("0827790876", ["ORD-2026-000102", "ORD-2026-000101"]),
    ("082 779 0876", ["ORD-2026-000102", "ORD-2026-000101"]),
    ("+27827790876", ["ORD-2026-000102", "ORD-2026-000101"]),
    ("+27 82 779 0876", ["ORD-2026-000102", "ORD-2026-000101"]),
    ("27827790876", ["ORD-2026-000102", "ORD-2026-000101"]),
    ("0027 82 779 0876", ["ORD-2026-000102", "ORD-2026-000101"]),
    ("082-779-0876", ["ORD-2026-000102", "ORD-2026-000101"]),
    ("(082) 779 0876", ["ORD-2026-000102", "ORD-2026-000101"]),
    ("827790876", ["ORD-2026-000102", "ORD-2026-000101"]),  # national, without its 0
    ("+27 82 555 1234", ["ORD-2026-000103"]),  # stored as "082 555 1234"
    ("0825551234", ["ORD-2026-000103"]),
    ("021 555 0101", ["ORD-2026-000104"]),  # stored as "+27 (0)21 555 0101"
    ("+27215550101", ["ORD-2026-000104"]),
    ("+44 20 7946 0958", ["ORD-2026-000105"]),  # another country's number, as stored
    ("00442079460958", ["ORD-2026-000105"]),
    ("0827790877", []),  # one digit off
    ("779 0876", ["ORD-2026-000102", "ORD-2026-000101"]),  # part of a number: substring, as before
]


def test_a_phone_number_is_found_in_every_form(shop, people):
    for typed, expected in PHONE_FORMS:
        assert codes(shop.admin, q=typed) == expected, typed


@pytest.mark.parametrize("typed, keys", [
    ("0827790876", ["0027827790876", "0827790876", "27827790876"]),
    ("+27 82 779 0876", ["0027827790876", "0827790876", "27827790876"]),
    ("+44 20 7946 0958", ["00442079460958", "442079460958"]),
    ("1234567", []),  # too few digits to be a whole number
    ("ORD-2026-000101", []),
    ("082 779 0876 ext", []),
])
def test_phone_keys(typed, keys):
    assert search.phone_keys(typed, "27") == keys


def test_the_country_code_comes_from_the_configuration(app, shop, people, monkeypatch):
    # given a shop whose national numbers belong to the United Kingdom
    monkeypatch.setitem(app.config, "PHONE_COUNTRY_CODE", "44")
    # then the UK number is found in its national form, and a South African one only internationally
    assert codes(shop.admin, q="020 7946 0958") == ["ORD-2026-000105"]
    assert codes(shop.admin, q="0827790876") == []
    assert codes(shop.admin, q="+27827790876") == ["ORD-2026-000102", "ORD-2026-000101"]


EXACT = ["ORD-2026-000101", "ord-2026-001010", "thandi.nkosi@example.test", "THANDI.NKOSI@EXAMPLE.TEST",
         "lerato@example.test", "+27 82 779 0876", "082 555 1234", "+27 (0)21 555 0101"]


def test_whole_codes_emails_and_phones_take_the_exact_path_and_find_what_the_substring_search_finds(
        shop, people, monkeypatch):
    ran = []
    substring = search.substring_condition
    monkeypatch.setattr(search, "substring_condition", lambda *a, **kw: ran.append(a[0]) or substring(*a, **kw))
    for user in (shop.admin, shop.staff1, shop.staff2, shop.manager):
        for q in EXACT:
            ran.clear()
            found = codes(user, q=q)
            # the substring search ran only when the exact lookup found nothing the user may see
            assert bool(ran) == (found == []), (user.email, q)
            assert found == substring_codes(user, monkeypatch, q=q), (user.email, q)
    assert codes(shop.admin, q="ORD-2026-000101") == ["ORD-2026-000101"]
    assert codes(shop.staff2, q="THANDI.NKOSI@EXAMPLE.TEST") == ["ORD-2026-000102"]


def test_an_exact_lookup_is_only_tried_first(shop, people, monkeypatch):
    # no order's code: the substring search runs, so a code's beginning still finds the codes it starts
    assert codes(shop.admin, q="ORD-2026-00101") == ["ORD-2026-001011", "ORD-2026-001010"]
    # an address that is part of a longer one: a whole address finds its own orders only
    factories.make_order(shop.branch1, code="ORD-2026-000106",
                         customer=factories.make_customer("anna.thandi.nkosi@example.test"))
    factories.db.session.commit()
    assert codes(shop.admin, q="thandi.nkosi@example.test") == ["ORD-2026-000102", "ORD-2026-000101"]
    assert substring_codes(shop.admin, monkeypatch, q="thandi.nkosi@example.test") == [
        "ORD-2026-000106", "ORD-2026-000102", "ORD-2026-000101"]
    # when the exact order is outside the filter or the scope, the substring search decides
    assert codes(shop.admin, q="thandi.nkosi@example.test", branch=str(shop.branch2.id)) == ["ORD-2026-000102"]
    assert codes(shop.admin, q="thandi.nkosi@example.test", status="CANCELLED") == []
    assert codes(shop.staff1, q="ORD-2026-001011") == []
    assert codes(shop.staff2, q="ORD-2026-001011") == ["ORD-2026-001011"]


def test_the_scope_is_applied_to_every_kind_of_search(shop, people):
    for q in ("ORD-2026-000102", "thandi.nkosi@example.test", "0827790876", "nkosi", "ORD-2026-0010", "Mo"):
        mine = codes(shop.staff1, q=q)
        everyone = codes(shop.admin, q=q)
        branch1 = codes(shop.admin, q=q, branch=str(shop.branch1.id))
        assert mine == branch1 and set(mine) <= set(everyone), q
    assert codes(shop.staff1, q="0827790876") == ["ORD-2026-000101"]
    assert codes(shop.staff2, q="nkosi") == ["ORD-2026-000102"]
    # a branch filter outside a staff member's scope narrows to nothing, never widens
    assert codes(shop.staff1, q="nkosi", branch=str(shop.branch2.id)) == []


def test_the_search_follows_an_order_to_another_branch(shop, people):
    # PostgreSQL narrows a scoped search by the branch copied into its search table (kept by a trigger)
    order = people["t1"]
    order.branch_id = shop.branch2.id
    factories.db.session.commit()
    assert codes(shop.staff2, q="nkosi") == ["ORD-2026-000102", "ORD-2026-000101"]
    assert codes(shop.staff1, q="nkosi") == ["ORD-2026-000105"]
    # and a new phone number replaces the old one's digits
    order.customer_phone = "+27 71 000 1111"
    factories.db.session.commit()
    assert codes(shop.admin, q="0710001111") == ["ORD-2026-000101"]
    assert codes(shop.admin, q="0827790876") == ["ORD-2026-000102"]


def test_the_list_page_finds_a_phone_typed_nationally(client, auth, shop, people):
    auth.login(shop.staff1.email)
    html = client.get("/orders?q=082+779+0876").get_data(as_text=True)
    assert "ORD-2026-000101" in html and "ORD-2026-000102" not in html  # branch 2 is not staff1's


def test_staff_types_a_phone_number_in_the_search_box(page, shop, people):
    sign_in(page, shop.staff1.email)
    page.locator("#q").fill("082 779 0876")
    page.wait_for_url(re.compile(r"q=082"))
    page.wait_for_function("document.querySelectorAll('#order-results tbody tr').length === 1")
    assert page.locator("#order-results table.orders tbody a.code").all_text_contents() == ["ORD-2026-000101"]


def test_bulk_loaded_orders_are_found_by_phone_and_by_branch(db, monkeypatch):
    # the bulk generator writes orders with COPY / executemany, dropping and rebuilding the indexes
    from app.demo import bulk, load_demo_shop
    from app.models import Order, StaffUser

    monkeypatch.setattr(bulk, "CUSTOMERS", 300)
    monkeypatch.setattr(bulk, "GUESTS", 50)
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 1)
    load_demo_shop(orders=300, seed=5, echo=lambda _m: None)
    order = db.session.scalars(sa.select(Order).order_by(Order.id.desc()).limit(1)).one()
    digits = re.sub(r"\D", "", order.customer_phone)
    assert order.customer_phone_digits == digits
    admin, staff = (db.session.scalar(sa.select(StaffUser).where(StaffUser.email == e))
                    for e in ("admin@demo.test", "staff@demo.test"))
    assert order.code in codes(admin, q="0" + digits[2:])
    surname = order.customer_name.split()[-1]
    assert codes(staff, q=surname) == codes(admin, q=surname, branch=",".join(map(str, staff.branch_ids)))
