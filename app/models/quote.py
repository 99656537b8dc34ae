"""Quotes: formal price proposals that may become orders."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.order import ActorType
from app.models.types import MONEY, EventColumns, JSONType, UTCDateTime, created_ts, money, str_enum, updated_ts
from app.quotes.status import QuoteStatus


class Quote(db.Model):
    __tablename__ = "quotes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)  # QUO-2026-000012
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    # A prospect who has no account yet.
    prospect_name: Mapped[str | None] = mapped_column(sa.String(160))
    prospect_email: Mapped[str | None] = mapped_column(sa.String(254))
    prospect_phone: Mapped[str | None] = mapped_column(sa.String(40))
    prospect_company: Mapped[str | None] = mapped_column(sa.String(160))
    shipping_address: Mapped[dict | None] = mapped_column(JSONType)
    billing_address: Mapped[dict | None] = mapped_column(JSONType)
    currency: Mapped[str] = mapped_column(sa.String(3), default="ZAR")
    subtotal: Mapped[money]
    discount_total: Mapped[money]
    tax_total: Mapped[money]
    delivery_fee: Mapped[money]
    total: Mapped[money]
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_subscription: Mapped[bool] = mapped_column(default=False)
    status: Mapped[QuoteStatus] = mapped_column(str_enum(QuoteStatus), default=QuoteStatus.DRAFT, index=True)
    public_token: Mapped[str] = mapped_column(sa.String(64), unique=True)  # the customer's link
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"))  # the order it became
    notes: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[created_ts]
    updated_at: Mapped[updated_ts]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    lines: Mapped[list[QuoteLine]] = relationship(back_populates="quote", order_by="QuoteLine.id")
    events: Mapped[list[QuoteEvent]] = relationship(back_populates="quote", order_by="QuoteEvent.id.desc()")


class QuoteLine(db.Model):
    __tablename__ = "quote_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("product_variants.id"))
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(255))
    variation: Mapped[list] = mapped_column(JSONType, default=list)
    quantity: Mapped[int]
    unit_price: Mapped[money]
    tax_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("0.00"))
    discount: Mapped[money]
    line_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    quote: Mapped[Quote] = relationship(back_populates="lines")


class QuoteEvent(EventColumns, db.Model):
    __tablename__ = "quote_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    actor_type: Mapped[ActorType] = mapped_column(str_enum(ActorType, 16))
    quote: Mapped[Quote] = relationship(back_populates="events")
