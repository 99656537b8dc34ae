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
from app.orders.search import search_condition

COUNT_CAP = 10_000
MANY = 2_000  # up to this many matches, a page is sorted from the matching ids; beyond, read in sort order

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
    return stmt.where(Order.branch_id.in_(scope_of(user)))


def scoped_orders(user) -> sa.Select:
    return scope_to_user(sa.select(Order), user)


def scope_of(user) -> list[int] | None:
    """The branches ``scope_to_user`` limits ``user`` to; None for every branch."""
    return None if user.sees_all_branches else (user.branch_ids or [-1])


def get_order_or_404(order_id: int, user, *, for_update: bool = False) -> Order:
    return first_or_404(scoped_orders(user).where(Order.id == order_id), Order, for_update=for_update)


def first_or_404(stmt: sa.Select, model, *, for_update: bool = False):
    """The first row of ``stmt`` (a scoped select: what is out of scope is simply not found), or 404;
    ``for_update`` locks it (``FOR UPDATE OF`` the model's table on PostgreSQL) until the transaction ends."""
    if for_update:
        stmt = stmt.with_for_update(of=model)
    row = db.session.scalars(stmt).first()
    if row is None:
        raise NotFound()
    return row


def apply_filter(stmt: sa.Select, f: OrderFilter, *, many: bool = False, scope: list[int] | None = None) -> sa.Select:
    """Narrow ``stmt`` by every parameter of ``f`` (sorting and paging are separate). ``many``: the filter is
    known to match many orders, a hint for SQLite's plan (never changes the rows). ``scope``: the branches
    ``stmt`` is already limited to (None: every branch), so the search reads only their matches."""
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
        stmt = stmt.where(_unselective(Order.total >= f.total_min))
    if f.total_max is not None:
        stmt = stmt.where(_unselective(Order.total <= f.total_max))
    if f.q:  # last: an exact code, email or phone lookup is tried among the orders the rest selects
        branches = f.branch or None
        if scope is not None:
            branches = [b for b in (branches or scope) if b in scope]
        stmt = stmt.where(search_condition(f.q, many=many, within=stmt, branches=branches))
    return stmt


def _unselective(condition):
    """SQLite (built without STAT4) guesses that a range keeps 1/64 of the rows and then drives the query by
    the total index even when the range holds half the table (a capped count took 1.5 s on a million orders).
    likelihood() tells it a total bound is no better than a coin toss, so the status/branch indexes drive
    instead. PostgreSQL estimates from its histograms."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.likelihood(condition, sa.literal_column("0.5"))
    return condition


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


def filtered_orders(user, f: OrderFilter, *, many: bool = False) -> sa.Select:
    """Scoped, filtered and sorted; ``listing.run`` counts it (capped) and pages it with ``page_of``."""
    return order_by(apply_filter(scoped_orders(user), f, many=many, scope=scope_of(user)), f)


def page_of(stmt: sa.Select, f: OrderFilter, *, among: list[int] | None = None) -> list[Order]:
    """One page of ``stmt`` (scoped, filtered, sorted).

    Fetched as a deferred join: the inner query pages over ids only, which an index answers without
    touching the table (page 500 stays fast); the outer one loads just those rows. ``among``: every
    matching id, when already known (a small set), so the page is sorted from those alone."""
    if among is not None:
        outer = sa.select(Order).where(Order.id.in_(among))
        return list(db.session.scalars(order_by(outer, f).limit(f.per_page).offset((f.page - 1) * f.per_page)))
    ids = stmt.with_only_columns(Order.id).limit(f.per_page).offset((f.page - 1) * f.per_page)
    return list(db.session.scalars(order_by(sa.select(Order).where(Order.id.in_(ids)), f)))


def matching_ids(stmt: sa.Select, limit: int) -> list[int]:
    """Up to ``limit`` ids of ``stmt``, in no particular order (the plan of a count)."""
    return list(db.session.scalars(stmt.order_by(None).with_only_columns(Order.id).limit(limit)))


def parcels_for(order: Order) -> list:
    """Parcels that carry any item of ``order`` (a parcel may also carry other orders' items)."""
    from app.models import Parcel, ParcelItem

    stmt = (sa.select(Parcel).where(Parcel.id.in_(sa.select(ParcelItem.parcel_id).where(ParcelItem.order_id == order.id)))
            .order_by(Parcel.id))
    return list(db.session.scalars(stmt))
