"""The columns an export can have, per shape, and how each one is rendered.

Every column is a typed SQL expression over ``orders`` (joined to ``branches``, and to ``order_items`` for the
per-line shape). For CSV the formatting is done by the database itself (ISO dates, two-decimal amounts,
formula-injection neutralising), so PostgreSQL can stream the file with ``COPY`` and SQLite with a bare cursor;
for XLSX the typed values are read and written as typed cells. Statuses, channels and methods are exported as
their labels ("Delivery ready", "Uber Eats"), turned into labels by the database too (``label_sql``); their codes
are optional extra columns ("Status code").

Times are in the shop's zone (``app.localtime``): CSV has ISO times with their offset
(``2026-12-02T14:05:00+02:00``, converted by PostgreSQL's ``AT TIME ZONE`` or SQLite's ``local_iso``); XLSX cells
cannot hold a zone, so they get local times and the header names the zone ("Placed at (SAST, UTC+02:00)").
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app import localtime
from app.labels import labels
from app.models import Branch, Order, OrderItem, SalesChannel
from app.orders.status import DeliveryMethod, FulfilmentMethod, ItemStatus, OrderStatus, PaymentStatus

SHAPES = {"orders": "One row per order", "lines": "One row per order line"}
FORMATS = {"csv": "CSV", "xlsx": "Excel (.xlsx)"}

# CSV formula-injection rule (docs/EXPORTS.md): a text value starting with one of these is taken as a formula by
# spreadsheets, so it gets a leading apostrophe, unless it is a plain number or a phone number (SAFE_VALUE):
# those have no letters, so no function, cell reference or link can run, and they stay readable.
INJECTION_CHARS = ("=", "+", "-", "@", "\t", "\r")
SAFE_VALUE = r"\A(?:[+-]?[0-9]+(?:\.[0-9]+)?|\+[0-9][0-9 ().-]*|-)\Z"  # number | +phone | a lone dash

TEXT, ENUM, MONEY, DECIMAL, INT, DATETIME, BOOL = "text", "enum", "money", "decimal", "int", "datetime", "bool"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    expr: Callable[[str], sa.ColumnElement]  # dialect name -> typed SQL expression
    width: int = 14
    default: bool = False

    def typed(self, dialect: str) -> sa.ColumnElement:
        return self.expr(dialect)

    def heading(self, zone: ZoneInfo | None = None) -> str:
        """The XLSX header: a time column names its zone, since its cells are local times without one."""
        return f"{self.label} ({localtime.zone_note(zone)})" if self.kind == DATETIME else self.label

    def as_text(self, dialect: str, zone: ZoneInfo | None = None) -> sa.ColumnElement:
        """The column as the CSV shows it, formatted by the database; times local to ``zone`` (default: the
        shop's) with their offset."""
        e = self.expr(dialect)
        if self.kind == TEXT:
            return neutralised_sql(e)
        if self.kind in (MONEY, DECIMAL):
            return e if dialect == "postgresql" else sa.func.printf("%.2f", e)
        if self.kind == DATETIME:
            return local_iso_sql(e, (zone or localtime.shop_zone()).key, dialect)
        if self.kind == BOOL:
            return sa.case((e == sa.true(), "yes"), else_="no")
        return e


def local_iso_sql(e: sa.ColumnElement, zone_name: str, dialect: str) -> sa.ColumnElement:
    """A UTC timestamp as local ISO text with its offset, ``2026-12-02T14:05:00+02:00``, in SQL.

    A zone with one offset all along (``localtime.fixed_offset``: Johannesburg) is converted with that constant.
    Otherwise, PostgreSQL: ``e AT TIME ZONE zone`` (written ``timezone(zone, e)``) is the local wall-clock time
    and its difference from ``e AT TIME ZONE 'UTC'`` the offset at that moment (DST included); SQLite has no
    zone data, so ``local_iso`` is a Python function registered on every connection (``app.localtime``)."""
    fixed = localtime.fixed_offset(zone_name)
    suffix = localtime.offset_text(fixed) if fixed is not None else None
    if dialect == "postgresql":
        local = sa.func.timezone(zone_name, e)
        text = sa.func.to_char(local, 'YYYY-MM-DD"T"HH24:MI:SS', type_=sa.String)
        if suffix is not None:
            return text + suffix
        offset = local - sa.func.timezone("UTC", e)
        negative = offset < sa.literal_column("interval '0'")
        return (text + sa.case((negative, "-"), else_="+")
                + sa.func.to_char(sa.case((negative, -offset), else_=offset), "HH24:MI", type_=sa.String))
    if suffix is not None:
        shift = f"{int(fixed.total_seconds()):+d} seconds"
        return sa.func.strftime("%Y-%m-%dT%H:%M:%S", e, shift, type_=sa.String) + suffix
    return sa.func.local_iso(e, zone_name, type_=sa.String)


def neutralised_sql(e: sa.ColumnElement) -> sa.ColumnElement:
    """``'`` before a text that a spreadsheet would evaluate, in SQL (used by COPY and the SQLite cursor).

    The pattern runs as PostgreSQL's ``~`` or, on SQLite, as the ``REGEXP`` function SQLAlchemy registers
    (Python's ``re``); it is only reached for the few values that start with an injection character."""
    return sa.case((sa.func.substr(e, 1, 1).in_(INJECTION_CHARS) & ~e.regexp_match(SAFE_VALUE),
                    sa.literal("'", sa.String) + e), else_=e)


def label_sql(e: sa.ColumnElement, enum_cls: type[enum.Enum]) -> sa.ColumnElement:
    """The code column as its label, in SQL: ``CASE e WHEN 'DELIVERY-READY' THEN 'Delivery ready' ... END``,
    generated from the enum's own labels (an unknown code is shown as it is)."""
    code = sa.type_coerce(e, sa.String)
    return sa.case({sa.literal(m.value, sa.String): label for m, label in labels(enum_cls).items()}, value=code,
                   else_=code)


def _variation(dialect: str) -> sa.ColumnElement:
    """The line's variation as text: "Size: M, Colour: Red"."""
    if dialect == "postgresql":
        sql = ("(SELECT string_agg(concat(v->>'attribute', ': ', v->>'value'), ', ') FROM jsonb_array_elements("
               "CASE WHEN jsonb_typeof(order_items.variation) = 'array' THEN order_items.variation "
               "ELSE '[]'::jsonb END) AS v)")
    else:
        sql = ("(SELECT group_concat(json_extract(j.value, '$.attribute') || ': ' || "
               "json_extract(j.value, '$.value'), ', ') FROM json_each(order_items.variation) AS j)")
    return sa.literal_column(sql, sa.String)


def _c(col) -> Callable[[str], sa.ColumnElement]:
    return lambda _dialect: col


def _address(key: str, part: str) -> Callable[[str], sa.ColumnElement]:
    return lambda _dialect: getattr(Order, key)[part].as_string()


def _labelled(key: str, title: str, col, enum_cls: type[enum.Enum], width: int, default: bool) -> list[Column]:
    """The label column ("Status": "Delivery ready") and, after it, its code column ("Status code")."""
    return [Column(key, title, ENUM, lambda _dialect: label_sql(col, enum_cls), width, default),
            Column(f"{key}_code", f"{title} code", ENUM, _c(col), width)]


ORDER_COLUMNS: list[Column] = [
    Column("code", "Order", TEXT, _c(Order.code), 18, True),
    Column("placed_at", "Placed at", DATETIME, _c(Order.created_at), 20, True),
    Column("modified_at", "Modified at", DATETIME, _c(Order.updated_at), 20, True),
    Column("branch", "Branch", TEXT, _c(Branch.name), 18, True),
    Column("branch_code", "Branch code", TEXT, _c(Branch.code), 10),
    *_labelled("channel", "Channel", Order.channel, SalesChannel, 12, True),
    Column("external_reference", "Channel reference", TEXT, _c(Order.external_reference), 20),
    *_labelled("status", "Status", Order.status, OrderStatus, 18, True),
    *_labelled("payment_status", "Payment", Order.payment_status, PaymentStatus, 16, True),
    *_labelled("method", "Method", Order.fulfilment_method, FulfilmentMethod, 12, True),
    *_labelled("delivery", "Delivery", Order.delivery_method, DeliveryMethod, 11, False),
    Column("customer", "Customer", TEXT, _c(Order.customer_name), 24, True),
    Column("email", "Email", TEXT, _c(Order.customer_email), 28, True),
    Column("phone", "Phone", TEXT, _c(Order.customer_phone), 16),
    Column("currency", "Currency", TEXT, _c(Order.currency), 9, True),
    Column("subtotal", "Subtotal", MONEY, _c(Order.subtotal), 12, True),
    Column("discount", "Discount", MONEY, _c(Order.discount_total), 11, True),
    Column("tax", "Tax", MONEY, _c(Order.tax_total), 11, True),
    Column("delivery_fee", "Delivery fee", MONEY, _c(Order.delivery_fee), 12, True),
    Column("total", "Total", MONEY, _c(Order.total), 12, True),
    Column("refunded", "Refunded", MONEY, _c(Order.refunded_total), 11),
    Column("gift_box", "Gift box", BOOL, _c(Order.has_gift_box), 9),
    Column("invoice_number", "Invoice number", TEXT, _c(Order.invoice_number), 16),
    Column("shipping_city", "Shipping city", TEXT, _address("shipping_address", "city"), 16),
    Column("shipping_postcode", "Shipping postcode", TEXT, _address("shipping_address", "postcode"), 10),
    Column("notes", "Customer note", TEXT, _c(Order.notes), 30),
]

LINE_COLUMNS: list[Column] = [
    Column("order_code", "Order", TEXT, _c(Order.code), 18, True),
    Column("placed_at", "Placed at", DATETIME, _c(Order.created_at), 20, True),
    Column("branch", "Branch", TEXT, _c(Branch.name), 18, True),
    *_labelled("channel", "Channel", Order.channel, SalesChannel, 12, True),
    *_labelled("order_status", "Order status", Order.status, OrderStatus, 18, False),
    Column("customer", "Customer", TEXT, _c(Order.customer_name), 24, True),
    Column("sku", "SKU", TEXT, _c(OrderItem.sku), 16, True),
    Column("barcode", "Barcode", TEXT, _c(OrderItem.barcode), 16),
    Column("name", "Name", TEXT, _c(OrderItem.name), 30, True),
    Column("variation", "Variation", TEXT, _variation, 20, True),
    Column("quantity", "Quantity", INT, _c(OrderItem.quantity), 9, True),
    Column("unit_price", "Unit price", MONEY, _c(OrderItem.unit_price), 12, True),
    Column("discount", "Discount", MONEY, _c(OrderItem.discount), 11),
    Column("tax_rate", "Tax rate %", DECIMAL, _c(OrderItem.tax_rate), 10),
    Column("tax", "Tax", MONEY, _c(OrderItem.tax_amount), 11),
    Column("line_total", "Line total", MONEY, _c(OrderItem.line_total), 12, True),
    *_labelled("item_status", "Item status", OrderItem.status, ItemStatus, 16, True),
    Column("refunded_quantity", "Refunded qty", INT, _c(OrderItem.refunded_quantity), 10),
    Column("currency", "Currency", TEXT, _c(Order.currency), 9, True),
]

COLUMNS: dict[str, dict[str, Column]] = {
    "orders": {c.key: c for c in ORDER_COLUMNS},
    "lines": {c.key: c for c in LINE_COLUMNS},
}


def all_columns(shape: str) -> list[Column]:
    return list(COLUMNS[shape].values())


def default_keys(shape: str) -> list[str]:
    return [c.key for c in COLUMNS[shape].values() if c.default]


def resolve(shape: str, keys: list[str]) -> list[Column]:
    """Known columns of ``shape`` in the given order (unknown keys are dropped, duplicates kept once)."""
    known = COLUMNS[shape]
    seen: list[str] = []
    for k in keys:
        if k in known and k not in seen:
            seen.append(k)
    return [known[k] for k in seen]


# --- Python-side conversion for typed (XLSX) output ------------------------------------------------

def _text(v):  # an XLSX text cell is never a formula: no apostrophe needed
    return v if v is None or isinstance(v, str) else str(v)


def _enum(v):
    return getattr(v, "value", v)


def _money(v):
    return v if v is None or isinstance(v, Decimal) else Decimal(str(v)).quantize(Decimal("0.01"))


def _datetime(v, zone: ZoneInfo | None = None):
    """Local wall-clock time in ``zone`` (the shop's by default): Excel has no time zones; the header says it."""
    if isinstance(v, str):  # raw SQLite text (UTC)
        v = datetime.fromisoformat(v)
    if v is not None:
        v = localtime.to_local(v if v.tzinfo else v.replace(tzinfo=localtime.UTC), zone).replace(tzinfo=None)
    return v


def _int(v):
    return v


def _bool(v):
    return None if v is None else bool(v)


CONVERTERS = {TEXT: _text, ENUM: _enum, MONEY: _money, DECIMAL: _money, INT: _int, DATETIME: _datetime, BOOL: _bool}


def converters(columns, zone: ZoneInfo | None = None) -> list:
    """One Python converter per column for typed (XLSX) cells; times become local to ``zone``."""
    zone = zone or localtime.shop_zone()
    return [(lambda v: _datetime(v, zone)) if c.kind == DATETIME else CONVERTERS[c.kind] for c in columns]
