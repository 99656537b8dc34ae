"""The shop's time zone: the one place that knows it and converts to and from it.

The database keeps aware UTC (``UTCDateTime``). People read and mean local time: pages show it with the zone
("2 Dec 2026 14:05 SAST"), the date filters take local days (``created_to=2026-12-01`` is the whole of
1 December in Johannesburg, ``today`` is the local today), exports write ISO times with the offset.

``SHOP_TIMEZONE`` (an IANA name, default ``Africa/Johannesburg``) is checked when the app starts. A branch may
name its own zone (``Branch.timezone``); its order pages use it, lists, filters and exports use the shop's.

``now()`` is the clock the date filters read; tests replace it (``monkeypatch.setattr(localtime, "now", ...)``).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT_ZONE = "Africa/Johannesburg"
UTC = timezone.utc


class UnknownTimeZone(ValueError):
    """A zone name that is not in the IANA database."""


@lru_cache(maxsize=64)
def load_zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (IANA, e.g. ``Europe/London``), or ``UnknownTimeZone`` saying what is wrong."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Africa"
        raise UnknownTimeZone(f"“{name}” is not a known time zone; use an IANA name such as "
                              f"{DEFAULT_ZONE} or Europe/London.") from None


def shop_zone() -> ZoneInfo:
    """The shop's zone: ``SHOP_TIMEZONE`` of the running app (the default outside one)."""
    name = current_app.config.get("SHOP_TIMEZONE") if has_app_context() else None
    return load_zone(name or DEFAULT_ZONE)


def zone_of(branch) -> ZoneInfo:
    """A branch's own zone when it has one, else the shop's."""
    name = getattr(branch, "timezone", None)
    return load_zone(name) if name else shop_zone()


def now() -> datetime:
    """The current moment, aware UTC."""
    return datetime.now(UTC)


def to_local(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    return value.astimezone(zone or shop_zone())


def today(zone: ZoneInfo | None = None, *, at: datetime | None = None) -> date:
    """The local date in ``zone`` at ``at`` (default: now)."""
    return to_local(at or now(), zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first moment of the local ``day``, in UTC (a day may last 23 or 25 hours)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def day_end(day: date, zone: ZoneInfo) -> datetime:
    """The last microsecond of the local ``day``, in UTC."""
    return day_start(day + timedelta(days=1), zone) - timedelta(microseconds=1)


def offset_text(offset: timedelta) -> str:
    """``+02:00``, ``-03:30``."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_note(zone: ZoneInfo | None = None, *, year: int | None = None) -> str:
    """How a column of local times names its zone: "SAST, UTC+02:00" for a zone with one offset all year,
    else the zone's name ("Europe/London"), since its offset changes."""
    zone = zone or shop_zone()
    year = year or now().year
    moments = [datetime(year, month, 1, 12, tzinfo=UTC).astimezone(zone) for month in (1, 7)]
    if moments[0].utcoffset() == moments[1].utcoffset():
        return f"{moments[0].tzname()}, UTC{offset_text(moments[0].utcoffset())}"
    return zone.key


def display(value: datetime, zone: ZoneInfo | None = None) -> str:
    """"2 Dec 2026 14:05 SAST": local time with the zone's abbreviation."""
    local = to_local(value, zone)
    return f"{local.day} {local:%b %Y %H:%M} {local.tzname()}"


@lru_cache(maxsize=64)
def fixed_offset(zone_name: str) -> timedelta | None:
    """The zone's one UTC offset when it has no other from 1970 to 2100 (Africa/Johannesburg: +02:00), else
    None (a zone with daylight saving time, or one that changed its offset). Checked day by day, once per zone:
    exports then convert with a constant, as cheap as printing UTC."""
    zone = load_zone(zone_name)
    moment, end = datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        if moment.astimezone(zone).utcoffset() != offset:
            return None
        moment += timedelta(days=1)
    return offset


@lru_cache(maxsize=100_000)
def _hour_offset(zone_name: str, utc_hour: str) -> tuple[timedelta, str] | None:
    """(offset, "+01:00") for a whole UTC hour ("2026-07-01 12") when the offset is the same all through it."""
    start = datetime.fromisoformat(utc_hour + ":00").replace(tzinfo=UTC)
    zone = load_zone(zone_name)
    offset = start.astimezone(zone).utcoffset()
    if (start + timedelta(minutes=59, seconds=59, microseconds=999999)).astimezone(zone).utcoffset() != offset:
        return None
    return offset, offset_text(offset)


def iso_local(value: str | datetime | None, zone_name: str) -> str | None:
    """``2026-12-02T14:05:00+02:00``: a UTC moment (a datetime, or SQLite's naive UTC text) as local ISO time
    with its offset, to the second. SQLite's exports call it as the SQL function ``local_iso`` for zones
    without a fixed offset; the offset is looked up once per hour of data."""
    if value is None:
        return None
    if isinstance(value, str):
        if (hour := _hour_offset(zone_name, value[:13])) is not None:
            return (datetime.fromisoformat(value[:19]) + hour[0]).isoformat() + hour[1]
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(load_zone(zone_name)).replace(microsecond=0).isoformat()


def register_sqlite_functions(dbapi_conn) -> None:
    """``local_iso(utc_text, zone_name)`` on a SQLite connection (PostgreSQL has ``AT TIME ZONE``)."""
    dbapi_conn.create_function("local_iso", 2, iso_local, deterministic=True)


def check_config(config) -> None:
    """At start-up: ``SHOP_TIMEZONE`` must name a real zone (a clear error, not wrong times later)."""
    name = config.get("SHOP_TIMEZONE") or DEFAULT_ZONE
    try:
        load_zone(name)
    except UnknownTimeZone as exc:
        raise RuntimeError(f"SHOP_TIMEZONE: {exc}") from None
