"""The order list page: one page of orders with its capped count (``run``), and around it the filter panel's
choices, the active filters as removable chips, the bulk moves that make sense for the rows shown, and the
saved views (``page_context``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import sqlalchemy as sa

from app.extensions import db
from app.models import Branch, BranchGroup, Customer, Order, SalesChannel
from app.orders import queries, views
from app.orders.filters import PER_PAGE_CHOICES, SORT_KEYS, OrderFilter
from app.orders.status import DeliveryMethod, FulfilmentMethod, OrderStatus, PaymentStatus, available_statuses

COMMON_CURRENCIES = ("ZAR", "USD", "EUR", "GBP")
SORT_LABELS = {"placed": "Placed", "modified": "Modified", "total": "Total", "code": "Order code",
               "customer": "Customer"}
# The way a column header sorts first: names and codes A→Z, dates and amounts newest/largest first.
FIRST_DIRECTION = {"placed": "desc", "modified": "desc", "total": "desc", "code": "asc", "customer": "asc"}


@dataclass
class Chip:
    label: str
    url: str


@dataclass
class OrderList:
    f: OrderFilter
    orders: list[Order] = field(default_factory=list)
    total: int = 0
    capped: bool = False


def list_url(pairs) -> str:
    return "/orders" + ("?" + urlencode(pairs) if pairs else "")


def run(user, f: OrderFilter) -> OrderList:
    """The page of orders and the capped count, both scoped to the user's branches."""
    result = OrderList(f)
    if f.is_valid:
        # One unsorted pass over at most COUNT_CAP + 1 matching ids (the cheap plan of a count) gives the
        # capped count. Few matches: the page is sorted from those ids alone; many: it is read in sort order
        # from an index. Either way no query fetches or sorts every match.
        stmt = queries.filtered_orders(user, f)
        ids = queries.matching_ids(stmt, queries.COUNT_CAP + 1)
        result.total, result.capped = min(len(ids), queries.COUNT_CAP), len(ids) > queries.COUNT_CAP
        if len(ids) <= queries.MANY:
            result.orders = queries.page_of(stmt, f, among=ids) if ids else []
        else:
            result.orders = queries.page_of(queries.filtered_orders(user, f, many=True), f)
    return result


def visible_branches(user) -> list[Branch]:
    if user.sees_all_branches:
        return list(db.session.scalars(sa.select(Branch).order_by(Branch.name)))
    return sorted(user.branches, key=lambda b: b.name)


def filter_choices(user) -> dict:
    """Choices for the filter panel; branches (and their groups) only the user works in."""
    branches = visible_branches(user)
    group_ids = {b.group_id for b in branches if b.group_id}
    groups = list(db.session.scalars(sa.select(BranchGroup).where(BranchGroup.id.in_(group_ids))
                                     .order_by(BranchGroup.name))) if group_ids else []
    currencies = sorted(set(COMMON_CURRENCIES) | {b.currency for b in branches})
    return dict(
        branches=branches,
        options=dict(
            status=[(s.value, s.label) for s in OrderStatus],
            payment_status=[(s.value, s.label) for s in PaymentStatus],
            channel=[(c.value, c.label) for c in SalesChannel],
            branch=[(str(b.id), b.name) for b in branches],
            method=[(m.value, m.label) for m in FulfilmentMethod],
            delivery=[(d.value, d.label) for d in DeliveryMethod],
            branch_group=[(str(gr.id), gr.name) for gr in groups],
            currency=[(c, c) for c in currencies],
            gift_box=[("1", "Yes"), ("0", "No")],
            sort=[(k, SORT_LABELS[k]) for k in SORT_KEYS],
            direction=[("desc", "Descending"), ("asc", "Ascending")],
            per_page=[(str(n), f"{n} rows") for n in PER_PAGE_CHOICES],
        ),
    )


def selected(f: OrderFilter) -> dict[str, list[str]]:
    """The filter's values as the strings the panel's inputs hold."""
    values: dict[str, list[str]] = {}
    for k, v in f.to_args():
        values.setdefault(k, []).append(v)
    for k in ("sort", "direction", "per_page"):
        values[k] = [str(getattr(f, k))]
    for k in ("created_from", "created_to", "modified_from", "modified_to"):
        if (d := f.local_date(k)) is not None:
            values[k] = [d.isoformat()]
    return values


def visible_customer_name(user, customer_id: int | None) -> str | None:
    """The name of the customer, when they have an order the user may see (no names from other branches)."""
    if customer_id is None:
        return None
    has_order = queries.scope_to_user(sa.select(Order.id).where(Order.customer_id == customer_id), user).exists()
    return db.session.scalar(sa.select(Customer.name).where(Customer.id == customer_id, has_order))


def chips(f: OrderFilter, branches: list[Branch], customer_name: str | None = None) -> list[Chip]:
    """One chip per active filter value, linking to the same list without that value (back to page 1)."""
    names = {str(b.id): b.name for b in branches}
    pairs = f.to_args(paging=False)
    if f.per_page != OrderFilter().per_page:
        pairs.append(("per_page", str(f.per_page)))
    out = []
    for param, value, label in f.chips():
        if param == "branch" and value in names:
            label = f"Branch: {names[value]}"
        elif param == "customer" and customer_name:
            label = f"Customer: {customer_name}"
        out.append(Chip(label, list_url([p for p in pairs if p != (param, value)])))
    return out


def count_text(total: int, capped: bool, filtered: bool) -> str:
    """ "2,000 orders", "1 order matches", "10,000+ orders match"."""
    number = f"{total:,}+" if capped else f"{total:,}"
    noun = "order" if total == 1 and not capped else "orders"
    if not filtered:
        return f"{number} {noun}"
    return f"{number} {noun} {'matches' if noun == 'order' else 'match'}"


def sort_links(f: OrderFilter) -> dict[str, str]:
    """For each sort key, the list URL a column header links to: the same filters sorted by that key, in
    the other direction when it is already the sort, from the first page."""
    rest = [(k, v) for k, v in f.to_args() if k not in ("sort", "direction", "page")]
    default = OrderFilter()
    links = {}
    for key in SORT_KEYS:
        direction = ("asc" if f.direction == "desc" else "desc") if f.sort == key else FIRST_DIRECTION[key]
        pairs = list(rest)
        if key != default.sort:
            pairs.append(("sort", key))
        if direction != default.direction:
            pairs.append(("direction", direction))
        links[key] = list_url(pairs)
    return links


def bulk_targets(orders: list[Order], role) -> list[OrderStatus]:
    """Statuses the user may move at least one of the shown orders to by hand (nothing they can't do)."""
    reachable = {s for o in orders for s in available_statuses(o.status, role)}
    return [s for s in OrderStatus if s in reachable]


def page_context(user, f: OrderFilter, *, partial: bool = False) -> dict:
    """Everything the list page renders. For htmx (``partial``) the results partial renders it, and sends the
    saved views and the panel's sort fields again out of band, since they follow the list too."""
    listing = run(user, f)
    choices = filter_choices(user)
    customer_name = visible_customer_name(user, f.customer)
    default_views, own_views = views.views_for(user)
    return dict(f=f, orders=listing.orders, total=listing.total, capped=listing.capped, **choices,
                selected=selected(f), partial=partial, customer_name=customer_name,
                count_text=count_text(listing.total, listing.capped, f.has_filters),
                sort_links=sort_links(f),
                chips=chips(f, choices["branches"], customer_name),
                bulk_targets=bulk_targets(listing.orders, user.machine_role),
                canonical_url=list_url(f.to_args()),
                default_views=default_views, own_views=own_views,
                active_view=views.active_view(f, default_views + own_views))
