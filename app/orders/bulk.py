"""Bulk verbs on the rows ticked in the order list.

Each order goes through the same action as on its own page, inside its own SAVEPOINT: an order is either
changed completely (status, payments, event) or not at all, and one refusal never undoes the others. Orders
outside the user's branches are never loaded, so they count as "not found", as do ids that cannot exist
(not a number, zero, beyond the INTEGER range). At most ``MAX_BULK`` orders are handled per request; the rest
are counted in ``ignored``, never dropped silently. Like every action, these flush and never commit: the route
commits once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm.exc import StaleDataError

from app.actors import Actor
from app.exceptions import DomainError
from app.extensions import db
from app.ids import parse_id
from app.models import Order, OrderEvent
from app.orders import actions, queries
from app.orders.status import OrderStatus

MAX_BULK = 100  # the largest page of the list


@dataclass
class BulkResult:
    changed: list[tuple[Order, OrderEvent]] = field(default_factory=list)
    refused: list[tuple[Order, str]] = field(default_factory=list)
    not_found: list = field(default_factory=list)  # as sent: ints, or the text of ids that cannot exist
    ignored: int = 0  # beyond MAX_BULK: not looked at


def _load(user, raw_ids: list) -> tuple[list[Order], BulkResult]:
    unique: dict = {}  # one entry per id (or per text that names none), in the order sent
    for raw in raw_ids:
        n = parse_id(raw)
        unique.setdefault(str(raw).strip() if n is None else n, n)
    parsed = list(unique.items())[:MAX_BULK]
    result = BulkResult(ignored=max(0, len(unique) - MAX_BULK))
    ids = [n for _raw, n in parsed if n is not None]
    stmt = queries.scoped_orders(user).where(Order.id.in_(ids)).order_by(Order.id)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Order)
    by_id = {o.id: o for o in db.session.scalars(stmt).unique()} if ids else {}
    result.not_found = [key for key, n in parsed if n not in by_id]
    return [by_id[n] for _key, n in parsed if n in by_id], result


def summary(result: BulkResult) -> dict:
    """What the result page needs, small enough for the session (ids, not orders; refusals grouped by reason):
    the POST stores it and redirects, so a reload shows the result again instead of repeating the action."""
    refused: dict[str, list[int]] = {}
    for order, reason in result.refused:
        refused.setdefault(reason, []).append(order.id)
    return {"changed": [[order.id, event.from_status] for order, event in result.changed], "refused": refused,
            "not_found": len(result.not_found), "ignored": result.ignored}


def stored_result(user, stored: dict) -> dict:
    """The result page's context from ``summary``: the orders re-read within the user's scope (an order that
    left it since is simply not listed)."""
    ids = [i for i, _src in stored["changed"]] + [i for ids in stored["refused"].values() for i in ids]
    orders = {o.id: o for o in db.session.scalars(queries.scoped_orders(user).where(Order.id.in_(ids)))} if ids else {}
    target = OrderStatus(stored["target"]) if stored.get("target") else None
    return {
        "changed": [(orders[i], src and OrderStatus(src), target) for i, src in stored["changed"] if i in orders],
        "refused": [(orders[i], reason) for reason, ids in stored["refused"].items() for i in ids if i in orders],
        "not_found": stored["not_found"], "ignored": stored["ignored"],
    }


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


def bulk_change_status(user, ids: list, *, to: OrderStatus, actor: Actor, reason: str | None) -> BulkResult:
    """Move every order in ``ids`` (within the user's scope) to ``to`` where the status machine allows it."""
    orders, result = _load(user, ids)
    verb = lambda order: actions.change_order_status(order, to=to, actor=actor, reason=reason)  # noqa: E731
    return _each(orders, verb, result)


def bulk_add_note(user, ids: list, *, actor: Actor, message: str) -> BulkResult:
    """Add the same internal note to every order in ``ids`` (within the user's scope)."""
    orders, result = _load(user, ids)
    verb = lambda order: actions.add_internal_note(order, actor=actor, message=message)  # noqa: E731
    return _each(orders, verb, result)
