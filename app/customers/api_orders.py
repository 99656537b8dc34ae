"""The customer's own orders (seed 001's reads and seed 004's order shape). Every read goes through
``app.customers.queries``: another customer's order is a 404, exactly like one that does not exist.

- GET /customer/my-orders?page=            seed 001's order list, 15 a page, newest first
- GET /customer/order-tracking/{id}        placed/packed/shipped/delivered, courier, shipment events
- GET /customer/order-summery/{id}         (alias order-summary) money, VAT per rate, lines
- GET /customer/e-bill/{id}                a signed, expiring link to the tax invoice PDF
- GET /customer/orders, /customer/orders/{id}   seed 004's shape
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request, url_for
from pydantic import BaseModel, Field
from spectree import Response
from sqlalchemy.orm import selectinload

from app.api import bp, spec
from app.api.auth import customer_required
from app.api.envelope import ok
from app.api.schemas import (
    DbId,
    Envelope,
    ErrorEnvelope,
    Money,
    PageQuery,
    Pagination,
    Strict,
    Timestamp,
    timestamp,
)
from app.customers import order_views, queries
from app.customers.schemas import Order004, ShipmentEvent
from app.customers.serializers import order_004
from app.localtime import shop_zone
from app.models import Order
from app.models.types import utcnow
from app.orders import ebill
from app.orders.pricing import current_rules

PER_PAGE = 15  # seed 001's page size
ERRORS = {"HTTP_401": ErrorEnvelope, "HTTP_403": ErrorEnvelope, "HTTP_404": ErrorEnvelope}
TAGS = ["customer orders"]


# --- response models ---------------------------------------------------------------------------------------

class OrderHead(BaseModel):
    id: int
    order_code: str
    bill_no: str | None = Field(description="The invoice number (sequential per branch and year).")
    order_status: str = Field(description="Seed 001: pending, confirmed, packed, shipped, delivered, cancelled.")
    payment_status: str = Field(description="paid, pending, partially-paid, authorized, refunded ... (lower case).")
    payment_type: str | None = Field(description="The newest payment's provider: card, cod, eft, wallet ...")
    currency: str


class DeliveryFields(BaseModel):
    delivery_date: Timestamp | None = Field(description="When it was delivered, else when it is expected.")
    delivery_day: str | None = Field(description="The weekday of delivery_date in the shop's time zone.")
    delivery_delay_status: str | None = Field(description="On-Time, Early or Delayed; null when nothing is expected.")


class MyOrder(OrderHead, DeliveryFields):
    number_of_products: int
    total_amount: Money
    order_date: Timestamp


class MyOrders(BaseModel):
    orders: list[MyOrder]
    pagination: Pagination


class Tracking(OrderHead, DeliveryFields):
    order_placed_date: Timestamp | None
    order_placed_status: str | None
    order_packed_date: Timestamp | None
    order_packed_status: str | None
    order_shipped_date: Timestamp | None
    order_shipped_status: str | None
    order_delivered_date: Timestamp | None
    order_delivered_status: str | None
    order_cancelled_date: Timestamp | None
    order_cancelled_status: str | None
    courier_name: str | None
    courier_tracking_no: str | None
    courier_tracking_url: str | None
    shipment_status: str
    events: list[ShipmentEvent]


class TrackingOut(BaseModel):
    order: list[Tracking]


class SplitTax(BaseModel):
    key: str
    percentage: str = Field(examples=["15.00%"])
    value: Money
    taxable_amount: Money = Field(description="The VAT-inclusive amount paid at this rate (after discount).")


class Variation(BaseModel):
    attribute: str
    attribute_value: str
    attribute_code: str | None


class ProductBrief(BaseModel):
    thumbnail: str | None
    name: str
    variations: list[Variation]
    is_returned: bool = Field(description="A return was requested, or the item came back or was refunded.")


class OrderDetail(BaseModel):
    serial: int
    order_items_id: int
    product_id: int | None
    variant_id: int | None
    sku: str
    product: ProductBrief
    item_status: str
    quantity: int
    mrp: Money
    offer_price: Money
    total_price: Money
    tax_rate: str


class Summary(OrderHead):
    order_date: Timestamp
    lang_code: str
    sub_total: Money
    total_amount: Money
    total_tax: Money = Field(description="VAT inside what is paid; the split_tax values add up to it exactly.")
    split_tax: list[SplitTax]
    delivery_charge: Money
    discount: Money
    discount_rate: Money = Field(description="Seed 001's name for the discount amount (same as discount).")
    discount_percentage: str
    order_details: list[OrderDetail]


class SummaryOut(BaseModel):
    order: list[Summary]


class SummaryQuery(Strict):
    lang_code: str | None = Field(None, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$",
                                  description="Accepted for seed 001; names are the ones stored on the order.")


class EbillLink(BaseModel):
    pdf_url: str
    expires_at: Timestamp
    bill_no: str


class EbillOut(BaseModel):
    """Seed 001's answer: ``pdf_url`` at the top, as its app reads it (and again in ``data``)."""

    success: bool = True
    message: str
    pdf_url: str
    data: EbillLink
    status_code: int = 200


class Orders004(BaseModel):
    orders: list[Order004]
    pagination: Pagination


# --- endpoints ---------------------------------------------------------------------------------------------

def view_settings() -> order_views.ViewSettings:
    return order_views.ViewSettings(now=utcnow(), zone=shop_zone(), delivery_tax_rate=current_rules().vat_rate)


@bp.get("/customer/my-orders")
@customer_required
@spec.validate(query=PageQuery, resp=Response(HTTP_200=Envelope[MyOrders], HTTP_422=ErrorEnvelope, **ERRORS),
               tags=TAGS, security={"bearer": []})
def my_orders():
    """The caller's orders, newest first, 15 a page (seed 001)."""
    rows, pagination = queries.my_orders_page(g.api_customer, page=request.context.query.page, per_page=PER_PAGE)
    settings = view_settings()
    return ok({"orders": [order_views.my_order(r, parcels=queries.parcel_summary(r), settings=settings)
                          for r in rows],
               "pagination": pagination})


@bp.get("/customer/order-tracking/<int:order_id>")
@customer_required
@spec.validate(resp=Response(HTTP_200=Envelope[TrackingOut], **ERRORS), tags=TAGS, security={"bearer": []})
def order_tracking(order_id: DbId):
    """Where the order is: placed, packed, shipped and delivered dates, courier and tracking, shipment events."""
    order = queries.customer_order_or_404(order_id, g.api_customer)
    parcels = queries.parcels_by_order([order.id], with_events=True)[order.id]
    return ok({"order": [order_views.order_tracking(order, parcels, view_settings())]})


@bp.get("/customer/order-summery/<int:order_id>")
@bp.get("/customer/order-summary/<int:order_id>", endpoint="order_summary_alias")
@customer_required
@spec.validate(query=SummaryQuery, resp=Response(HTTP_200=Envelope[SummaryOut], HTTP_422=ErrorEnvelope, **ERRORS),
               tags=TAGS, security={"bearer": []})
def order_summary(order_id: DbId):
    """Money of the order: sub total, discount, delivery charge, VAT per rate (split_tax), total, and its lines.
    `order-summery` is seed 001's spelling; `order-summary` is the same endpoint."""
    order = queries.customer_order_or_404(order_id, g.api_customer)
    summary = order_views.order_summary(order, view_settings(), lang_code=request.context.query.lang_code)
    return ok({"order": [summary]})


@bp.get("/customer/e-bill/<int:order_id>")
@customer_required
@spec.validate(resp=Response(HTTP_200=EbillOut, HTTP_409=ErrorEnvelope, **ERRORS), tags=TAGS, security={"bearer": []})
def ebill_link(order_id: DbId):
    """The tax invoice of the order as a PDF: renders it (once per order version) and answers a signed link that
    opens in a browser without the bearer token and expires after EBILL_LINK_TTL_SECONDS. 409 before an invoice
    number is issued."""
    order = queries.customer_order_or_404(order_id, g.api_customer)
    ebill.ebill_file(order)
    url = url_for("ebills.public_pdf", token=ebill.ebill_token(order), _external=True)
    expires = utcnow() + timedelta(seconds=current_app.config["EBILL_LINK_TTL_SECONDS"])
    link = {"pdf_url": url, "expires_at": timestamp(expires), "bill_no": order.invoice_number}
    return ok(link, message="E-bill has been generated", pdf_url=url)


@bp.get("/customer/orders")
@customer_required
@spec.validate(query=PageQuery, resp=Response(HTTP_200=Envelope[Orders004], HTTP_422=ErrorEnvelope, **ERRORS),
               tags=TAGS, security={"bearer": []})
def orders_004():
    """The caller's orders in seed 004's shape (items, shipping address, is_fully_paid, shipment with events,
    payments newest first), newest first, 15 a page."""
    stmt = queries.customer_orders(g.api_customer).options(
        selectinload(Order.items), selectinload(Order.payments), selectinload(Order.events))
    orders, pagination = queries.page(stmt, page=request.context.query.page, per_page=PER_PAGE)
    parcels = queries.parcels_by_order([o.id for o in orders], with_events=True)
    return ok({"orders": [order_004(o, parcels[o.id]) for o in orders], "pagination": pagination})


@bp.get("/customer/orders/<int:order_id>")
@customer_required
@spec.validate(resp=Response(HTTP_200=Envelope[Order004], **ERRORS), tags=TAGS, security={"bearer": []})
def order_004_detail(order_id: DbId):
    """One of the caller's orders in seed 004's shape."""
    order = queries.customer_order_or_404(order_id, g.api_customer)
    return ok(order_004(order, queries.parcels_by_order([order.id], with_events=True)[order.id]))
