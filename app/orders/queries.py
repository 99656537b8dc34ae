"""Order queries shared by the list, the detail page, the exports and the API.

Everything returns SQLAlchemy ``Select`` objects so callers can page, count or stream them. Branch
scoping is applied here, in SQL: a staff member never receives a row of another branch.
"""
from __future__ import annotations

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.models import Branch, Order
from app.orders.filters import OrderFilter

COUNT_CAP = 10_000

SORT_COLUMNS = {
    "placed": Order.created_at,
    "modified": Order.updated_at,
    "total": Order.total,
    "code": Order.code,
    "customer": Order.customer_name,
}


def scope_to_user(stmt: sa.Select, user) -> sa.Select:
    """Limit ``stmt`` (which selects from orders) to the branches ``user`` works in."""
    if user.sees_all_branches:
        return stmt
    return stmt.where(Order.branch_id.in_(user.branch_ids or [-1]))


def scoped_orders(user) -> sa.Select:
    return scope_to_user(sa.select(Order), user)


def get_order_or_404(order_id: int, user, *, for_update: bool = False) -> Order:
    stmt = scoped_orders(user).where(Order.id == order_id)
    if for_update:
        stmt = stmt.with_for_update(of=Order)
    order = db.session.scalars(stmt).first()
    if order is None:
        raise NotFound()
    return order


def search_condition(q: str):
    """Order code, external reference, customer name, email or phone; substring, case-insensitive."""
    pattern = f"%{_escape_like(q.lower())}%"
    cols = (Order.code, Order.external_reference, Order.customer_name, Order.customer_email, Order.customer_phone)
    return sa.or_(*(sa.func.lower(c).like(pattern, escape="\\") for c in cols))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply_filter(stmt: sa.Select, f: OrderFilter) -> sa.Select:
    """Narrow ``stmt`` by every parameter of ``f`` (sorting and paging are separate)."""
    if f.q:
        stmt = stmt.where(search_condition(f.q))
    if f.status:
        stmt = stmt.where(Order.status.in_(f.status))
    if f.payment_status:
        stmt = stmt.where(Order.payment_status.in_(f.payment_status))
    if f.method:
        stmt = stmt.where(Order.fulfilment_method == f.method)
    if f.delivery:
        stmt = stmt.where(Order.delivery_method == f.delivery)
    if f.channel:
        stmt = stmt.where(Order.channel.in_(f.channel))
    if f.branch:
        stmt = stmt.where(Order.branch_id.in_(f.branch))
    if f.branch_group is not None:
        stmt = stmt.where(Order.branch_id.in_(sa.select(Branch.id).where(Branch.group_id == f.branch_group)))
    if f.customer is not None:
        stmt = stmt.where(Order.customer_id == f.customer)
    if f.currency:
        stmt = stmt.where(Order.currency == f.currency)
    if f.gift_box is not None:
        stmt = stmt.where(Order.has_gift_box.is_(f.gift_box))
    created = _range(Order.created_at, f.created_from, f.created_to)
    modified = _range(Order.updated_at, f.modified_from, f.modified_to)
    if created is not None and modified is not None:
        stmt = stmt.where(sa.or_(created, modified))  # seed 000: either range matches
    elif created is not None or modified is not None:
        stmt = stmt.where(created if created is not None else modified)
    if f.total_min is not None:
        stmt = stmt.where(Order.total >= f.total_min)
    if f.total_max is not None:
        stmt = stmt.where(Order.total <= f.total_max)
    return stmt


def _range(col, start, end):
    parts = []
    if start is not None:
        parts.append(col >= start)
    if end is not None:
        parts.append(col <= end)
    return sa.and_(*parts) if parts else None


def order_by(stmt: sa.Select, f: OrderFilter) -> sa.Select:
    col = SORT_COLUMNS[f.sort]
    if f.direction == "asc":
        return stmt.order_by(col.asc(), Order.id.asc())
    return stmt.order_by(col.desc(), Order.id.desc())


def filtered_orders(user, f: OrderFilter) -> sa.Select:
    """Scoped, filtered and sorted; page it with ``page_of``."""
    return order_by(apply_filter(scoped_orders(user), f), f)


def page_of(stmt: sa.Select, f: OrderFilter) -> list[Order]:
    return list(db.session.scalars(stmt.limit(f.per_page).offset((f.page - 1) * f.per_page)))


def count_capped(stmt: sa.Select, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Exact count up to ``cap``; beyond it ``(cap, True)`` so the page can say "10,000+"."""
    inner = stmt.order_by(None).with_only_columns(sa.literal(1)).limit(cap + 1).subquery()
    n = db.session.scalar(sa.select(sa.func.count()).select_from(inner))
    return (cap, True) if n > cap else (n, False)


def parcels_for(order: Order) -> list:
    """Parcels that carry any item of ``order`` (a parcel may also carry other orders' items)."""
    from app.models import Parcel, ParcelItem

    stmt = (sa.select(Parcel).where(Parcel.id.in_(sa.select(ParcelItem.parcel_id).where(ParcelItem.order_id == order.id)))
            .order_by(Parcel.id))
    return list(db.session.scalars(stmt))
