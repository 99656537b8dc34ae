"""Money going back: refunds (S1–S5), the wallet ledger, vouchers and return requests.

Refund state changes are written to the order's timeline (OrderEvent type REFUND with the refund id in
``data``), since every refund belongs to exactly one order.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.labels import Labelled
from app.models.types import MONEY, UTCDateTime, created_ts, money, str_enum, updated_ts
from app.refunds.status import RefundDestination, RefundScenario, RefundStatus


class Refund(db.Model):
    __tablename__ = "refunds"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)  # REF-2026-000007
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    scenario: Mapped[RefundScenario] = mapped_column(str_enum(RefundScenario, 4))
    destination: Mapped[RefundDestination] = mapped_column(str_enum(RefundDestination, 16))
    status: Mapped[RefundStatus] = mapped_column(str_enum(RefundStatus, 16), default=RefundStatus.REQUESTED)
    items_amount: Mapped[money]
    delivery_fee_amount: Mapped[money]
    total: Mapped[money]
    currency: Mapped[str] = mapped_column(sa.String(3))
    reason: Mapped[str] = mapped_column(sa.Text)
    # A client-chosen key: the same key twice never moves money twice.
    idempotency_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    cancels_order: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_ts]
    updated_at: Mapped[updated_ts]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    order = relationship("Order")
    items: Mapped[list[RefundItem]] = relationship(back_populates="refund", order_by="RefundItem.id")


class RefundItem(db.Model):
    __tablename__ = "refund_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(sa.ForeignKey("refunds.id", ondelete="CASCADE"), index=True)
    order_item_id: Mapped[int] = mapped_column(sa.ForeignKey("order_items.id"), index=True)
    quantity: Mapped[int]
    amount: Mapped[money]
    refund: Mapped[Refund] = relationship(back_populates="items")
    order_item = relationship("OrderItem")


class WalletEntryKind(enum.StrEnum):
    CREDIT = "CREDIT"
    DEBIT = "DEBIT"


class WalletEntry(db.Model):
    """Append-only ledger; a customer's balance is the sum of their entries (credits +, debits −)."""

    __tablename__ = "wallet_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    kind: Mapped[WalletEntryKind] = mapped_column(str_enum(WalletEntryKind, 8))
    amount: Mapped[Decimal] = mapped_column(MONEY)  # signed: credits positive, debits negative
    currency: Mapped[str] = mapped_column(sa.String(3))
    description: Mapped[str] = mapped_column(sa.String(255))
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"), unique=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    created_at: Mapped[created_ts]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))


class Voucher(db.Model):
    __tablename__ = "vouchers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    amount: Mapped[money]
    balance: Mapped[money]
    currency: Mapped[str] = mapped_column(sa.String(3))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"), unique=True)
    created_at: Mapped[created_ts]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))


class ReturnStatus(Labelled):
    REQUESTED = "REQUESTED"  # the customer asked
    APPROVED = "APPROVED"  # the store agreed; items on their way back
    REJECTED = "REJECTED"  # the store declined
    RECEIVED = "RECEIVED"  # items back at the store
    REFUNDED = "REFUNDED"  # money returned


class ReturnRequest(db.Model):
    __tablename__ = "return_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ReturnStatus] = mapped_column(str_enum(ReturnStatus, 16), default=ReturnStatus.REQUESTED)
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"))
    created_at: Mapped[created_ts]
    updated_at: Mapped[updated_ts]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    items: Mapped[list[ReturnItem]] = relationship(back_populates="return_request")


class ReturnItem(db.Model):
    __tablename__ = "return_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    return_request_id: Mapped[int] = mapped_column(sa.ForeignKey("return_requests.id", ondelete="CASCADE"), index=True)
    order_item_id: Mapped[int] = mapped_column(sa.ForeignKey("order_items.id"))
    quantity: Mapped[int]
    return_request: Mapped[ReturnRequest] = relationship(back_populates="items")
    order_item = relationship("OrderItem")
