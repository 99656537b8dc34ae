"""Invoice numbers: ``<branch code>-<year>-<sequence>``, e.g. ``CPT-2026-000042``.

One sequence per branch and year (the year of the order in the shop's time zone). The next number is taken by
one upsert on ``invoice_sequences`` inside the order's own transaction: the row stays locked until the order
commits (a second checkout of the same branch waits for it), and a rolled-back checkout gives its number back,
so numbers are sequential without gaps. Loaders that number many orders at once (the demo shop, the bulk
generator) use an ``InvoiceBook``: same format, same sequence, written back at the end of their transaction.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.localtime import shop_zone
from app.models import Branch, InvoiceSequence, Order
from app.models.types import utcnow

def invoice_year(moment: datetime, zone: ZoneInfo | None = None) -> int:
    """The year an invoice of ``moment`` belongs to: the local year in the shop's zone."""
    return moment.astimezone(zone or shop_zone()).year


def format_invoice_number(branch_code: str, year: int, number: int) -> str:
    return f"{branch_code}-{year}-{number:06d}"


def next_number(branch_id: int, year: int) -> int:
    """The next number of the branch's ``year`` sequence, taken in the current transaction (row locked)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = InvoiceSequence.__table__
    stmt = (insert(table).values(branch_id=branch_id, year=year, last_number=1)
            .on_conflict_do_update(index_elements=[table.c.branch_id, table.c.year],
                                   set_={"last_number": table.c.last_number + 1})
            .returning(table.c.last_number))
    return int(db.session.execute(stmt).scalar_one())


def issue_invoice_number(order: Order) -> str:
    """Give ``order`` its invoice number and date (once: an order that has one keeps it). Flushes nothing else."""
    if order.invoice_number:
        return order.invoice_number
    branch = order.branch or db.session.get(Branch, order.branch_id)
    year = invoice_year(order.created_at or utcnow())
    order.invoice_number = format_invoice_number(branch.code, year, next_number(branch.id, year))
    order.invoice_date = utcnow()
    return order.invoice_number


class InvoiceBook:
    """Invoice numbers for a loader that writes many orders in one transaction: read the sequences once, hand
    out numbers in memory, write the last ones back with ``rows()`` (or ``save()`` through the session)."""

    def __init__(self) -> None:
        self.codes = {branch_id: code for branch_id, code in db.session.execute(sa.select(Branch.id, Branch.code))}
        self.last = {(s.branch_id, s.year): s.last_number for s in db.session.scalars(sa.select(InvoiceSequence))}
        self.touched: set[tuple[int, int]] = set()
        self.zone = shop_zone()

    def issue(self, branch_id: int, moment: datetime) -> str:
        key = (branch_id, invoice_year(moment, self.zone))
        self.last[key] = number = self.last.get(key, 0) + 1
        self.touched.add(key)
        return format_invoice_number(self.codes[branch_id], key[1], number)

    def rows(self) -> list[tuple[int, int, int]]:
        """(branch_id, year, last_number) of every sequence this book moved on."""
        return [(b, y, self.last[(b, y)]) for b, y in sorted(self.touched)]

    def save(self) -> None:
        """Write the sequences back through the session (in the loader's transaction)."""
        table = InvoiceSequence.__table__
        for branch_id, year, last in self.rows():
            db.session.execute(sa.delete(table).where(table.c.branch_id == branch_id, table.c.year == year))
            db.session.execute(sa.insert(table).values(branch_id=branch_id, year=year, last_number=last))
