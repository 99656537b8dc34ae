"""Shared state of one demo-shop load: the seeded random source, the clock, id and code counters, actors.

Ids are assigned here rather than by the database so that a whole order story (its events naming parcel and
refund ids) can be built in memory first and inserted table by table afterwards; event ids then follow the
story's time order, which is the order the timeline shows them in.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.actors import Actor
from app.demo.base import ShopBase
from app.extensions import db
from app.models import StaffRole, StaffUser
from app.orders.invoices import InvoiceBook


class Ids:
    """Next free id per table, starting after what the table already holds."""

    def __init__(self, tables: list[sa.Table]) -> None:
        self._next = {t.name: int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0)))) + 1
                      for t in tables}
        self.tables = [t.name for t in tables]

    def __call__(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value


class Codes:
    """Running numbers for human codes (ORD-2026-000123, PCL-..., REF-..., QUO-...), one sequence per prefix."""

    def __init__(self, start: int = 100) -> None:
        self._counters: dict[str, int] = defaultdict(lambda: start)

    def __call__(self, prefix: str, when: datetime) -> str:
        self._counters[prefix] += 1
        return f"{prefix}-{when.year}-{self._counters[prefix]:06d}"


@dataclass
class DemoContext:
    rng: random.Random
    now: datetime
    base: ShopBase
    ids: Ids
    codes: Codes = field(default_factory=Codes)
    invoices: InvoiceBook = field(default_factory=InvoiceBook)  # numbered as checkout numbers them
    created: dict[str, list] = field(default_factory=lambda: defaultdict(list))  # phase -> objects

    def branch_name(self, branch_id: int) -> str:
        return next(b.name for b in self.base.branches if b.id == branch_id)

    @property
    def cap(self) -> datetime:
        """Nothing in the demo happens later than a minute ago."""
        return self.now - timedelta(minutes=1)

    def staff_actor(self, branch_id: int) -> tuple[Actor, StaffUser]:
        """Someone at the branch (staff-level moves: processing, packing, cancelling before dispatch)."""
        people = [u for u in self.base.staff if u.role == StaffRole.STAFF and branch_id in u.branch_ids]
        user = self.rng.choice(people or self.base.staff)
        return Actor.staff(user), user

    def manager_actor(self, branch_id: int) -> tuple[Actor, StaffUser]:
        """A manager of the branch, or the admin: refund approvals and late cancellations need one."""
        people = [u for u in self.base.staff if u.role == StaffRole.MANAGER and branch_id in u.branch_ids]
        people = people or [u for u in self.base.staff if u.role == StaffRole.ADMIN]
        user = self.rng.choice(people)
        return Actor.staff(user), user
