"""A customer's own orders: every customer endpoint reads through these, so another customer's order is simply
not found (404, exactly like an id that does not exist)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Customer,
    Order,
    OrderItem,
    Parcel,
    ParcelItem,
    Payment,
    ReturnItem,
    ReturnRequest,
)
from app.orders.queries import first_or_404
from app.orders.tracking import ParcelSummary
from app.parcels.status import HANDED_OVER


def customer_orders(customer: Customer) -> sa.Select:
    """The customer's orders, newest first."""
    return sa.select(Order).where(Order.customer_id == customer.id).order_by(Order.created_at.desc(), Order.id.desc())


def customer_order_or_404(order_id: int, customer: Customer, *, for_update: bool = False) -> Order:
    return first_or_404(sa.select(Order).where(Order.id == order_id, Order.customer_id == customer.id), Order,
                         for_update=for_update)


def page(stmt: sa.Select, *, page: int, per_page: int) -> tuple[list, dict]:
    """One page of ``stmt`` (orders, products ...) and seed 001's pagination block."""
    key = sa.inspect(stmt.column_descriptions[0]["entity"]).primary_key[0]
    ids = stmt.order_by(None).with_only_columns(key)  # a count answered from the index alone
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery())) or 0
    rows = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return rows, {"total": total, "count": len(rows), "limit": per_page, "current_page": page,
                  "total_pages": max(1, -(-total // per_page))}


def _my_orders_statement() -> sa.Select:
    """Built once (it is the API's hottest read): a deferred join. The inner query walks the (customer_id,
    created_at, id) index for one page of ids and counts every match in the same pass (a window over at most the
    customer's orders); the outer one reads just the columns the page shows for those ids, with the number of
    products and the newest payment's provider as subqueries (evaluated for the page only, not for skipped rows)."""
    inner = (sa.select(Order.id.label("id"), Order.created_at.label("created_at"),
                       sa.func.count().over().label("match_count"))
             .where(Order.customer_id == sa.bindparam("customer_id"))
             .order_by(Order.created_at.desc(), Order.id.desc())
             .limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))
             .subquery("page"))
    products = sa.select(sa.func.count()).where(OrderItem.order_id == Order.id).scalar_subquery()
    provider = (sa.select(Payment.provider).where(Payment.order_id == Order.id).order_by(Payment.id.desc())
                .limit(1).scalar_subquery())
    return (sa.select(Order.id, Order.code, Order.invoice_number, Order.status, Order.payment_status,
                      Order.currency, Order.total, Order.created_at, Order.expected_delivery_at, Order.fulfilled_at,
                      products.label("products"), provider.label("provider"), inner.c.match_count,
                      *_parcel_summary_columns())
            .join(inner, inner.c.id == Order.id)
            .order_by(inner.c.created_at.desc(), inner.c.id.desc()))


def _parcel_summary_columns() -> list:
    """``tracking.ParcelSummary`` of each order in SQL (correlated subqueries over the order's parcels), the same
    four numbers ``tracking.summarize`` counts from parcel objects (tests/test_api_customer_orders.py checks they
    agree)."""
    handed = sa.and_(Parcel.status.in_(HANDED_OVER), Parcel.delivered_at.is_not(None))
    on_the_way = sa.and_(Parcel.status.not_in(HANDED_OVER), Parcel.estimated_delivery_at.is_not(None))

    def agg(expr, name):  # over the order's parcels (a parcel holding several of its items counts once)
        return (sa.select(expr).select_from(Parcel).join(ParcelItem, ParcelItem.parcel_id == Parcel.id)
                .where(ParcelItem.order_id == Order.id).scalar_subquery().label(name))

    when = Parcel.delivered_at.type
    return [agg(sa.func.count(Parcel.id.distinct()), "n_parcels"),
            agg(sa.func.count(sa.case((handed, Parcel.id)).distinct()), "n_handed_over"),
            agg(sa.func.max(sa.case((handed, Parcel.delivered_at)), type_=when), "last_handed_over_at"),
            agg(sa.func.max(sa.case((on_the_way, Parcel.estimated_delivery_at)), type_=when), "latest_estimate")]


def parcel_summary(row) -> ParcelSummary:
    """The ``ParcelSummary`` of a my-orders row."""
    return ParcelSummary(row.n_parcels, row.n_handed_over, row.last_handed_over_at, row.latest_estimate)


_MY_ORDERS = _my_orders_statement()


def my_orders_page(customer: Customer, *, page: int, per_page: int) -> tuple[list, dict]:
    """The my-orders page (newest first) and seed 001's pagination block, in one query. Rows are read-only
    tuples with the orders' attribute names (plus ``products`` and ``provider``)."""
    rows = db.session.execute(_MY_ORDERS, {"customer_id": customer.id, "limit": per_page,
                                           "offset": (page - 1) * per_page}).all()
    if rows:
        total = rows[0].match_count
    else:  # past the last page (or no orders): the window had no row to count on
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Order)
                                  .where(Order.customer_id == customer.id)) or 0
    return rows, {"total": total, "count": len(rows), "limit": per_page, "current_page": page,
                  "total_pages": max(1, -(-total // per_page))}


def parcels_by_order(order_ids: list[int], *, with_events: bool = False) -> dict[int, list[Parcel]]:
    """The parcels carrying any item of each order (a parcel may carry several orders' items), in two queries
    (three with their events), oldest parcel first."""
    result: dict[int, list[Parcel]] = {oid: [] for oid in order_ids}
    if not order_ids:
        return result
    pairs = db.session.execute(sa.select(ParcelItem.order_id, ParcelItem.parcel_id)
                               .where(ParcelItem.order_id.in_(order_ids)).distinct()).all()
    if not pairs:
        return result
    stmt = sa.select(Parcel).where(Parcel.id.in_({p for _o, p in pairs})).order_by(Parcel.id)
    if with_events:
        stmt = stmt.options(selectinload(Parcel.events))
    parcels = {p.id: p for p in db.session.scalars(stmt)}
    for order_id, parcel_id in sorted(pairs, key=lambda pair: pair[1]):
        result[order_id].append(parcels[parcel_id])
    return result


def customer_or_404(customer_id: int, *, for_update: bool = False) -> Customer:
    """A customer account by id (staff pages; the caller checks the staff member's rights)."""
    return first_or_404(sa.select(Customer).where(Customer.id == customer_id), Customer, for_update=for_update)


def order_count(customer: Customer) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Order.customer_id == customer.id)) or 0


def return_requests_for(order: Order) -> list:
    """The order's return requests, newest first, with their items (the order page shows them)."""
    stmt = (sa.select(ReturnRequest).where(ReturnRequest.order_id == order.id)
            .options(selectinload(ReturnRequest.items).selectinload(ReturnItem.order_item))
            .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc()))
    return list(db.session.scalars(stmt))
