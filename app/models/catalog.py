"""Products and their variants (the sellable SKUs)."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import MONEY, JSONType, created_ts, money


class Product(db.Model):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    brand: Mapped[str | None] = mapped_column(sa.String(120))
    category: Mapped[str | None] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    tax_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("15.00"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_ts]
    variants: Mapped[list[ProductVariant]] = relationship(back_populates="product", order_by="ProductVariant.id")


class ProductVariant(db.Model):
    __tablename__ = "product_variants"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(sa.String(64), unique=True)
    barcode: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    # [{"attribute": "Size", "value": "SMALL", "code": null}, ...] (seed 001's variations)
    attributes: Mapped[list] = mapped_column(JSONType, default=list)
    mrp: Mapped[Decimal | None] = mapped_column(MONEY)  # list price
    price: Mapped[money]
    stock: Mapped[int] = mapped_column(default=0)
    product: Mapped[Product] = relationship(back_populates="variants")
