"""The SELECTs behind an export, built on the order list's own query (``filtered_orders``): the same filter
vocabulary, the same branch scope, the same sort. Nothing here re-implements filtering."""
from __future__ import annotations

import sqlalchemy as sa

from app.models import Branch, Order, OrderItem
from app.orders.filters import OrderFilter
from app.orders.queries import filtered_orders
from app.reports.columns import Column


def _base(user, f: OrderFilter, shape: str, exprs) -> sa.Select:
    stmt = filtered_orders(user, f).with_only_columns(*exprs, maintain_column_froms=False)
    joined = sa.join(Order, Branch, Order.branch_id == Branch.id)
    if shape == "lines":
        joined = joined.join(OrderItem, OrderItem.order_id == Order.id)
        stmt = stmt.select_from(joined).order_by(OrderItem.id)  # after the list's own sort
    else:
        stmt = stmt.select_from(joined)
    return stmt


def export_select(user, f: OrderFilter, shape: str, columns: list[Column], *, dialect: str,
                  as_text: bool) -> sa.Select:
    """The rows of the file, in the list's order. ``as_text``: formatted by the database (CSV)."""
    exprs = [(c.as_text(dialect) if as_text else c.typed(dialect)).label(f"c{i}") for i, c in enumerate(columns)]
    return _base(user, f, shape, exprs)


def count_select(user, f: OrderFilter, shape: str) -> sa.Select:
    inner = _base(user, f, shape, [Order.id]).order_by(None).subquery()
    return sa.select(sa.func.count()).select_from(inner)


def totals_select(user, f: OrderFilter, shape: str, by: str) -> sa.Select:
    """(key, currency, rows, quantity, amount) grouped by status or channel over the exported set."""
    if shape == "lines":
        status, amount, qty = OrderItem.status, OrderItem.line_total, OrderItem.quantity
    else:
        status, amount, qty = Order.status, Order.total, sa.literal(None, sa.Integer)
    key = status if by == "status" else Order.channel
    inner = _base(user, f, shape, [key.label("key"), Order.currency.label("currency"), qty.label("qty"),
                                   amount.label("amount")]).order_by(None).subquery()
    return (sa.select(inner.c.key, inner.c.currency, sa.func.count(), sa.func.sum(inner.c.qty),
                      sa.type_coerce(sa.func.sum(inner.c.amount), sa.Numeric(14, 2, asdecimal=True)))
            .group_by(inner.c.key, inner.c.currency).order_by(inner.c.key, inner.c.currency))
