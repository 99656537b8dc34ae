"""The order search: code, external reference, customer name, email or phone; substring, case-insensitive.

Served by an index on both databases (migration 0002), over a narrow copy of the searched fields that
triggers keep in sync, so checking candidates never reads the wide orders rows. Only the plan differs per
database; the rows found are the same.
"""
from __future__ import annotations

import functools

import sqlalchemy as sa

from app.extensions import db
from app.models import Order

# - PostgreSQL: order_search(order_id, doc) with a pg_trgm GIN index on doc, the fields lower-cased and joined
#   by chr(1) so a search never matches across two of them (chr(1) is stripped from the search text).
PG_SEARCH = sa.table("order_search", sa.column("order_id", sa.Integer), sa.column("doc", sa.Text))
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


def search_condition(q: str, dialect: str | None = None, *, many: bool = False):
    """Order code, external reference, customer name, email or phone; substring, case-insensitive.

    ``many``: the search is known to match many orders, so a sorted page is better read in sort order,
    checking each order, than by fetching every match."""
    q = q.replace("\x01", "")
    dialect = dialect or _dialect()
    if dialect == "postgresql":
        # Backslash is PostgreSQL's default LIKE escape; no ESCAPE clause keeps the index usable.
        pattern = f"%{_escape_like(q.lower())}%"
        if many:
            # Check each order's document while walking the sort index, stopping after one page. (The planner
            # cannot estimate a trigram search and would otherwise fetch and sort every match.)
            doc = sa.select(PG_SEARCH.c.doc).where(PG_SEARCH.c.order_id == Order.id).scalar_subquery()
            return doc.like(pattern)
        return Order.id.in_(sa.select(PG_SEARCH.c.order_id).where(PG_SEARCH.c.doc.like(pattern)))
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
