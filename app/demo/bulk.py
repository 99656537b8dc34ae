"""Bulk generator for benchmarks: ``flask --app wsgi demo-data --orders 1000000``.

A million orders through the ORM would take hours, so this module writes rows through the database driver:
``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL (psycopg's ``cursor.copy()``), in batches of
10,000 orders with their items and payments, all in one transaction, so a failed load leaves nothing behind.
Large loads drop the secondary indexes (and SQLite's search triggers) first and rebuild them once at the end.
Ids are assigned here (after the current maximum) so items can point at their order without a round trip;
PostgreSQL sequences are moved past them at the end, and both databases are ANALYZEd.

Measured on the 2-core box (1,000,000 orders, 2.49M items, 0.99M payments): SQLite ~3.6 min (inserts ~40k
rows/s, index and FTS rebuild ~77 s), PostgreSQL ~3.8 min (COPY ~26k rows/s, index rebuild ~46 s).

What it writes: the shop base (branches, staff, demo accounts, catalogue; created if absent), customers up to
50,000 (with addresses), then N orders spread over the last two years (more recent ones and seasonal peaks
weigh more), each with 1–8 items (~2.5 on average) and its payment. Money adds up exactly as in the demo shop
(``app.orders.pricing``): ``line_total = unit_price × quantity``, ``subtotal = Σ line_total``,
``total = subtotal − discount + delivery fee``, ``tax_total`` = Σ line VAT (after the order discount) + the
delivery fee's VAT. Orders without a discount (most) use precomputed per-line VAT; discounted ones are priced by
``pricing.price_basket`` itself.

What it does NOT write, on purpose: timelines (OrderEvent), parcels, refunds, quotes. Benchmarks need orders
and items; the demo shop (``app.demo.shop``) is where timelines are complete. For realism of the list and its
filters, a few bulk orders carry payment statuses that only external systems set (DISPUTED, EXPIRED), each with
the payment row that explains it, and refunded orders have ``refunded_total`` without Refund rows.
"""
from __future__ import annotations

import bisect
import itertools
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa

from app.demo import names
from app.demo.base import (
    ShopBase, ascii_slug, ensure_base, ensure_catalogue, json_text, make_address, random_person, random_phone,
    random_region, require_schema, snapshot,
)
from app.extensions import db
from app.models import Customer, CustomerAddress, Order, OrderItem, Payment, ProductVariant
from app.orders import pricing
from app.orders.invoices import InvoiceBook
from app.orders.pricing import ZERO, Line, cents, convert, included_tax

BATCH = 10_000
CUSTOMERS = 50_000
GUESTS = 5_000  # channel buyers without an account
DAYS = 730
DEFER_INDEXES_FROM = 50_000  # orders; smaller loads keep the indexes
ORDER_TABLES = ("orders", "order_items", "payments")

ORDER_COLUMNS = (
    "id", "code", "customer_id", "customer_name", "customer_email", "customer_phone", "branch_id", "channel",
    "external_reference", "basket_reference", "extra_data", "channel_payload", "status", "payment_status",
    "fulfilment_method", "delivery_method", "is_supplier_order", "has_gift_box", "gift_box_note", "language_code",
    "notes", "currency", "subtotal", "discount_total", "tax_total", "delivery_fee", "total", "refunded_total",
    "shipping_address", "billing_address", "invoice_number", "invoice_date", "expected_delivery_at",
    "fulfilled_at", "created_at", "updated_at", "created_by_id", "updated_by_id", "version",
)
ITEM_COLUMNS = (
    "id", "order_id", "product_id", "variant_id", "sku", "barcode", "name", "variation", "quantity", "mrp",
    "unit_price", "tax_rate", "discount", "tax_amount", "line_total", "status", "refunded_quantity",
)
PAYMENT_COLUMNS = ("id", "order_id", "provider", "reference", "status", "amount", "currency", "created_at",
                   "updated_at")
CUSTOMER_COLUMNS = ("id", "name", "email", "phone", "password_hash", "api_token_version", "created_at")
ADDRESS_COLUMNS = (
    "id", "customer_id", "first_name", "last_name", "phone", "email", "line1", "line2", "city", "district",
    "postcode", "country", "company_name", "tax_office", "tax_number", "identity_number", "e_bill_taxpayer",
    "notes", "is_active",
)

CHANNELS = {"INTERNAL": 60, "SHOPIFY": 15, "TAKEALOT": 10, "UBER_EATS": 7, "MUNCH": 5, "CUSTOM": 3}
CHANNEL_PREFIX = {"SHOPIFY": "SH", "TAKEALOT": "TAL", "UBER_EATS": "UE", "MUNCH": "MN", "CUSTOM": "EXT"}
CURRENCIES = {"ZAR": 92, "USD": 5, "EUR": 3}
ITEMS_PER_ORDER = {1: 35, 2: 25, 3: 18, 4: 10, 5: 6, 6: 3, 7: 2, 8: 1}  # mean ≈ 2.5
QUANTITY = {1: 75, 2: 18, 3: 5, 4: 1, 5: 0.6, 6: 0.4}
LANGUAGES = {"en": 90, "af": 7, "zu": 3}
# Order status mix by age: new orders are still moving, old ones have settled.
STATUS_BY_AGE = (
    (1, {"ORDERED": 45, "PROCESSING": 30, "DELIVERY-READY": 12, "PARTIALLY-FULFILLED": 3, "FULFILLED": 5,
         "CANCELLED": 5}),
    (3, {"ORDERED": 12, "PROCESSING": 20, "DELIVERY-READY": 20, "PARTIALLY-FULFILLED": 8, "FULFILLED": 33,
         "CANCELLED": 5, "REFUNDED": 1, "PARTIALLY-REFUNDED": 1}),
    (14, {"ORDERED": 2, "PROCESSING": 3, "DELIVERY-READY": 4, "PARTIALLY-FULFILLED": 4, "FULFILLED": 76,
          "CANCELLED": 6, "REFUNDED": 2.5, "PARTIALLY-REFUNDED": 2.5}),
    (math.inf, {"ORDERED": 0.2, "PROCESSING": 0.3, "DELIVERY-READY": 0.3, "PARTIALLY-FULFILLED": 0.7,
                "FULFILLED": 83, "CANCELLED": 7.5, "REFUNDED": 4, "PARTIALLY-REFUNDED": 4}),
)
FULFILLED_LIKE = frozenset({"FULFILLED", "REFUNDED", "PARTIALLY-REFUNDED"})


def load_bulk_shop(*, orders: int, seed: int, echo: Callable[[str], None]) -> str:
    """Generate ``orders`` orders (plus base, catalogue and customers if missing) as fast as the driver allows."""
    require_schema()
    _check_columns()
    started = time.perf_counter()
    base = ensure_base(seed)
    variants = ensure_catalogue(seed)
    db.session.commit()
    writer = make_writer(db.engine)
    try:
        rng = random.Random(f"{seed}-bulk")
        _ensure_customers(writer, rng, CUSTOMERS, echo)
        gen = _Generator.build(base, variants, _customer_pool(), _guest_pool(rng), rng, writer.ts)
        db.session.commit()  # release the session's connection before writing
        written = _load_orders(writer, gen, orders, echo)
        echo("Analysing tables ...")
        writer.finish(("customers", "customer_addresses", "orders", "order_items", "payments"))
    finally:
        writer.close()
    seconds = time.perf_counter() - started
    return (f"Bulk shop: {written['orders']:,} orders, {written['items']:,} items, {written['payments']:,} payments "
            f"in {seconds:,.1f} s ({written['orders'] / max(seconds, 1e-9):,.0f} orders/s).")


def _check_columns() -> None:
    """Fail loudly if the schema grew a required column this generator does not fill."""
    for model, columns in ((Order, ORDER_COLUMNS), (OrderItem, ITEM_COLUMNS), (Payment, PAYMENT_COLUMNS),
                           (Customer, CUSTOMER_COLUMNS), (CustomerAddress, ADDRESS_COLUMNS)):
        table = model.__table__
        unknown = set(columns) - set(table.c.keys())
        unfilled = [c.name for c in table.c if c.name not in columns and not c.nullable and c.server_default is None]
        if unknown or unfilled:
            raise RuntimeError(f"bulk generator out of date for {table.name}: unknown {unknown}, unfilled {unfilled}")


# --- writers ---------------------------------------------------------------------------------------

class _Writer:
    """Writes tuples of already-serialised values (str, int, bool, None) in the given column order."""

    def __init__(self, engine: sa.Engine) -> None:
        self.raw = engine.raw_connection()
        self.conn = self.raw.driver_connection

    def ts(self, epoch: float) -> str:
        raise NotImplementedError

    def write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        raise NotImplementedError

    def max_id(self, table: str) -> int:
        cur = self.conn.cursor()
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        value = cur.fetchone()[0]
        cur.close()
        return int(value)

    def commit(self) -> None:
        self.conn.commit()

    def begin(self) -> None:
        """Start the one transaction the orders are loaded in (a failure leaves nothing behind)."""

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """Drop the secondary indexes (and triggers) of ``tables``; return the SQL that recreates them."""
        raise NotImplementedError

    def replace_invoice_sequences(self, rows: list[tuple[int, int, int]]) -> None:
        """Write back the sequences the load moved on (app.orders.invoices.InvoiceBook.rows())."""
        for branch_id, year, _last in rows:
            self.conn.execute(f"DELETE FROM invoice_sequences WHERE branch_id = {int(branch_id)} "
                              f"AND year = {int(year)}")
        self.write("invoice_sequences", ("branch_id", "year", "last_number"), rows)

    def restore_indexes(self, statements: list[str]) -> None:
        for statement in statements:
            self.conn.execute(statement)

    def finish(self, tables: Sequence[str]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.raw.close()


_EPOCH = datetime(1970, 1, 1)


class SqliteWriter(_Writer):
    """``executemany`` on the bare sqlite3 connection; fsync off while loading (a benchmark file, not a ledger)."""

    def __init__(self, engine: sa.Engine) -> None:
        super().__init__(engine)
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-1000000")  # 1 GB of page cache: index pages stay in memory
        self.conn.execute("PRAGMA temp_store=MEMORY")

    def ts(self, epoch: float) -> str:
        # SQLAlchemy's SQLite DATETIME storage format (naive UTC, microseconds always present).
        return (_EPOCH + timedelta(seconds=epoch)).isoformat(" ", "microseconds")

    def write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows)

    def begin(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """Indexes and triggers as written in sqlite_master (constraint indexes have no SQL and stay), then a
        rebuild of each FTS table kept in sync with one of ``tables`` by those triggers."""
        marks = ", ".join("?" * len(tables))
        rows = self.conn.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY type, name", tuple(tables)).fetchall()
        fts = [name for name, sql in self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
            if any(f"content='{t}'" in sql.replace('"', "'") for t in tables)]
        for type_, name, _sql in rows:
            self.conn.execute(f'DROP {type_.upper()} "{name}"')
        rebuild = [f"INSERT INTO \"{name}\"(\"{name}\") VALUES ('rebuild')" for name in fts] if any(
            type_ == "trigger" for type_, _n, _s in rows) else []
        return [sql for _t, _n, sql in rows] + rebuild

    def finish(self, tables: Sequence[str]) -> None:
        self.conn.commit()
        self.conn.execute("ANALYZE")
        self.conn.commit()
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class PostgresWriter(_Writer):
    """``COPY ... FROM STDIN`` through psycopg 3; sequences moved past the ids written, then ANALYZE."""

    def ts(self, epoch: float) -> str:
        return (_EPOCH + timedelta(seconds=epoch)).isoformat(" ", "microseconds") + "+00"

    def write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def begin(self) -> None:
        self.conn.execute("SET LOCAL synchronous_commit = off")
        self.conn.execute("SET LOCAL maintenance_work_mem = '512MB'")

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """Secondary indexes only: those backing a primary key or unique constraint stay (and keep checking)."""
        rows = self.conn.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY 1",
            (list(tables),)).fetchall()
        for name, _definition in rows:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [definition for _name, definition in rows]

    def finish(self, tables: Sequence[str]) -> None:
        with self.conn.cursor() as cur:
            for table in tables:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"GREATEST((SELECT MAX(id) FROM \"{table}\"), 1))")
            self.conn.commit()
            for table in tables:
                cur.execute(f'ANALYZE "{table}"')
        self.conn.commit()


def make_writer(engine: sa.Engine) -> _Writer:
    if engine.dialect.name == "sqlite":
        return SqliteWriter(engine)
    if engine.dialect.name == "postgresql":
        return PostgresWriter(engine)
    raise RuntimeError(f"bulk demo data supports SQLite and PostgreSQL, not {engine.dialect.name}")


# --- customers -------------------------------------------------------------------------------------

def _ensure_customers(writer: _Writer, rng: random.Random, target: int, echo: Callable[[str], None]) -> None:
    """Top the customer table up to ``target`` accounts (no passwords: they never sign in to the demo)."""
    need = target - int(db.session.scalar(sa.select(sa.func.count(Customer.id))))
    db.session.commit()
    if need <= 0:
        return
    started = time.perf_counter()
    customer_id, address_id = writer.max_id("customers"), writer.max_id("customer_addresses")
    now = time.time()
    customers, addresses = [], []
    for _ in range(need):
        customer_id += 1
        first, last = random_person(rng)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}.{customer_id}@example.test"
        phone = random_phone(rng)
        created = now - rng.uniform(0, 3 * 365 * 86400)
        customers.append((customer_id, f"{first} {last}", email, phone, None, 0, writer.ts(created)))
        region = random_region(rng)
        for _k in range(1 if rng.random() < 0.75 else 2):
            address_id += 1
            a = make_address(rng, first, last, phone, email, region)
            addresses.append((address_id, customer_id) + tuple(a[c] for c in ADDRESS_COLUMNS[2:-1]) + (True,))
    writer.write("customers", CUSTOMER_COLUMNS, customers)
    writer.write("customer_addresses", ADDRESS_COLUMNS, addresses)
    writer.commit()
    echo(f"Customers: {need:,} added in {time.perf_counter() - started:.1f} s")


_REGION_OF_CITY = {city: region for region, places in names.PLACES.items() for city, _d, _p in places}


@dataclass(frozen=True)
class _Buyer:
    customer_id: int | None
    name: str
    email: str | None
    phone: str | None
    address_json: str
    region: str


def _customer_pool() -> list[_Buyer]:
    """Every customer with their first address, as ready-to-write values (JSON serialised once per buyer)."""
    first_address: dict[int, dict] = {}
    cols = [CustomerAddress.__table__.c[c] for c in ("customer_id",) + CustomerAddress.SNAPSHOT_FIELDS]
    for row in db.session.execute(sa.select(*cols).order_by(CustomerAddress.id)).mappings():
        first_address.setdefault(row["customer_id"], dict(row))
    pool = []
    for cid, name, email, phone in db.session.execute(
        sa.select(Customer.id, Customer.name, Customer.email, Customer.phone).order_by(Customer.id)
    ):
        address = first_address.get(cid)
        if address is None:
            continue
        pool.append(_Buyer(cid, name, email, phone, json_text(snapshot(address)),
                           _REGION_OF_CITY.get(address["city"], "Western Cape")))
    return pool


def _guest_pool(rng: random.Random) -> list[_Buyer]:
    guests = []
    for n in range(GUESTS):
        first, last = random_person(rng)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}.g{n}@guest.example.test"
        phone = random_phone(rng)
        region = random_region(rng)
        address = make_address(rng, first, last, phone, email, region)
        guests.append(_Buyer(None, f"{first} {last}", email, phone, json_text(snapshot(address)), region))
    return guests


# --- orders ----------------------------------------------------------------------------------------

def _picker(rng: random.Random, weights: dict) -> Callable[[], object]:
    """A fast weighted choice: bisect on cumulative weights."""
    keys = list(weights)
    cumulative = list(itertools.accumulate(weights.values()))
    total = cumulative[-1]
    rand = rng.random
    return lambda: keys[bisect.bisect(cumulative, rand() * total)]


@dataclass
class _Generator:
    """Everything precomputed once so that one order costs a few dozen cheap operations."""

    rng: random.Random
    ts: Callable[[float], str]
    buyers: list[_Buyer]
    guests: list[_Buyer]
    branch_by_region: dict[str, list[int]]
    all_branches: list[int]
    staff_by_branch: dict[int, list[int]]
    lines: dict[str, list[tuple]]  # currency -> per variant (head, mrp, price, {qty: (total, total_s, tax_s, tax)})
    variant_cumulative: list[float]
    fees: dict[str, dict[str, tuple[Decimal, Decimal]]]  # currency -> method -> (fee, its VAT)
    free_from: dict[str, Decimal]
    pick: dict[str, Callable[[], object]] = field(default_factory=dict)
    invoices: InvoiceBook | None = None  # numbered as checkout numbers them (per branch and year)
    now: float = 0.0  # epoch seconds

    @classmethod
    def build(cls, base: ShopBase, variants: list[ProductVariant], buyers: list[_Buyer], guests: list[_Buyer],
              rng: random.Random, ts: Callable[[float], str]) -> _Generator:
        cpt, stb, jhb = (b.id for b in base.branches)
        rules = pricing.current_rules()
        gen = cls(
            rng=rng, ts=ts, buyers=buyers, guests=guests,
            branch_by_region={"Western Cape": [cpt, cpt, cpt, stb, stb], "Gauteng": [jhb]},
            all_branches=[cpt, stb, jhb],
            staff_by_branch={b.id: [u.id for u in base.staff_of(b)] for b in base.branches},
            lines={cur: [_variant_line(v, cur) for v in variants] for cur in CURRENCIES},
            variant_cumulative=_zipf_cumulative(rng, len(variants)),
            fees={cur: {k: (convert(v, cur), pricing.delivery_tax(convert(v, cur), rules))
                        for k, v in rules.fees.items()} for cur in CURRENCIES},
            free_from={cur: convert(rules.free_from, cur) for cur in CURRENCIES},
            now=time.time(),
            invoices=InvoiceBook(),
        )
        gen.pick = {
            "channel": _picker(rng, CHANNELS), "currency": _picker(rng, CURRENCIES),
            "items": _picker(rng, ITEMS_PER_ORDER), "quantity": _picker(rng, QUANTITY),
            "language": _picker(rng, LANGUAGES),
        } | {f"status{k}": _picker(rng, weights) for k, (_age, weights) in enumerate(STATUS_BY_AGE)}
        return gen


def _variant_line(variant: ProductVariant, currency: str) -> tuple:
    price = convert(variant.price, currency)
    mrp = convert(variant.mrp, currency) if variant.mrp is not None else None
    head = (variant.product_id, variant.id, variant.sku, variant.barcode, variant.name, json_text(variant.attributes))
    per_qty = {}
    for qty in QUANTITY:
        total = price * qty
        tax = included_tax(total)
        per_qty[qty] = (total, str(total), str(tax), tax)
    return head, (str(mrp) if mrp is not None else None), str(price), price, per_qty


def _zipf_cumulative(rng: random.Random, count: int) -> list[float]:
    """Popularity: a few best sellers, a long tail (Zipf, s≈0.9) over a shuffled catalogue."""
    ranks = list(range(1, count + 1))
    rng.shuffle(ranks)
    return list(itertools.accumulate(1 / r ** 0.9 for r in ranks))


def _timestamps(rng: random.Random, count: int, now: float) -> list[float]:
    """``count`` sorted order times over the last two years: growth, weekends, Black Friday, December, daytime."""
    start_day = math.floor(now / 86400) - DAYS + 1
    day_weights = []
    for k in range(DAYS):
        day = datetime.fromtimestamp((start_day + k) * 86400, timezone.utc)
        weight = 0.6 + 0.8 * k / DAYS
        weight *= (1.0, 0.95, 0.95, 1.0, 1.1, 1.25, 0.9)[day.weekday()]
        if day.month == 11 and day.day >= 20:
            weight *= 2.5
        elif day.month == 12 and day.day <= 24:
            weight *= 1.6
        elif day.month == 1:
            weight *= 0.8
        day_weights.append(weight)
    hour_weights = (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3.5, 5, 6, 6.5, 6.5, 6, 5.5, 5, 5, 5.5, 6, 7, 6.5, 5, 3.5, 2)
    days = rng.choices(range(DAYS), cum_weights=list(itertools.accumulate(day_weights)), k=count)
    hours = rng.choices(range(24), cum_weights=list(itertools.accumulate(hour_weights)), k=count)
    rand = rng.random
    result = []
    for day, hour in zip(days, hours):
        moment = (start_day + day) * 86400 + hour * 3600 + rand() * 3600
        if moment > now - 1:
            moment = now - 1 - rand() * min(3600.0, now - (start_day + DAYS - 1) * 86400)
        result.append(moment)
    result.sort()
    return result


def _load_orders(writer: _Writer, gen: _Generator, count: int, echo: Callable[[str], None]) -> dict[str, int]:
    """All orders in one transaction. Large loads drop the secondary indexes first and build them once at the
    end: far cheaper than updating a dozen indexes (and a trigram search index) row by row."""
    writer.begin()
    deferred = writer.drop_indexes(ORDER_TABLES) if count >= DEFER_INDEXES_FROM else []
    written = _write_orders(writer, gen, count, echo)
    writer.replace_invoice_sequences(gen.invoices.rows())
    if deferred:
        started = time.perf_counter()
        writer.restore_indexes(deferred)
        echo(f"Rebuilt {len(deferred)} indexes in {time.perf_counter() - started:.1f} s")
    writer.commit()
    return written


def _write_orders(writer: _Writer, gen: _Generator, count: int, echo: Callable[[str], None]) -> dict[str, int]:
    order_id, item_id, payment_id = writer.max_id("orders"), writer.max_id("order_items"), writer.max_id("payments")
    moments = _timestamps(gen.rng, count, gen.now)
    written = {"orders": 0, "items": 0, "payments": 0}
    started = last = time.perf_counter()
    for offset in range(0, count, BATCH):
        orders, items, payments = [], [], []
        for moment in moments[offset:offset + BATCH]:
            order_id += 1
            item_id, payment_id = _one_order(gen, order_id, moment, item_id, payment_id, orders, items, payments)
        writer.write("orders", ORDER_COLUMNS, orders)
        writer.write("order_items", ITEM_COLUMNS, items)
        writer.write("payments", PAYMENT_COLUMNS, payments)
        written["orders"] += len(orders)
        written["items"] += len(items)
        written["payments"] += len(payments)
        now = time.perf_counter()
        if now - last >= 5 or written["orders"] == count:
            rate, row_rate = written["orders"] / (now - started), sum(written.values()) / (now - started)
            echo(f"  {written['orders']:,}/{count:,} orders, {written['items']:,} items "
                 f"({rate:,.0f} orders/s, {row_rate:,.0f} rows/s)")
            last = now
    return written


def _one_order(gen: _Generator, oid: int, created: float, item_id: int, payment_id: int,
               orders: list, items: list, payments: list) -> tuple[int, int]:
    """Append one order's row, its item rows and its payment row; return the last item and payment ids."""
    rng, pick, ts = gen.rng, gen.pick, gen.ts
    rand = rng.random
    age_days = (gen.now - created) / 86400
    status = pick[f"status{next(k for k, (age, _w) in enumerate(STATUS_BY_AGE) if age_days < age)}"]()
    channel = pick["channel"]()
    internal = channel == "INTERNAL"
    buyer = rng.choice(gen.buyers) if internal or rand() < 0.3 else rng.choice(gen.guests)
    branch_id = (rng.choice(gen.branch_by_region[buyer.region]) if rand() < 0.95
                 else rng.choice(gen.all_branches))
    currency = pick["currency"]() if internal else "ZAR"
    if channel == "MUNCH":
        fulfilment = "COLLECTION"
    elif channel == "UBER_EATS":
        fulfilment = "DELIVERY"
    else:
        fulfilment = "DELIVERY" if rand() < 0.75 else "COLLECTION"
    delivery = "EXPRESS" if channel == "UBER_EATS" or (fulfilment == "DELIVERY" and rand() < 0.2) else "STANDARD"

    # Items and money.
    lines = gen.lines[currency]
    chosen = rng.choices(range(len(lines)), cum_weights=gen.variant_cumulative, k=pick["items"]())
    item_status = {"FULFILLED": "FULFILLED", "REFUNDED": "REFUNDED", "PARTIALLY-REFUNDED": "FULFILLED",
                   "CANCELLED": "CANCELLED"}.get(status, "ACTIVE")
    subtotal = tax_total = ZERO
    first_item, first_row = item_id + 1, len(items)
    for position, v in enumerate(chosen):
        head, mrp_s, price_s, _price, per_qty = lines[v]
        qty = pick["quantity"]()
        total, total_s, tax_s, tax = per_qty[qty]
        subtotal += total
        tax_total += tax
        item_id += 1
        state = item_status
        if status == "PARTIALLY-FULFILLED":
            state = "FULFILLED" if position < max(1, len(chosen) // 2) else "ACTIVE"
        items.append((item_id, oid) + head + (qty, mrp_s, price_s, "15.00", "0.00", tax_s, total_s, state,
                                              qty if state == "REFUNDED" else 0))
    percent = (5, 10, 15, 20)[rng.randrange(4)] if rand() < 0.12 else 0
    discount = cents(subtotal * percent / 100) if percent else ZERO
    fee, fee_tax = ((ZERO, ZERO) if fulfilment == "COLLECTION" or subtotal >= gen.free_from[currency]
                    else gen.fees[currency][delivery])
    if percent:
        tax_total = _discounted_tax(items, first_row, percent, currency, fulfilment, delivery)
    tax_total += fee_tax
    total = subtotal - discount + fee
    refunded = ZERO
    if status == "REFUNDED":
        refunded = total
    elif status == "PARTIALLY-REFUNDED":
        refunded = _partial_refund(items, first_item, item_id, total, subtotal)

    # Times (epoch seconds; never in the future, never before the order).
    cap = gen.now - 1
    fulfilled = None
    if status in FULFILLED_LIKE and (status == "FULFILLED" or rand() < 0.7):
        fulfilled = min(created + (0.2 + rand() * 4) * 86400, cap)
    updated = {
        "ORDERED": 60 + rand() * 1800, "PROCESSING": 3600 + rand() * 40000, "DELIVERY-READY": 14400 + rand() * 86400,
        "PARTIALLY-FULFILLED": 86400 + rand() * 172800, "CANCELLED": 600 + rand() * 172800,
    }.get(status)
    if status == "FULFILLED":
        updated_at = fulfilled
    elif status in ("REFUNDED", "PARTIALLY-REFUNDED"):
        updated_at = min((fulfilled or created) + (0.1 + rand() * 14) * 86400, cap)
    else:
        updated_at = min(created + updated, cap)
    updated_at = max(updated_at, created)

    payment_status, pay = _payment(gen, channel, fulfilment, status, total)
    if pay is not None:
        provider, state, amount = pay
        payment_id += 1
        reference = None if provider == "COD" else f"{provider[:3].lower()}_{oid:010d}"
        paid_at = fulfilled if provider == "COD" and state == "completed" and fulfilled else created + 30 + rand() * 600
        payments.append((payment_id, oid, provider, reference, state, str(amount), currency, ts(created + 20),
                         ts(max(min(paid_at, cap), created))))

    staff = gen.staff_by_branch[branch_id]
    placed = datetime.fromtimestamp(created, timezone.utc)
    year = placed.year
    gift = rand() < 0.04
    orders.append((
        oid, f"ORD-{year}-{oid:010d}", buyer.customer_id, buyer.name, buyer.email, buyer.phone, branch_id, channel,
        None if internal else f"{CHANNEL_PREFIX[channel]}-{oid:010d}",  # 10 digits: never a demo shop's
        f"BSK-{oid:010d}" if internal else None,
        "{}",
        None if internal else f'{{"platform": "{channel}", "platform_order_id": "{oid:010d}"}}',
        status, payment_status, fulfilment, delivery, rand() < 0.01, gift,
        rng.choice(names.GIFT_NOTES) if gift else None, pick["language"](),
        rng.choice(names.CUSTOMER_NOTES) if rand() < 0.08 else None,
        currency, str(subtotal), str(discount), str(tax_total), str(fee), str(total), str(refunded),
        buyer.address_json, buyer.address_json,
        gen.invoices.issue(branch_id, placed), ts(created),  # invoiced when placed
        ts(created + (86400 if delivery == "EXPRESS" or fulfilment == "COLLECTION" else 3 * 86400)),
        ts(fulfilled) if fulfilled else None,
        ts(created), ts(updated_at),
        rng.choice(staff) if internal and rand() < 0.05 else None,
        rng.choice(staff) if status != "ORDERED" else None,
        1,
    ))
    return item_id, payment_id


def _discounted_tax(items: list, start: int, percent: int, currency: str, fulfilment: str, delivery: str) -> Decimal:
    """A discounted order's lines (``items[start:]``) priced by ``pricing.price_basket`` (the discount spread over
    the lines, VAT after it): rewrite the lines' tax and return the lines' VAT."""
    rows = items[start:]
    priced = pricing.price_basket([Line(quantity=r[8], unit_price=Decimal(r[10])) for r in rows], currency=currency,
                                  fulfilment=fulfilment, delivery=delivery, discount_percent=percent)
    for k, (row, line) in enumerate(zip(rows, priced.lines)):
        items[start + k] = row[:13] + (str(line.tax_amount),) + row[14:]
    return priced.tax_total - priced.delivery_tax


def _partial_refund(items: list, first: int, last: int, total: Decimal, subtotal: Decimal) -> Decimal:
    """Refund one unit of the last line (marking it refunded when that was its only unit), or, when that would
    be everything paid, a 20% goodwill credit that touches no item."""
    row = items[-1]
    qty, unit = row[8], Decimal(row[10])
    if (last > first or qty > 1) and unit < total:
        items[-1] = row[:15] + ("REFUNDED", 1) if qty == 1 else row[:16] + (1,)
        return unit
    return cents(total * Decimal("0.2"))


def _payment(gen: _Generator, channel: str, fulfilment: str, status: str,
             total: Decimal) -> tuple[str, tuple[str, str, Decimal] | None]:
    """(payment_status, (provider, payment state, amount) or None), consistent with the order's status."""
    r = gen.rng.random()
    if channel != "INTERNAL":
        provider = "CHANNEL"
    elif fulfilment == "DELIVERY":
        provider = "CARD" if r < 0.7 else "EFT" if r < 0.82 else "COD"
    else:
        provider = "CARD" if r < 0.8 else "EFT"
    r = gen.rng.random()
    if status == "CANCELLED":
        if r < 0.6:
            return "VOIDED", (provider, "cancelled", total)  # nothing owed: the attempt was voided
        if r < 0.85:
            return "FAILED", (provider, "failed", total)
        return "EXPIRED", (provider, "expired", total)
    if status in ("REFUNDED", "PARTIALLY-REFUNDED"):
        return status, (provider, "completed", total)
    if provider == "COD":
        if status == "FULFILLED":
            return "PAID", (provider, "completed", total)
        return "PENDING", (provider, "pending", total)
    if status == "ORDERED" and provider == "CARD":
        if r < 0.75:
            return "PAID", (provider, "completed", total)
        if r < 0.85:
            return "PENDING", (provider, "pending", total)
        if r < 0.93:
            return "AUTHORIZED", (provider, "authorized", total)
        return "FAILED", (provider, "failed", total)
    if status == "ORDERED" and provider == "EFT":
        if r < 0.6:
            return "PENDING", (provider, "pending", total)
        if r < 0.9:
            return "PAID", (provider, "completed", total)
        return "PARTIALLY-PAID", (provider, "completed", cents(total / 2))
    if status in ("PROCESSING", "DELIVERY-READY") and provider == "CARD" and r < 0.05:
        return "AUTHORIZED", (provider, "authorized", total)
    if status == "FULFILLED" and r < 0.003:
        return "DISPUTED", (provider, "disputed", total)
    return "PAID", (provider, "completed", total)
