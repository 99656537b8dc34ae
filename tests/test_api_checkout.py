"""Catalogue, basket, reorder and checkout endpoints of the customer API: success and failure paths, isolation
between customers, idempotency, and money that adds up."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import Basket, InvoiceSequence, Order, OrderEventType, Product, ProductVariant
from tests.api_support import assert_error
from tests.factories import make_customer, make_order, make_variant

D = Decimal


@pytest.fixture
def buyer(api, shop):
    return api.token("buyer@shop.test")


def put(api, token, variant_id, quantity, **query):
    url = "/api/v1/customer/basket/items" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return api.put(url, token, json={"variant_id": variant_id, "quantity": quantity})


def body_for(basket: dict, shop, **overrides) -> dict:
    body = {"basket_reference": basket["reference"], "signature": basket["signature"],
            "fulfilment_method": "DELIVERY", "delivery_method": "STANDARD", "branch_id": shop.branch1.id,
            "address_id": shop.customer.addresses[0].id,
            "payment": {"provider": "CARD", "reference": "txn_1", "status": "completed", "amount": basket["total"]}}
    return body | overrides


# --- catalogue -------------------------------------------------------------------------------------------

def test_products_search_by_name_sku_and_barcode(api, buyer, db):
    mug = make_variant("120.00", name="Blue Mug", product_name="Blue Mug", sku="MUG-BLUE", barcode="6001234567890",
                       stock=0)
    make_variant("50.00", name="Green Tea", product_name="Green Tea", sku="TEA-1")
    gone = make_variant("10.00", name="Blue Old Mug", product_name="Blue Old Mug")
    gone.product.is_active = False
    db.session.commit()
    for q in ("blue", "mug-blue", "600123456"):
        data = api.get(f"/api/v1/products?q={q}", buyer).get_json()["data"]
        assert [p["name"] for p in data["products"]] == ["Blue Mug"], q
    variant = data["products"][0]["variants"][0]
    assert variant == {"id": mug.id, "sku": "MUG-BLUE", "barcode": "6001234567890", "name": "Blue Mug",
                       "attributes": [{"attribute": "Size", "value": "M", "code": None}], "price": "120.00",
                       "mrp": "120.00", "stock": 0, "available": False}
    everything = api.get("/api/v1/products?page=1", buyer).get_json()["data"]
    assert everything["pagination"]["total"] == 2
    assert api.get("/api/v1/products?q=%25", buyer).get_json()["data"]["products"] == []  # % is no wildcard
    assert_error(api.get("/api/v1/products?page=0", buyer), 422, "page")
    assert_error(api.get("/api/v1/products?colour=red", buyer), 422, "colour")


def test_branches_say_whether_they_deliver_and_offer_collection(api, buyer, shop, db):
    shop.branch3.delivers = False
    db.session.commit()
    data = {b["code"]: b for b in api.get("/api/v1/branches", buyer).get_json()["data"]}
    assert data["JHB"] == {"id": shop.branch3.id, "code": "JHB", "name": "Johannesburg", "delivers": False,
                           "offers_collection": True}
    assert data["CPT"]["delivers"] is True


@pytest.mark.parametrize("url", ["/api/v1/products", "/api/v1/branches", "/api/v1/customer/basket"])
def test_catalogue_and_basket_need_a_customer_token(api, shop, url):
    assert_error(api.get(url), 401)
    assert_error(api.get(url, api.token("staff1@shop.test", staff=True)), 403)


# --- basket ----------------------------------------------------------------------------------------------

def test_basket_is_created_priced_and_signed(api, buyer, db):
    mug = make_variant("120.00", stock=5)
    db.session.commit()
    empty = api.get("/api/v1/customer/basket", buyer).get_json()["data"]
    assert empty["items"] == [] and empty["total"] == "0.00" and empty["reference"].startswith("BSK-")
    data = put(api, buyer, mug.id, 2).get_json()["data"]
    assert data["reference"] == empty["reference"] and data["signature"] != empty["signature"]
    assert data["items"] == [{"variant_id": mug.id, "product_id": mug.product_id, "sku": mug.sku, "name": mug.name,
                              "attributes": mug.attributes, "quantity": 2, "unit_price": "120.00",
                              "line_total": "240.00", "tax_rate": "15.00", "stock": 5, "available": True}]
    assert (data["subtotal"], data["discount"], data["delivery_fee"], data["total"]) == ("240.00", "0.00", "65.00",
                                                                                         "305.00")
    assert data["tax_total"] == "39.78"  # 31.30 inside the goods + 8.48 inside the delivery fee
    collection = api.get("/api/v1/customer/basket?fulfilment_method=COLLECTION", buyer).get_json()["data"]
    assert collection["delivery_fee"] == "0.00" and collection["total"] == "240.00"
    express = api.get("/api/v1/customer/basket?delivery_method=EXPRESS", buyer).get_json()["data"]
    assert express["delivery_fee"] == "120.00"
    assert express["signature"] == data["signature"]  # the signature covers the lines, not the delivery choice
    assert db.session.scalar(sa.select(sa.func.count(Basket.id))) == 1


def test_delivery_is_free_from_1500(api, buyer, db):
    tv = make_variant("1500.00")
    db.session.commit()
    assert put(api, buyer, tv.id, 1).get_json()["data"]["delivery_fee"] == "0.00"


def test_changing_and_removing_items(api, buyer, db):
    a, b = make_variant("10.00"), make_variant("20.00")
    db.session.commit()
    put(api, buyer, a.id, 1)
    put(api, buyer, b.id, 3)
    data = put(api, buyer, a.id, 4).get_json()["data"]
    assert {i["variant_id"]: i["quantity"] for i in data["items"]} == {a.id: 4, b.id: 3}
    data = put(api, buyer, b.id, 0).get_json()["data"]
    assert [i["variant_id"] for i in data["items"]] == [a.id]
    assert put(api, buyer, b.id, 0).status_code == 200  # removing what is not there is fine


def test_more_than_in_stock_is_a_409_naming_the_item(api, buyer, db):
    mug = make_variant("10.00", stock=2, sku="MUG-1", name="Mug")
    db.session.commit()
    body = assert_error(put(api, buyer, mug.id, 3), 409, "quantity")
    assert "MUG-1" in body["message"] and "only 2 are left" in body["message"] and body["code"] == "out_of_stock"


@pytest.mark.parametrize("payload, field", [
    ({"variant_id": 999999, "quantity": 1}, "variant_id"),
    ({"variant_id": 1, "quantity": -1}, "quantity"),
    ({"variant_id": 1, "quantity": 10**9}, "quantity"),
    ({"variant_id": 2**40, "quantity": 1}, "variant_id"),
    ({"variant_id": "x", "quantity": 1}, "variant_id"),
    ({"variant_id": 1}, "quantity"),
    ({"variant_id": 1, "quantity": 1, "price": "0.01"}, "price"),
])
def test_bad_basket_items_are_422_naming_the_field(api, buyer, payload, field):
    assert_error(api.put("/api/v1/customer/basket/items", buyer, json=payload), 422, field)


def test_a_discontinued_product_cannot_be_added(api, buyer, db):
    old = make_variant("10.00")
    old.product.is_active = False
    db.session.commit()
    assert_error(put(api, buyer, old.id, 1), 422, "variant_id")


# --- checkout --------------------------------------------------------------------------------------------

def test_checkout_places_the_order(api, buyer, shop, db):
    # given
    mug, tea = make_variant("120.00", stock=5, sku="MUG"), make_variant("35.50", stock=1, sku="TEA")
    db.session.commit()
    put(api, buyer, mug.id, 2)
    basket = put(api, buyer, tea.id, 1).get_json()["data"]
    # when
    response = api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop, notes="Ring twice"))
    # then
    body = response.get_json()
    assert response.status_code == 201 and body["message"] == "Order placed", body
    order = body["data"]
    assert (order["subtotal"], order["shipping_fee"], order["discount"], order["total"]) == (
        "275.50", "65.00", "0.00", "340.50")
    assert order["tax"] == basket["tax_total"] == "44.41"  # 31.30 + 4.63 + 8.48
    assert order["status"] == "ORDERED" and order["order_status"] == "pending"
    assert order["payment_status"] == "PAID" and order["is_fully_paid"] is True
    assert order["bill_no"].startswith("CPT-") and order["bill_no"].endswith("-000001")
    assert order["notes"] == "Ring twice" and order["shipping_address"]["line1"].endswith("Long Street")
    assert [(i["sku"], i["quantity"], i["line_total"]) for i in order["items"]] == [("MUG", 2, "240.00"),
                                                                                    ("TEA", 1, "35.50")]
    assert order["payments"][0]["amount"] == "340.50" and order["payments"][0]["status"] == "completed"
    assert order["shipment"]["events"][0]["status"] == "ORDER_PLACED"
    db.session.expire_all()
    assert (db.session.get(ProductVariant, mug.id).stock, db.session.get(ProductVariant, tea.id).stock) == (3, 0)
    stored = db.session.get(Order, order["id"])
    assert stored.basket_reference == basket["reference"] and stored.customer_id == shop.customer.id
    assert stored.tax_total == sum(i.tax_amount for i in stored.items) + D("8.48")
    placed = [e for e in stored.events if e.type == OrderEventType.PLACED]
    assert len(placed) == 1 and placed[0].actor_type.value == "CUSTOMER"
    checked_out = db.session.scalar(sa.select(Basket).where(Basket.reference == basket["reference"]))
    assert checked_out.status == "CHECKED-OUT" and checked_out.order_id == stored.id
    # a fresh basket for what comes next
    assert api.get("/api/v1/customer/basket", buyer).get_json()["data"]["reference"] != basket["reference"]


def test_the_same_checkout_again_returns_the_same_order(api, buyer, shop, db):
    mug = make_variant("120.00", stock=5)
    db.session.commit()
    basket = put(api, buyer, mug.id, 1).get_json()["data"]
    first = api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop))
    again = api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop))
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["data"]["id"] == first.get_json()["data"]["id"]
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 1
    db.session.expire_all()
    assert db.session.get(ProductVariant, mug.id).stock == 4  # taken once
    # the same basket with other details is not "the same checkout"
    other = body_for(basket, shop, notes="changed my mind")
    assert_error(api.post("/api/v1/customer/checkout", buyer, json=other), 422, "basket_reference")


def test_idempotency_key(api, buyer, shop, db):
    mug = make_variant("120.00", stock=5)
    db.session.commit()
    basket = put(api, buyer, mug.id, 1).get_json()["data"]
    headers = {"Idempotency-Key": "app-retry-1"}
    first = api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop), headers=headers)
    again = api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop), headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["data"]["id"] == again.get_json()["data"]["id"]
    # the same key with another body (another basket) is a 422
    next_basket = put(api, buyer, mug.id, 2).get_json()["data"]
    reused = api.post("/api/v1/customer/checkout", buyer, json=body_for(next_basket, shop), headers=headers)
    assert_error(reused, 422)
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 1
    too_long = api.post("/api/v1/customer/checkout", buyer, json=body_for(next_basket, shop),
                        headers={"Idempotency-Key": "x" * 129})
    assert_error(too_long, 422, "Idempotency-Key")


def test_an_altered_basket_or_signature_is_refused(api, buyer, shop, db):
    mug, tea = make_variant("120.00", stock=5), make_variant("30.00", stock=5)
    db.session.commit()
    basket = put(api, buyer, mug.id, 1).get_json()["data"]
    forged = body_for(basket, shop, signature="0" * 64)
    assert assert_error(api.post("/api/v1/customer/checkout", buyer, json=forged), 409, "signature")["code"] == \
        "basket_changed"
    put(api, buyer, tea.id, 1)  # the basket changed after the app read it
    assert_error(api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop)), 409, "signature")
    fresh = api.get("/api/v1/customer/basket", buyer).get_json()["data"]
    mug.price = D("99.00")  # a price change makes the signed prices stale too
    db.session.commit()
    assert_error(api.post("/api/v1/customer/checkout", buyer, json=body_for(fresh, shop)), 409, "signature")
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0


@pytest.mark.parametrize("payment, field, says", [
    ({"provider": "CARD", "status": "completed", "amount": "185.00"}, "payment.amount", "185.05"),
    ({"provider": "CARD", "status": "authorized", "amount": "999.00"}, "payment.amount", "185.05"),
    ({"provider": "CARD", "status": "completed"}, "payment.amount", "185.05"),
    ({"provider": "COD", "status": "completed", "amount": "185.05"}, "payment.status", "pending"),
    ({"provider": "CHANNEL", "status": "completed", "amount": "185.05"}, "payment.provider", "CHANNEL"),
    ({"provider": "CARD", "status": "refunded", "amount": "185.05"}, "payment.status", "pending"),
    ({"provider": "BITCOIN", "status": "completed", "amount": "185.05"}, "payment.provider", None),
    ({"provider": "CARD", "status": "completed", "amount": 185.051}, "payment.amount", None),
])
def test_payment_must_be_for_exactly_the_total(api, buyer, shop, db, payment, field, says):
    mug = make_variant("120.05", stock=5)
    db.session.commit()
    basket = put(api, buyer, mug.id, 1).get_json()["data"]
    assert basket["total"] == "185.05"
    body = assert_error(api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop, payment=payment)),
                        422, field)
    if says:
        assert says in body["message"]
    db.session.expire_all()
    assert db.session.get(ProductVariant, mug.id).stock == 5


@pytest.mark.parametrize("provider, status, amount, payment_status", [
    ("COD", "pending", None, "PENDING"),
    ("COD", "pending", "185.05", "PENDING"),
    ("EFT", "pending", None, "PENDING"),
    ("CARD", "authorized", "185.05", "AUTHORIZED"),
])
def test_unpaid_payments_record_the_total(api, buyer, shop, db, provider, status, amount, payment_status):
    mug = make_variant("120.05", stock=5)
    db.session.commit()
    basket = put(api, buyer, mug.id, 1).get_json()["data"]
    payment = {"provider": provider, "status": status} | ({"amount": amount} if amount else {})
    order = api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop, payment=payment)).get_json()
    assert order["data"]["payment_status"] == payment_status and order["data"]["is_fully_paid"] is False
    assert order["data"]["payments"][0]["amount"] == "185.05"


def test_out_of_stock_at_checkout_is_a_409_and_nothing_is_written(api, buyer, shop, db):
    mug, tea = make_variant("10.00", stock=5, sku="MUG"), make_variant("20.00", stock=2, sku="TEA")
    db.session.commit()
    put(api, buyer, mug.id, 3)
    basket = put(api, buyer, tea.id, 2).get_json()["data"]
    tea.stock = 1  # someone else bought one meanwhile
    db.session.commit()
    body = assert_error(api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop)), 409, "items")
    assert "TEA" in body["message"] and "only 1 is left" in body["message"]
    db.session.expire_all()
    assert (db.session.get(ProductVariant, mug.id).stock, db.session.get(ProductVariant, tea.id).stock) == (5, 1)
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvoiceSequence)) == 0
    assert db.session.scalar(sa.select(Basket.status).where(Basket.reference == basket["reference"])) == "OPEN"


def test_a_discontinued_item_at_checkout_is_a_409(api, buyer, shop, db):
    mug = make_variant("10.00", stock=5, sku="MUG")
    db.session.commit()
    basket = put(api, buyer, mug.id, 1).get_json()["data"]
    db.session.get(Product, mug.product_id).is_active = False
    db.session.commit()
    assert "no longer sold" in assert_error(api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop)),
                                            409, "items")["message"]


def test_collection_and_a_given_address(api, buyer, shop, db):
    mug = make_variant("100.00", stock=5)
    db.session.commit()
    basket = api.get("/api/v1/customer/basket?fulfilment_method=COLLECTION", buyer).get_json()["data"]
    basket = put(api, buyer, mug.id, 1, fulfilment_method="COLLECTION").get_json()["data"]
    body = body_for(basket, shop, fulfilment_method="COLLECTION", address_id=None, branch_id=shop.branch2.id)
    body.pop("address_id")
    order = api.post("/api/v1/customer/checkout", buyer, json=body).get_json()["data"]
    assert order["shipping_fee"] == "0.00" and order["total"] == "100.00" and order["shipping_address"] is None
    assert order["bill_no"].startswith("STB-") and order["fulfilment_method"] == "COLLECTION"
    # a delivery to an address given in seed 004's fields
    basket = put(api, buyer, mug.id, 2).get_json()["data"]
    body = body_for(basket, shop, delivery_method="EXPRESS", shipping_address={
        "full_name": "John Doe", "phone": "0712345678", "email": "john@example.com", "address_line_1": "Street 1",
        "address_line_2": "", "city": "Nairobi", "state": "", "postal_code": "", "country": "Kenya"})
    body.pop("address_id")
    body["payment"]["amount"] = "320.00"
    order = api.post("/api/v1/customer/checkout", buyer, json=body).get_json()["data"]
    assert order["shipping_fee"] == "120.00" and order["total"] == "320.00"
    assert order["shipping_address"]["first_name"] == "John" and order["shipping_address"]["city"] == "Nairobi"


@pytest.mark.parametrize("change, status, field", [
    ({"address_id": None}, 422, "shipping_address"),
    ({"branch_id": 999999}, 422, "branch_id"),
    ({"basket_reference": "BSK-NOPE"}, 422, "basket_reference"),
    ({"fulfilment_method": "DRONE"}, 422, "fulfilment_method"),
    ({"shipping_address": {"full_name": "X", "address_line_1": "Y", "city": "Z"}}, 422, "address_id"),
    ({"shipping_address": {"full_name": "X", "city": "Z"}}, 422, "shipping_address.address_line_1"),
    ({"coupon": "FREE"}, 422, "coupon"),
])
def test_checkout_refusals_name_the_field(api, buyer, shop, db, change, status, field):
    mug = make_variant("100.00", stock=5)
    db.session.commit()
    basket = put(api, buyer, mug.id, 1).get_json()["data"]
    body = body_for(basket, shop, **change)
    if change.get("address_id", 0) is None:
        body.pop("address_id")
    assert_error(api.post("/api/v1/customer/checkout", buyer, json=body), status, field)
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0


def test_a_branch_that_does_not_deliver(api, buyer, shop, db):
    shop.branch1.delivers = False
    mug = make_variant("100.00", stock=5)
    db.session.commit()
    basket = put(api, buyer, mug.id, 1).get_json()["data"]
    assert_error(api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop)), 422, "fulfilment_method")


def test_another_customers_basket_and_address_are_not_found(api, buyer, shop, db):
    other = make_customer("other@shop.test")
    mug = make_variant("100.00", stock=5)
    db.session.commit()
    theirs = put(api, api.token("other@shop.test"), mug.id, 1).get_json()["data"]
    mine = put(api, buyer, mug.id, 1).get_json()["data"]
    stolen = api.post("/api/v1/customer/checkout", buyer, json=body_for(theirs, shop))
    missing = api.post("/api/v1/customer/checkout", buyer, json=body_for(theirs, shop, basket_reference="BSK-0"))
    assert assert_error(stolen, 422, "basket_reference")["message"] == \
        assert_error(missing, 422, "basket_reference")["message"]
    their_address = api.post("/api/v1/customer/checkout", buyer,
                             json=body_for(mine, shop, address_id=other.addresses[0].id))
    assert_error(their_address, 422, "address_id")
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0


# --- reorder ---------------------------------------------------------------------------------------------

def test_reorder_adds_what_is_available_at_todays_prices(api, buyer, shop, db):
    # given: an old order of four lines
    order = make_order(shop.branch1, customer=shop.customer,
                       lines=(("10.00", 2), ("20.00", 1), ("30.00", 3), ("40.00", 5)))
    plenty, gone, empty, short = (db.session.get(ProductVariant, i.variant_id) for i in order.items)
    plenty.price = D("12.00")
    gone.product.is_active = False
    empty.stock, short.stock = 0, 2
    db.session.commit()
    # when
    for method in ("post", "get"):
        response = getattr(api, method)(f"/api/v1/customer/reorder/{order.id}", buyer)
        assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    # then: the second reorder added more of the first line; the short line was already at its stock
    assert [(a["variant_id"], a["quantity"]) for a in data["added"]] == [(plenty.id, 2)]
    assert {(n["variant_id"], n["quantity"], n["reason"]) for n in data["not_added"]} == {
        (gone.id, 1, "discontinued"), (empty.id, 3, "out_of_stock"), (short.id, 5, "out_of_stock")}
    items = {i["variant_id"]: i for i in data["basket"]["items"]}
    assert items[plenty.id]["quantity"] == 4 and items[plenty.id]["unit_price"] == "12.00"
    assert items[short.id]["quantity"] == 2


def test_reorder_reports_less_stock_than_ordered(api, buyer, shop, db):
    order = make_order(shop.branch1, customer=shop.customer, lines=(("40.00", 5),))
    db.session.get(ProductVariant, order.items[0].variant_id).stock = 2
    db.session.commit()
    data = api.post(f"/api/v1/customer/reorder/{order.id}", buyer).get_json()["data"]
    assert [(a["quantity"]) for a in data["added"]] == [2]
    assert [(n["quantity"], n["reason"]) for n in data["not_added"]] == [(3, "insufficient_stock")]


def test_reorder_of_another_customers_order_is_404(api, buyer, shop, db):
    theirs = make_order(shop.branch1, customer=make_customer())
    db.session.commit()
    assert_error(api.post(f"/api/v1/customer/reorder/{theirs.id}", buyer), 404)
    assert_error(api.post("/api/v1/customer/reorder/99999999", buyer), 404)
    assert_error(api.post(f"/api/v1/customer/reorder/{2**40}", buyer), 404)


def test_a_unique_key_clash_at_commit_is_a_409_to_retry_not_a_500(api, buyer, shop, db, monkeypatch):
    """Should two requests with one Idempotency-Key race past the look-up, the unique constraint stops the
    second at flush: it is told to retry (409), nothing is written, and the app stays up."""
    from app.customers import api_basket

    mug = make_variant("120.00", stock=5)
    db.session.commit()
    basket = put(api, buyer, mug.id, 1).get_json()["data"]

    def clash(*_a, **_k):
        raise sa.exc.IntegrityError("INSERT ...", {}, Exception("uq_baskets_customer_id_checkout_key"))

    monkeypatch.setattr(api_basket, "checkout", clash)
    response = api.post("/api/v1/customer/checkout", buyer, json=body_for(basket, shop),
                        headers={"Idempotency-Key": "app-retry-2"})
    assert assert_error(response, 409)["code"] == "idempotency_in_progress"
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0
