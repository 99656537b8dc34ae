"""A customer's own orders: every customer endpoint reads through these, so another customer's order is simply
not found (404, exactly like an id that does not exist)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.models import Customer, Order, ReturnItem, ReturnRequest


def customer_orders(customer: Customer) -> sa.Select:
    """The customer's orders, newest first."""
    return sa.select(Order).where(Order.customer_id == customer.id).order_by(Order.created_at.desc(), Order.id.desc())


def customer_order_or_404(order_id: int, customer: Customer, *, for_update: bool = False) -> Order:
    return _first_or_404(sa.select(Order).where(Order.id == order_id, Order.customer_id == customer.id), Order,
                         for_update=for_update)


def _first_or_404(stmt: sa.Select, model, *, for_update: bool):
    if for_update:
        stmt = stmt.with_for_update(of=model)
    row = db.session.scalars(stmt).first()
    if row is None:
        raise NotFound()
    return row


def page(stmt: sa.Select, *, page: int, per_page: int) -> tuple[list[Order], dict]:
    """One page of ``stmt`` and seed 001's pagination block."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return rows, {"total": total, "count": len(rows), "limit": per_page, "current_page": page,
                  "total_pages": max(1, -(-total // per_page))}


def customer_or_404(customer_id: int, *, for_update: bool = False) -> Customer:
    """A customer account by id (staff pages; the caller checks the staff member's rights)."""
    return _first_or_404(sa.select(Customer).where(Customer.id == customer_id), Customer, for_update=for_update)


def order_count(customer: Customer) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Order.customer_id == customer.id)) or 0


def return_requests_for(order: Order) -> list:
    """The order's return requests, newest first, with their items (the order page shows them)."""
    stmt = (sa.select(ReturnRequest).where(ReturnRequest.order_id == order.id)
            .options(selectinload(ReturnRequest.items).selectinload(ReturnItem.order_item))
            .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc()))
    return list(db.session.scalars(stmt))
