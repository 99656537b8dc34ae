"""Customers (the shop app's accounts), their address book and their baskets."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.types import JSONType, UTCDateTime, created_ts, updated_ts


class Customer(db.Model):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    api_token_version: Mapped[int] = mapped_column(default=0)
    # API access as the admin's customer page shows it: the latest token issued, the latest revocation and by whom.
    api_last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    api_tokens_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    api_tokens_revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    created_at: Mapped[created_ts]
    addresses: Mapped[list[CustomerAddress]] = relationship(back_populates="customer", order_by="CustomerAddress.id")
    api_tokens_revoked_by = relationship("StaffUser")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class CustomerAddress(db.Model):
    """An address-book entry (seed 002's fields). Orders copy it; editing it never changes an order."""

    __tablename__ = "customer_addresses"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    line1: Mapped[str] = mapped_column(sa.String(255))
    line2: Mapped[str | None] = mapped_column(sa.String(255))
    city: Mapped[str] = mapped_column(sa.String(120))
    district: Mapped[str | None] = mapped_column(sa.String(120))
    postcode: Mapped[str | None] = mapped_column(sa.String(20))
    country: Mapped[str] = mapped_column(sa.String(2), default="ZA")
    company_name: Mapped[str | None] = mapped_column(sa.String(160))
    tax_office: Mapped[str | None] = mapped_column(sa.String(120))
    tax_number: Mapped[str | None] = mapped_column(sa.String(40))
    identity_number: Mapped[str | None] = mapped_column(sa.String(40))
    e_bill_taxpayer: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    customer: Mapped[Customer] = relationship(back_populates="addresses")

    SNAPSHOT_FIELDS = (
        "first_name", "last_name", "phone", "email", "line1", "line2", "city", "district", "postcode",
        "country", "company_name", "tax_office", "tax_number", "identity_number", "e_bill_taxpayer",
    )

    def snapshot(self) -> dict:
        """The copy stored on an order."""
        return {f: getattr(self, f) for f in self.SNAPSHOT_FIELDS}


class Basket(db.Model):
    """A customer's basket (app/customers/basket.py). One OPEN basket per customer; checkout turns it into an
    order, marks it CHECKED-OUT and points it at that order, so the same checkout again finds the same order."""

    __tablename__ = "baskets"
    __table_args__ = (
        sa.Index("uq_baskets_open_customer_id", "customer_id", unique=True,
                 sqlite_where=sa.text("status = 'OPEN'"), postgresql_where=sa.text("status = 'OPEN'")),
        sa.UniqueConstraint("customer_id", "checkout_key", name="uq_baskets_customer_id_checkout_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    # HMAC of the basket's lines, so a checkout can prove the basket was not altered.
    signature: Mapped[str | None] = mapped_column(sa.String(128))
    status: Mapped[str] = mapped_column(sa.String(16), default="OPEN")  # OPEN | CHECKED-OUT | ABANDONED
    items: Mapped[list] = mapped_column(JSONType, default=list)  # [{"variant_id": 1, "quantity": 2}]
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    # The checkout that used the basket: its Idempotency-Key (if sent) and a hash of its request body.
    checkout_key: Mapped[str | None] = mapped_column(sa.String(128))
    checkout_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    order = relationship("Order")
    created_at: Mapped[created_ts]
    updated_at: Mapped[updated_ts]
