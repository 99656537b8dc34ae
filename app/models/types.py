"""Column types shared by every model: UTC timestamps, money, JSON and string enums."""
from __future__ import annotations

import enum
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC in Python on every database.

    PostgreSQL stores timestamptz; SQLite stores naive UTC text, so values read back are
    re-tagged as UTC and values written are converted to UTC first.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


MONEY = sa.Numeric(12, 2, asdecimal=True)
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

# Reusable annotated column types (SQLAlchemy 2 style).
money = Annotated[Decimal, mapped_column(MONEY, nullable=False, default=Decimal("0.00"))]
created_ts = Annotated[datetime, mapped_column(UTCDateTime, nullable=False, default=utcnow)]
updated_ts = Annotated[datetime, mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)]


def str_enum(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A string column holding the enum's *value* (e.g. 'DELIVERY-READY'), no native DB enum."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class EventColumns:
    """Columns every timeline table shares: when, who (actor), the status move, a message and data."""

    created_at: Mapped[created_ts]
    actor_type: Mapped[str] = mapped_column(sa.String(16))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(160), default="")  # the actor's name at the time
    from_status: Mapped[str | None] = mapped_column(sa.String(32))
    to_status: Mapped[str | None] = mapped_column(sa.String(32))
    message: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)


# What people put between the digits of a phone number; "(0)" is the national trunk digit some write after
# the country code ("+27 (0)82 ..."). Removing them leaves the digits (and whatever else was typed).
PHONE_SEPARATORS = ("(0)", " ", "+", "-", "(", ")", ".", "/")


def phone_digits_sql(column: str) -> str:
    """SQL for the digits of a phone number as stored, the same on SQLite and PostgreSQL (nested replace(),
    no regular expressions): ``+27 82 779 0876`` gives ``27827790876``, ``082 779 0876`` gives ``0827790876``."""
    sql = column
    for separator in PHONE_SEPARATORS:
        sql = f"replace({sql}, '{separator}', '')"
    return sql
