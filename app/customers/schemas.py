"""Response schemas of the customer endpoints that several modules share (seed 004's order shape)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from app.api.schemas import Money, Timestamp


class OrderItem004(BaseModel):
    id: int
    product: int | None
    variant: int | None
    sku: str
    product_name: str
    variant_description: str
    barcode: str
    quantity: int
    unit_price: Money
    line_total: Money
    status: str


class ShipmentEvent(BaseModel):
    id: str
    status: str
    message: str
    location: str
    occurred_at: Timestamp


class Shipment(BaseModel):
    id: int | None
    status: str
    carrier: str
    tracking_number: str
    tracking_url: str
    estimated_delivery_at: Timestamp | None
    delivered_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    events: list[ShipmentEvent]


class Payment004(BaseModel):
    id: int
    provider: str
    status: str
    amount: Money
    currency: str
    reference: str
    created_at: Timestamp
    updated_at: Timestamp


class Order004(BaseModel):
    id: int
    code: str
    user: int | None
    status: str
    order_status: str
    payment_status: str
    fulfilment_method: str
    delivery_method: str
    branch_id: int
    bill_no: str | None
    shipping_address: dict[str, Any] | None
    subtotal: Money
    discount: Money
    shipping_fee: Money
    tax: Money
    total: Money
    currency: str
    is_fully_paid: bool
    notes: str
    created_at: Timestamp
    updated_at: Timestamp
    items: list[OrderItem004]
    shipment: Shipment | None
    payments: list[Payment004]
