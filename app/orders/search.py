"""The order search: code, external reference, customer name, email or phone; substring, case-insensitive.

Served by an index on both databases (migration 0002), over a narrow copy of the searched fields that
triggers keep in sync, so checking candidates never reads the wide orders rows. Only the plan differs per
database; the rows found are the same.

Exact first (migration 0006): a search that is a whole order code, email address or phone number is first
looked up by equality on an index (a phone number by its digits, in national or international form). When
that finds an order the list would show, the list shows the orders with exactly that value; otherwise the
substring search runs as usual (so "ORD-2026-00001", which is no order's code, still finds ORD-2026-000012).
"""
from __future__ import annotations

import functools
import re

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Order

# - PostgreSQL: order_search(order_id, doc, branch_id) with a GIN index on (branch_id, doc gin_trgm_ops)
#   (btree_gin), the fields lower-cased and joined by chr(1) so a search never matches across two of them
#   (chr(1) is stripped from the search text); a search limited to some branches reads only their matches.
PG_SEARCH = sa.table("order_search", sa.column("order_id", sa.Integer), sa.column("doc", sa.Text),
                     sa.column("branch_id", sa.Integer))
# - SQLite: an FTS5 table with the trigram tokenizer (external content = orders, kept in sync by triggers).
#   Trigrams need at least three characters; shorter searches fall back to LIKE.
SQLITE_FTS_TABLE = "orders_fts"
TRIGRAM_MIN = 3
FTS_PIECE = 5
FTS_PROBES = 6
FTS_PROBE_LIMIT = 2000
SEARCH_COLUMNS = (Order.code, Order.external_reference, Order.customer_name, Order.customer_email,
                  Order.customer_phone)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# What a whole order code, email address and phone number look like.
CODE_SHAPE = re.compile(r"[A-Z]{2,5}-\d{4}-\d{4,}", re.IGNORECASE)  # ORD-2026-000123
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_SHAPE = re.compile(r"\+?[\d\s().\-/]+")
PHONE_MIN_DIGITS = 8  # fewer digits are a fragment (of a code, a number), searched as a substring


def search_condition(q: str, dialect: str | None = None, *, many: bool = False, within: sa.Select | None = None,
                     branches: list[int] | None = None):
    """Order code, external reference, customer name, email or phone; substring, case-insensitive, after
    trying an exact code, email or phone lookup.

    ``within``: the orders the list would show without the search (scope and other filters); the exact
    lookup is used when it finds one of them (all orders when not given). ``many``: the search is known to
    match many orders, so a sorted page is better read in sort order, checking each order, than by fetching
    every match. ``branches``: the caller keeps only orders of these branches (its scope or filter), so
    matches of other branches need not be read; the caller still applies that condition itself."""
    dialect = dialect or _dialect()
    exact = exact_condition(q, dialect)
    if exact is not None:
        probe = (sa.select(Order.id) if within is None else within.with_only_columns(Order.id)).where(exact)
        if db.session.scalar(probe.order_by(None).limit(1)) is not None:
            return exact
    return substring_condition(q, dialect, many=many, branches=branches)


def exact_condition(q: str, dialect: str):
    """An equality condition on an index when ``q`` is a whole order code, email address or phone number."""
    text = q.strip()
    if CODE_SHAPE.fullmatch(text):
        return Order.code == text.upper()  # codes are upper case (unique index on orders.code)
    if EMAIL_SHAPE.fullmatch(text):
        if dialect == "postgresql":
            return sa.func.lower(Order.customer_email) == text.lower()
        return Order.customer_email.collate("NOCASE") == text
    keys = phone_keys(text, current_app.config["PHONE_COUNTRY_CODE"])
    return Order.customer_phone_digits.in_(keys) if keys else None


def phone_keys(text: str, country_code: str) -> list[str]:
    """The digit strings a stored phone number (``Order.customer_phone_digits``: digits as typed) may have
    when it is the number ``text``, in national (0XX...) or international (+CC XX..., 00CC XX...) form.

    ``0827790876``, ``082 779 0876``, ``+27827790876`` and ``27827790876`` all give ``27827790876`` (stored
    as "+27 82 779 0876"), ``0827790876`` (stored nationally) and ``0027827790876``."""
    if not PHONE_SHAPE.fullmatch(text):
        return []
    digits = re.sub(r"\D", "", text.replace("(0)", ""))
    if len(digits) < PHONE_MIN_DIGITS:
        return []
    if text.startswith("+"):
        international = [digits]
    elif digits.startswith("00"):
        international = [digits[2:]]
    elif digits.startswith("0"):
        international = [country_code + digits[1:]]
    else:  # international without "+", or national without its leading 0
        international = [digits, country_code + digits]
    keys = []
    for number in international:
        keys += [number, "00" + number]
        if number.startswith(country_code):
            keys.append("0" + number[len(country_code):])
    return sorted(set(keys))


def substring_condition(q: str, dialect: str, *, many: bool = False, branches: list[int] | None = None):
    """Order code, external reference, customer name, email or phone containing ``q``, case-insensitive
    (``many`` and ``branches``: as in ``search_condition``)."""
    q = q.replace("\x01", "")
    if dialect == "postgresql":
        # Backslash is PostgreSQL's default LIKE escape; no ESCAPE clause keeps the index usable.
        pattern = f"%{_escape_like(q.lower())}%"
        if many:
            # Check each order's document while walking the sort index, stopping after one page. (The planner
            # cannot estimate a trigram search and would otherwise fetch and sort every match.)
            doc = sa.select(PG_SEARCH.c.doc).where(PG_SEARCH.c.order_id == Order.id).scalar_subquery()
            return doc.like(pattern)
        matches = sa.select(PG_SEARCH.c.order_id).where(PG_SEARCH.c.doc.like(pattern))
        if branches is not None:
            matches = matches.where(PG_SEARCH.c.branch_id.in_(branches))
        return Order.id.in_(matches)
    if dialect == "sqlite" and len(q) >= TRIGRAM_MIN:
        return _sqlite_fts_condition(q, many)
    return _like_condition(q)


def _like_condition(q: str):
    pattern = f"%{_escape_like(q.lower())}%"
    return sa.or_(*(sa.func.lower(c).like(pattern, escape="\\") for c in SEARCH_COLUMNS))


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fts_rows(match: str, limit: int | None = None) -> int:
    inner = f"SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH :m"
    if limit:
        inner += f" LIMIT {int(limit)}"
    return db.session.execute(sa.text(f"SELECT count(*) FROM ({inner})"), {"m": match}).scalar()


@functools.lru_cache(maxsize=1024)
def _fts_plan(q: str) -> tuple[str, bool]:
    """How to run a search on FTS5: (MATCH expression, needs a LIKE re-check).

    An FTS5 phrase reads the row list of every trigram in it, and in a long search (an email address) most
    trigrams ("exa", "com", "ple") occur in nearly every row: 70-100 ms on a million orders. So a few short
    pieces spread over the search are probed (each probe stops at FTS_PROBE_LIMIT rows); the two rarest
    narrow the candidates and a LIKE re-check keeps the result exact. Only the plan depends on the data,
    never the result, so caching it per process is safe."""
    phrase = _fts_phrase(q)
    if len(q) <= FTS_PIECE + 1:
        return phrase, False
    starts = sorted({round(i * (len(q) - FTS_PIECE) / (FTS_PROBES - 1)) for i in range(FTS_PROBES)})
    pieces = list(dict.fromkeys(q[i:i + FTS_PIECE] for i in starts))
    probes = sorted((_fts_rows(_fts_phrase(p), FTS_PROBE_LIMIT), p) for p in pieces)
    rare = [p for n, p in probes[:2] if n < FTS_PROBE_LIMIT]
    if not rare:
        return phrase, False
    return " AND ".join(_fts_phrase(p) for p in rare), True


def _sqlite_fts_condition(q: str, many: bool):
    match, recheck = _fts_plan(q)
    fts = sa.table(SQLITE_FTS_TABLE, sa.column("rowid"))
    matches = sa.select(fts.c.rowid).where(sa.literal_column(SQLITE_FTS_TABLE).op("MATCH")(match))
    # Many matches: "+id" stops SQLite from driving the page by the match list (fetch and sort thousands of
    # rows); it walks the sort index instead and checks membership, stopping after one page.
    id_col = sa.literal_column(f"+{Order.__tablename__}.id", sa.Integer) if many else Order.id
    condition = id_col.in_(matches)
    return sa.and_(condition, _like_condition(q)) if recheck else condition


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
