"""Saved views of the order list: a name and the list's query string.

Views with ``user_id`` NULL are defaults everyone sees; they are created on first use (so a fresh database,
or one emptied by the tests, always has them). Dates in defaults are tokens such as ``today`` or ``week``
that the filter parser resolves when the view is opened, not when it was saved.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import SavedView
from app.orders.filters import OrderFilter, parse_order_filter

DEFAULT_VIEWS = (
    ("New today", "status=ORDERED&created_from=today"),
    ("To pack", "status=PROCESSING&sort=placed&direction=asc"),
    ("Ready for collection", "status=DELIVERY-READY&method=COLLECTION"),
    ("Refunds this week", "status=REFUNDED&status=PARTIALLY-REFUNDED&modified_from=week"),
)
MAX_VIEWS_PER_USER = 50
_KEYS = set(OrderFilter.NARROWING) | {"sort", "direction", "per_page"}


def ensure_default_views() -> bool:
    """Create the default views once (True when it did; the caller commits). A concurrent first request
    that wins the race is fine: the unique index on default names turns ours into a no-op."""
    if db.session.scalar(sa.select(SavedView.id).where(SavedView.user_id.is_(None)).limit(1)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add_all(SavedView(user_id=None, name=name, query_string=qs, position=i)
                               for i, (name, qs) in enumerate(DEFAULT_VIEWS))
    except IntegrityError:
        return False
    return True


def views_for(user) -> tuple[list[SavedView], list[SavedView]]:
    """(defaults, the user's own views), each in display order."""
    stmt = (sa.select(SavedView).where(sa.or_(SavedView.user_id.is_(None), SavedView.user_id == user.id))
            .order_by(SavedView.position, SavedView.name))
    views = list(db.session.scalars(stmt))
    return [v for v in views if v.user_id is None], [v for v in views if v.user_id is not None]


ALL_ORDERS = "all"


def _filter_key(f: OrderFilter) -> tuple[tuple[str, str], ...]:
    """What a list shows, whatever the order of its parameters or its page: filters, sort and page size."""
    return tuple(sorted(p for p in f.to_args() if p[0] != "page"))


def active_view(f: OrderFilter, views: list[SavedView]) -> int | str | None:
    """The view the list is showing: ``ALL_ORDERS`` without filters, the id of the first view whose filters,
    sort and page size are the list's, or None when the list differs from every view (nothing highlighted).
    Relative dates compare as resolved today, so "New today" stays highlighted however it was reached."""
    if not f.is_valid:
        return None
    key = _filter_key(f)
    if not key:
        return ALL_ORDERS
    for view in views:
        saved = parse_order_filter(MultiDict(parse_qsl(view.query_string)))
        if saved.is_valid and _filter_key(saved) == key:
            return view.id
    return None


def normalise_query(query: str) -> str:
    """Keep the filter, sort and page size of a list URL's query; drop paging, blanks and unknown keys.

    Values are kept as typed (not re-encoded from the parsed filter) so relative dates stay relative."""
    pairs = [(k, v.strip()) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False)
             if k in _KEYS and v.strip()]
    f = parse_order_filter(MultiDict(pairs))
    if f.errors:
        raise ValidationFailed(" ".join(f.errors.values()), field="query")
    return urlencode(pairs)


def save_view(user, *, name: str, query: str) -> SavedView:
    """Save the filters under ``name``; saving again under the same name replaces them. Flushes."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the view a name.", field="name")
    query_string = normalise_query(query or "")
    existing = db.session.scalar(sa.select(SavedView).where(SavedView.user_id == user.id, SavedView.name == name))
    if existing is not None:
        existing.query_string = query_string
        db.session.flush()
        return existing
    count = db.session.scalar(sa.select(sa.func.count()).where(SavedView.user_id == user.id))
    if count >= MAX_VIEWS_PER_USER:
        raise ValidationFailed(f"You have {MAX_VIEWS_PER_USER} views already; delete one first.", field="name")
    view = SavedView(user_id=user.id, name=name, query_string=query_string, position=count + 1)
    db.session.add(view)
    db.session.flush()
    return view


def get_own_view_or_none(user, view_id: int) -> SavedView | None:
    """A view the user may delete: only their own (defaults belong to everyone)."""
    return db.session.scalar(sa.select(SavedView).where(SavedView.id == view_id, SavedView.user_id == user.id))


def delete_view(view: SavedView) -> None:
    db.session.delete(view)
    db.session.flush()
