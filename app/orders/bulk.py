"""Bulk verbs on the rows ticked in the order list.

Each order goes through the same action as on its own page, inside its own SAVEPOINT: an order is either
changed completely (status, payments, event) or not at all, and one refusal never undoes the others. Orders
outside the user's branches are never loaded, so they count as "not found". Like every action, these flush
and never commit: the route commits once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm.exc import StaleDataError

from app.actors import Actor
from app.exceptions import DomainError
from app.extensions import db
from app.models import Order, OrderEvent
from app.orders import actions, queries
from app.orders.status import OrderStatus

MAX_BULK = 100  # the largest page of the list


@dataclass
class BulkResult:
    changed: list[tuple[Order, OrderEvent]] = field(default_factory=list)
    refused: list[tuple[Order, str]] = field(default_factory=list)
    not_found: list[int] = field(default_factory=list)


def _load(user, ids: list[int]) -> tuple[list[Order], list[int]]:
    ids = list(dict.fromkeys(ids))[:MAX_BULK]
    stmt = queries.scoped_orders(user).where(Order.id.in_(ids)).order_by(Order.id)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Order)
    orders = list(db.session.scalars(stmt).unique())
    found = {o.id for o in orders}
    by_id = {o.id: o for o in orders}
    return [by_id[i] for i in ids if i in found], [i for i in ids if i not in found]


def _each(orders: list[Order], verb, result: BulkResult) -> BulkResult:
    for order in orders:
        try:
            with db.session.begin_nested():
                result.changed.append((order, verb(order)))
        except DomainError as exc:
            result.refused.append((order, exc.message))
        except StaleDataError:
            result.refused.append((order, "It was changed by someone else meanwhile. Reload and try again."))
    return result


def bulk_change_status(user, ids: list[int], *, to: OrderStatus, actor: Actor, reason: str | None) -> BulkResult:
    """Move every order in ``ids`` (within the user's scope) to ``to`` where the status machine allows it."""
    orders, missing = _load(user, ids)
    verb = lambda order: actions.change_order_status(order, to=to, actor=actor, reason=reason)  # noqa: E731
    return _each(orders, verb, BulkResult(not_found=missing))


def bulk_add_note(user, ids: list[int], *, actor: Actor, message: str) -> BulkResult:
    """Add the same internal note to every order in ``ids`` (within the user's scope)."""
    orders, missing = _load(user, ids)
    verb = lambda order: actions.add_internal_note(order, actor=actor, message=message)  # noqa: E731
    return _each(orders, verb, BulkResult(not_found=missing))
