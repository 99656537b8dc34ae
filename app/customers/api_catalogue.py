"""Catalogue for the customer app: products with their variants (name, SKU or barcode search) and branches."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from spectree import Response
from sqlalchemy.orm import selectinload

from app.api import bp, spec
from app.api.auth import customer_required
from app.api.envelope import ok
from app.api.schemas import Envelope, ErrorEnvelope, Money, Pagination, Strict, money
from app.customers.queries import page
from app.extensions import db
from app.models import Branch, Product, ProductVariant

ERRORS = {"HTTP_401": ErrorEnvelope, "HTTP_403": ErrorEnvelope}
PER_PAGE = 20


class ProductQuery(Strict):
    q: str | None = Field(None, max_length=100, description="Part of a product name, a SKU or a barcode")
    page: int = Field(1, ge=1, le=100_000)


class VariantOut(BaseModel):
    id: int
    sku: str
    barcode: str | None
    name: str
    attributes: list[dict[str, Any]]
    price: Money
    mrp: Money | None
    stock: int
    available: bool


class ProductOut(BaseModel):
    id: int
    name: str
    brand: str | None
    category: str | None
    tax_rate: str
    variants: list[VariantOut]


class ProductListOut(BaseModel):
    products: list[ProductOut]
    pagination: Pagination


class BranchOut(BaseModel):
    id: int
    code: str
    name: str
    delivers: bool
    offers_collection: bool


@bp.get("/products")
@customer_required
@spec.validate(query=ProductQuery, resp=Response(HTTP_200=Envelope[ProductListOut], HTTP_422=ErrorEnvelope, **ERRORS),
               tags=["catalogue"], security={"bearer": []})
def products(query: ProductQuery):
    """Products on sale with their variants, by name; `q` matches a name, a SKU or a barcode."""
    stmt = sa.select(Product).where(Product.is_active.is_(True)).order_by(Product.name, Product.id)
    if query.q:
        like = "%" + query.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        by_variant = sa.select(ProductVariant.product_id).where(sa.or_(
            sa.func.lower(ProductVariant.sku).like(like, escape="\\"),
            sa.func.lower(ProductVariant.name).like(like, escape="\\"),
            ProductVariant.barcode.like(like, escape="\\")))
        stmt = stmt.where(sa.or_(sa.func.lower(Product.name).like(like, escape="\\"), Product.id.in_(by_variant)))
    rows, pagination = page(stmt.options(selectinload(Product.variants)), page=query.page, per_page=PER_PAGE)
    return ok({"products": [_product(p) for p in rows], "pagination": pagination})


@bp.get("/branches")
@customer_required
@spec.validate(resp=Response(HTTP_200=Envelope[list[BranchOut]], **ERRORS), tags=["catalogue"],
               security={"bearer": []})
def branches():
    """Branches a customer can order from: whether they deliver and whether they offer collection."""
    rows = db.session.scalars(sa.select(Branch).where(Branch.is_active.is_(True)).order_by(Branch.name))
    return ok([{"id": b.id, "code": b.code, "name": b.name, "delivers": b.delivers,
                "offers_collection": b.offers_collection} for b in rows])


def _product(product: Product) -> dict:
    return {
        "id": product.id, "name": product.name, "brand": product.brand, "category": product.category,
        "tax_rate": f"{product.tax_rate:.2f}",
        "variants": [{
            "id": v.id, "sku": v.sku, "barcode": v.barcode, "name": v.name, "attributes": v.attributes or [],
            "price": money(v.price), "mrp": money(v.mrp) if v.mrp is not None else None, "stock": v.stock,
            "available": v.stock > 0,
        } for v in product.variants],
    }
