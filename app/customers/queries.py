"""A customer's own orders: every customer endpoint reads through these, so another customer's order is simply
not found (404, exactly like an id that does not exist)."""
from __future__ import annotations

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.models import Customer, Order


def customer_orders(customer: Customer) -> sa.Select:
    """The customer's orders, newest first."""
    return sa.select(Order).where(Order.customer_id == customer.id).order_by(Order.created_at.desc(), Order.id.desc())


def customer_order_or_404(order_id: int, customer: Customer, *, for_update: bool = False) -> Order:
    stmt = sa.select(Order).where(Order.id == order_id, Order.customer_id == customer.id)
    if for_update:
        stmt = stmt.with_for_update(of=Order)
    order = db.session.scalars(stmt).first()
    if order is None:
        raise NotFound()
    return order


def page(stmt: sa.Select, *, page: int, per_page: int) -> tuple[list[Order], dict]:
    """One page of ``stmt`` and seed 001's pagination block."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return rows, {"total": total, "count": len(rows), "limit": per_page, "current_page": page,
                  "total_pages": max(1, -(-total // per_page))}
