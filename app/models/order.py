"""The order aggregate: Order, its items, its timeline (OrderEvent) and its payments."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.labels import Labelled, sentence_case
from app.models.types import (
    MONEY, EventColumns, JSONType, UTCDateTime, created_ts, money, phone_digits_sql, str_enum, updated_ts, utcnow,
)
from app.orders.status import DeliveryMethod, FulfilmentMethod, ItemStatus, OrderStatus, PaymentStatus


class SalesChannel(enum.StrEnum):
    INTERNAL = "INTERNAL"  # our own apps and website
    SHOPIFY = "SHOPIFY"
    TAKEALOT = "TAKEALOT"
    UBER_EATS = "UBER_EATS"
    MUNCH = "MUNCH"  # point-of-sale integration
    CUSTOM = "CUSTOM"  # any other integrated platform

    @property
    def label(self) -> str:
        return {"UBER_EATS": "Uber Eats"}.get(self.value) or sentence_case(self.value)


class ActorType(Labelled):
    STAFF = "STAFF"
    CUSTOMER = "CUSTOMER"
    CHANNEL = "CHANNEL"
    SYSTEM = "SYSTEM"


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("channel", "external_reference", name="uq_orders_channel_external_reference"),
        # The order list's filters and sorts (migration 0002; benchmarks/order_list.py). The search tables and
        # PostgreSQL-only indexes are made by the migration itself (see migrations/env.py HAND_MANAGED).
        sa.Index("ix_orders_status_created_at", "status", "created_at", "id", "total"),
        sa.Index("ix_orders_channel_created_at", "channel", "created_at", "id", "branch_id"),
        sa.Index("ix_orders_branch_id_created_at", "branch_id", "created_at", "id"),
        sa.Index("ix_orders_branch_id_status_created_at", "branch_id", "status", "created_at", "id", "total"),
        sa.Index("ix_orders_total", "total", "id"),
        sa.Index("ix_orders_customer_name", "customer_name", "id"),
        # A customer's orders newest first, and their count (the customer API's my-orders; migration 0005).
        sa.Index("ix_orders_customer_id_created_at", "customer_id", "created_at", "id"),
        # Exact searches (migration 0006): a whole phone number is an equality lookup (and a whole email address,
        # on the hand-made case-insensitive index ix_orders_customer_email_lower).
        sa.Index("ix_orders_customer_phone_digits", "customer_phone_digits"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)  # ORD-2026-000123
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    # Who bought, copied at order time (channel orders may have no customer account).
    customer_name: Mapped[str] = mapped_column(sa.String(160), default="")
    customer_email: Mapped[str | None] = mapped_column(sa.String(254))
    customer_phone: Mapped[str | None] = mapped_column(sa.String(40))
    # Its digits ("+27 82 779 0876" -> "27827790876"), computed by the database (migration 0006): the search
    # finds a phone number typed in any national or international form by equality on this column.
    customer_phone_digits: Mapped[str | None] = mapped_column(sa.String(40), sa.Computed(phone_digits_sql("customer_phone")))
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    channel: Mapped[SalesChannel] = mapped_column(str_enum(SalesChannel, 16), default=SalesChannel.INTERNAL)
    external_reference: Mapped[str | None] = mapped_column(sa.String(64))
    basket_reference: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    quote_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quotes.id", use_alter=True), index=True)
    extra_data: Mapped[dict] = mapped_column(JSONType, default=dict)
    channel_payload: Mapped[dict | None] = mapped_column(JSONType)

    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus), default=OrderStatus.ORDERED)
    payment_status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus), default=PaymentStatus.PENDING)
    fulfilment_method: Mapped[FulfilmentMethod] = mapped_column(
        str_enum(FulfilmentMethod, 16), default=FulfilmentMethod.DELIVERY
    )
    delivery_method: Mapped[DeliveryMethod] = mapped_column(str_enum(DeliveryMethod, 16), default=DeliveryMethod.STANDARD)
    is_supplier_order: Mapped[bool] = mapped_column(default=False)
    has_gift_box: Mapped[bool] = mapped_column(default=False)
    gift_box_note: Mapped[str | None] = mapped_column(sa.String(500))
    language_code: Mapped[str] = mapped_column(sa.String(8), default="en")
    notes: Mapped[str | None] = mapped_column(sa.Text)  # the customer's note at checkout

    currency: Mapped[str] = mapped_column(sa.String(3), default="ZAR")  # ISO 4217
    subtotal: Mapped[money]
    discount_total: Mapped[money]
    tax_total: Mapped[money]
    delivery_fee: Mapped[money]
    total: Mapped[money]
    refunded_total: Mapped[money]

    shipping_address: Mapped[dict | None] = mapped_column(JSONType)  # copied from the address book
    billing_address: Mapped[dict | None] = mapped_column(JSONType)
    invoice_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    invoice_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expected_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[created_ts] = mapped_column(index=True)
    updated_at: Mapped[updated_ts] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    customer = relationship("Customer")
    branch = relationship("Branch", lazy="joined", innerjoin=True)
    items: Mapped[list[OrderItem]] = relationship(back_populates="order", order_by="OrderItem.id")
    events: Mapped[list[OrderEvent]] = relationship(back_populates="order", order_by="OrderEvent.id.desc()")
    payments: Mapped[list[Payment]] = relationship(back_populates="order", order_by="Payment.id.desc()")

    @property
    def paid_total(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.status == PaymentState.COMPLETED), Decimal("0.00"))

    @property
    def holds_money(self) -> bool:
        """Completed payments not (fully) refunded: cancelling must give them back (a refund), not a status
        change."""
        return self.paid_total > self.refunded_total

    @property
    def net_paid(self) -> Decimal:
        """What the shop keeps: completed payments less what was refunded."""
        return self.paid_total - self.refunded_total

    @property
    def is_fully_paid(self) -> bool:
        """Derived from completed payments (seed 004), never stored by hand."""
        return self.paid_total >= self.total

    def __repr__(self) -> str:
        return f"<Order {self.code} {self.status}>"


class OrderItem(db.Model):
    __tablename__ = "order_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id"))
    variant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("product_variants.id"), index=True)
    # Copied at order time: later catalogue edits never change a placed order.
    sku: Mapped[str] = mapped_column(sa.String(64), index=True)
    barcode: Mapped[str | None] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(255))
    variation: Mapped[list] = mapped_column(JSONType, default=list)
    quantity: Mapped[int]
    mrp: Mapped[Decimal | None] = mapped_column(MONEY)  # list price
    unit_price: Mapped[money]
    tax_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("0.00"))
    discount: Mapped[money]
    tax_amount: Mapped[money]
    line_total: Mapped[money]
    status: Mapped[ItemStatus] = mapped_column(str_enum(ItemStatus), default=ItemStatus.ACTIVE)
    refunded_quantity: Mapped[int] = mapped_column(default=0)
    order: Mapped[Order] = relationship(back_populates="items")

    @property
    def variation_text(self) -> str:
        return ", ".join(f"{v.get('attribute')}: {v.get('value')}" for v in self.variation or [])


class OrderEventType(Labelled):
    PLACED = "PLACED"
    IMPORTED = "IMPORTED"  # pushed in by a sales channel
    STATUS_CHANGED = "STATUS_CHANGED"
    NOTE_ADDED = "NOTE_ADDED"  # internal, staff-only
    PAYMENT = "PAYMENT"
    PARCEL = "PARCEL"
    REFUND = "REFUND"
    RETURN = "RETURN"
    EMAIL_SENT = "EMAIL_SENT"
    EXPORTED = "EXPORTED"
    ITEM_CHANGED = "ITEM_CHANGED"


class OrderEvent(EventColumns, db.Model):
    """The order's timeline and audit trail at once."""

    __tablename__ = "order_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    type: Mapped[OrderEventType] = mapped_column(str_enum(OrderEventType, 24))
    actor_type: Mapped[ActorType] = mapped_column(str_enum(ActorType, 16))
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    order: Mapped[Order] = relationship(back_populates="events")


class PaymentProvider(enum.StrEnum):
    CARD = "CARD"
    COD = "COD"  # cash on delivery
    WALLET = "WALLET"
    VOUCHER = "VOUCHER"
    EFT = "EFT"
    CHANNEL = "CHANNEL"  # collected by the sales channel (Takealot, Uber Eats ...)

    @property
    def label(self) -> str:
        return {"COD": "Cash on delivery", "EFT": "EFT"}.get(self.value) or sentence_case(self.value)


class PaymentState(Labelled):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    COMPLETED = "completed"
    FAILED = "failed"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # the payment window closed unpaid
    DISPUTED = "disputed"  # a chargeback was opened on a completed payment


class Payment(db.Model):
    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    provider: Mapped[PaymentProvider] = mapped_column(str_enum(PaymentProvider, 16))
    reference: Mapped[str | None] = mapped_column(sa.String(120))  # the provider's transaction id
    status: Mapped[PaymentState] = mapped_column(str_enum(PaymentState, 16), default=PaymentState.PENDING)
    amount: Mapped[money]
    currency: Mapped[str] = mapped_column(sa.String(3))
    created_at: Mapped[created_ts]
    updated_at: Mapped[updated_ts]
    order: Mapped[Order] = relationship(back_populates="payments")


class InvoiceSequence(db.Model):
    """The last invoice number issued per branch and year (app/orders/invoices.py). The row is updated in the
    order's own transaction, so numbers have no gaps and two checkouts never get the same one."""

    __tablename__ = "invoice_sequences"
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
