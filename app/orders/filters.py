"""The one order filter vocabulary, shared by the order list, the exports and the JSON API.

``parse_order_filter(args)`` turns query parameters into an ``OrderFilter`` and collects a clear message
per bad parameter in ``errors`` (the page shows them; the API answers 400). ``OrderFilter.to_args()``
turns it back into query parameters, so a filter round-trips through URLs, saved views and export jobs.

Dates are local days of the shop's time zone (``app.localtime``): ``created_to=2026-12-01`` ends at the last
moment of 1 December in Johannesburg, ``today``/``week``/``-7d`` are counted in local days from the moment the
filter is parsed (``parse_order_filter(..., now=...)``), so saved views with relative dates follow the clock.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from app import localtime

from app.ids import MAX_ID
from app.models.order import SalesChannel
from app.orders.status import DeliveryMethod, FulfilmentMethod, OrderStatus, PaymentStatus

PER_PAGE_CHOICES = (20, 50, 100)
SORT_KEYS = ("placed", "modified", "total", "code", "customer")
SORT_ALIASES = {"created": "placed", "created_at": "placed", "updated": "modified", "updated_at": "modified"}
MAX_PAGE = 1_000_000
MAX_Q = 100
DATE_RANGE = (date(2000, 1, 1), date(2099, 12, 31))  # the dates a filter accepts (an order desk's lifetime)
_YEAR = re.compile(r"^([0-9]{4,})-")


@dataclass
class OrderFilter:
    q: str | None = None
    status: list[OrderStatus] = field(default_factory=list)
    payment_status: list[PaymentStatus] = field(default_factory=list)
    method: FulfilmentMethod | None = None
    delivery: DeliveryMethod | None = None
    channel: list[SalesChannel] = field(default_factory=list)
    branch: list[int] = field(default_factory=list)
    branch_group: int | None = None
    customer: int | None = None
    currency: str | None = None
    gift_box: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    modified_from: datetime | None = None
    modified_to: datetime | None = None
    total_min: Decimal | None = None
    total_max: Decimal | None = None
    sort: str = "placed"
    direction: str = "desc"
    page: int = 1
    per_page: int = 50
    errors: dict[str, str] = field(default_factory=dict)
    zone: ZoneInfo = field(default_factory=localtime.shop_zone, compare=False, repr=False)  # whose days

    # Parameters that narrow the set (as opposed to sorting and paging).
    NARROWING = (
        "q", "status", "payment_status", "method", "delivery", "channel", "branch", "branch_group", "customer",
        "currency", "gift_box", "created_from", "created_to", "modified_from", "modified_to", "total_min",
        "total_max",
    )

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, n) not in (None, [], "") for n in self.NARROWING)

    def to_args(self, *, paging: bool = True) -> list[tuple[str, str]]:
        """Query parameters for this filter (repeated keys for lists), defaults left out."""
        out: list[tuple[str, str]] = []
        defaults = OrderFilter()
        for f in fields(self):
            name = f.name
            if name in ("errors", "zone") or (not paging and name in ("page", "per_page")):
                continue
            value = getattr(self, name)
            if value == getattr(defaults, name) or value is None:
                continue
            for v in value if isinstance(value, list) else [value]:
                out.append((name, _format(name, v, self.zone)))
        return out

    def local_date(self, name: str) -> date | None:
        """The local day of a date bound (``created_from`` ...), as the filter panel's date input shows it."""
        value = getattr(self, name)
        return None if value is None else localtime.to_local(value, self.zone).date()

    def to_dict(self) -> dict[str, list[str]]:
        """JSON-friendly form (stored on export jobs)."""
        result: dict[str, list[str]] = {}
        for k, v in self.to_args(paging=False):
            result.setdefault(k, []).append(v)
        return result

    def chips(self) -> list[tuple[str, str, str]]:
        """(parameter, value, label) for every active narrowing value, to show as removable chips."""
        labels = {
            "q": "Search", "status": "Status", "payment_status": "Payment", "method": "Method",
            "delivery": "Delivery", "channel": "Channel", "branch": "Branch", "branch_group": "Branch group",
            "customer": "Customer", "currency": "Currency", "gift_box": "Gift box", "created_from": "Placed from",
            "created_to": "Placed to", "modified_from": "Modified from", "modified_to": "Modified to",
            "total_min": "Total ≥", "total_max": "Total ≤",
        }
        return [(k, v, f"{labels[k]}: {_value_label(k, v)}") for k, v in self.to_args(paging=False) if k in labels]


_ENUM_PARAMS = {"status": OrderStatus, "payment_status": PaymentStatus, "channel": SalesChannel,
                "method": FulfilmentMethod, "delivery": DeliveryMethod}


def _value_label(name: str, value: str) -> str:
    """What a person reads on a chip: "Uber Eats", not "UBER_EATS"."""
    if name in _ENUM_PARAMS:
        member = _ENUM_PARAMS[name](value)
        return getattr(member, "label", None) or value.title()
    if name == "gift_box":
        return "yes" if value == "1" else "no"
    return value


def _format(name: str, value, zone: ZoneInfo) -> str:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        local = localtime.to_local(value, zone)
        bound = localtime.day_end if name.endswith("_to") else localtime.day_start
        if value == bound(local.date(), zone):  # a whole local day: the date alone
            return local.date().isoformat()
        return local.isoformat()  # with its offset, so it means the same moment wherever it is read
    return str(value)


def _raw(args, name: str) -> list[str]:
    if hasattr(args, "getlist"):
        return args.getlist(name)
    value = args.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _values(args, name: str) -> list[str]:
    """Repeated parameters and comma-separated lists both work (seed 000 uses the latter)."""
    raw = _raw(args, name)
    return [v.strip() for item in raw for v in str(item).split(",") if v.strip()]


def _single(args, name: str) -> str | None:
    """One value (the last one given), unsplit: ``total_min=1,5`` is an error, not a silent 5.00."""
    raw = _raw(args, name)
    value = raw[-1].strip() if raw else ""
    return value or None


def _enum_list(args, name, enum_cls, errors, label):
    out = []
    for v in _values(args, name):
        try:
            member = enum_cls(v.upper())
        except ValueError:
            allowed = ", ".join(m.value for m in enum_cls)
            errors[name] = f"Unknown {label} “{v}”. Choose from {allowed}."
            continue
        if member not in out:
            out.append(member)
    return out


def _int(value: str, name: str, errors, label: str, minimum: int = 1) -> int | None:
    try:
        n = int(value)
    except ValueError:
        errors[name] = f"{label} must be a whole number."
        return None
    if n < minimum or n > MAX_ID:
        errors[name] = f"{label} is out of range."
        return None
    return n


RELATIVE_DATES = ("today", "yesterday", "week", "month")
_DAYS_AGO = re.compile(r"^-(\d{1,3})d$")


def resolve_relative_date(token: str, today: date | None = None) -> date | None:
    """Tokens saved views use so "today" means the day they are opened: today, yesterday, week (Monday of
    this week), month (the 1st), -7d (seven days ago), counted from ``today`` (default: the shop's local
    today). None when ``token`` is not one of them."""
    today = today or localtime.today()
    token = token.strip().lower()
    if token == "today":
        return today
    if token == "yesterday":
        return today - timedelta(days=1)
    if token == "week":
        return today - timedelta(days=today.weekday())
    if token == "month":
        return today.replace(day=1)
    if m := _DAYS_AGO.match(token):
        return today - timedelta(days=int(m.group(1)))
    return None


def _datetime(value: str | None, name: str, errors, *, end: bool, zone: ZoneInfo,
              today: date) -> datetime | None:
    """A date bound as an aware UTC moment: a day (``2026-12-01``, ``today``) is the whole local day in
    ``zone``; a time with an offset is that moment; a time without one is local time."""
    if not value:
        return None
    if (message := _out_of_range(value)) is not None:
        errors[name] = message
        return None
    try:
        day = resolve_relative_date(value, today)
        if day is None and len(value) == 10:
            day = date.fromisoformat(value)
        if day is not None:
            return (localtime.day_end if end else localtime.day_start)(day, zone)
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (dt if dt.tzinfo else dt.replace(tzinfo=zone)).astimezone(localtime.UTC)
    except (ValueError, OverflowError):  # OverflowError: a day at the very edge of the calendar
        errors[name] = f"“{value}” is not a date (use YYYY-MM-DD)."
        return None


def _out_of_range(value: str) -> str | None:
    """A message when ``value`` looks like a date (YYYY-MM-DD...) whose year is outside DATE_RANGE."""
    if (m := _YEAR.match(value)) and not DATE_RANGE[0].year <= int(m.group(1)) <= DATE_RANGE[1].year:
        return f"“{value}” is out of range: use a date from {DATE_RANGE[0]} to {DATE_RANGE[1]}."
    return None


def _money(value: str | None, name: str, errors, label: str) -> Decimal | None:
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        errors[name] = f"{label} must be an amount such as 199.95."
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("10000000000"):
        errors[name] = f"{label} must be an amount such as 199.95."
        return None
    return amount.quantize(Decimal("0.01"))


def parse_order_filter(args, *, now: datetime | None = None) -> OrderFilter:
    """Parse query parameters (a MultiDict or a dict of lists); never raises on bad input. Relative dates
    count from ``now`` (default: the clock, ``localtime.now()``) in the shop's time zone."""
    errors: dict[str, str] = {}
    f = OrderFilter(errors=errors)
    today = localtime.today(f.zone, at=now)

    if q := (_single_raw(args, "q") or "").strip():
        if len(q) > MAX_Q:
            errors["q"] = f"Search text is at most {MAX_Q} characters."
        f.q = q[:MAX_Q]
    f.status = _enum_list(args, "status", OrderStatus, errors, "status")
    f.payment_status = _enum_list(args, "payment_status", PaymentStatus, errors, "payment status")
    f.channel = _enum_list(args, "channel", SalesChannel, errors, "channel")
    for name, enum_cls, label in (("method", FulfilmentMethod, "method"), ("delivery", DeliveryMethod, "delivery")):
        values = _enum_list(args, name, enum_cls, errors, label)
        setattr(f, name, values[-1] if values else None)

    for v in _values(args, "branch"):
        if (n := _int(v, "branch", errors, "Branch")) is not None and n not in f.branch:
            f.branch.append(n)
    for name, label in (("branch_group", "Branch group"), ("customer", "Customer")):
        if (v := _single(args, name)) is not None:
            setattr(f, name, _int(v, name, errors, label))

    if currency := _single(args, "currency"):
        if len(currency) == 3 and currency.isalpha():
            f.currency = currency.upper()
        else:
            errors["currency"] = "Currency is a three-letter ISO 4217 code such as ZAR."
    if (gift := _single(args, "gift_box")) is not None:
        if gift.lower() in ("1", "true", "yes", "on"):
            f.gift_box = True
        elif gift.lower() in ("0", "false", "no", "off"):
            f.gift_box = False
        else:
            errors["gift_box"] = "Gift box is yes or no."

    for name in ("created_from", "modified_from"):
        setattr(f, name, _datetime(_single(args, name), name, errors, end=False, zone=f.zone, today=today))
    for name in ("created_to", "modified_to"):
        setattr(f, name, _datetime(_single(args, name), name, errors, end=True, zone=f.zone, today=today))
    for a, b, label in (("created_from", "created_to", "Placed"), ("modified_from", "modified_to", "Modified")):
        if getattr(f, a) and getattr(f, b) and getattr(f, a) > getattr(f, b):
            errors[b] = f"{label} “to” is before “from”."

    f.total_min = _money(_single(args, "total_min"), "total_min", errors, "Minimum total")
    f.total_max = _money(_single(args, "total_max"), "total_max", errors, "Maximum total")
    if f.total_min is not None and f.total_max is not None and f.total_min > f.total_max:
        errors["total_max"] = "Maximum total is below the minimum."

    if sort := _single(args, "sort"):
        sort = SORT_ALIASES.get(sort.lower(), sort.lower())
        if sort in SORT_KEYS:
            f.sort = sort
        else:
            errors["sort"] = f"Sort by one of: {', '.join(SORT_KEYS)}."
    if direction := _single(args, "direction"):
        if direction.lower() in ("asc", "desc"):
            f.direction = direction.lower()
        else:
            errors["direction"] = "Direction is asc or desc."
    if (page := _single(args, "page")) is not None:
        f.page = _int(page, "page", errors, "Page") or 1
        if f.page > MAX_PAGE:
            errors["page"], f.page = "Page is out of range.", 1
    if (per_page := _single(args, "per_page")) is not None:
        n = _int(per_page, "per_page", errors, "Rows per page")
        if n in PER_PAGE_CHOICES:
            f.per_page = n
        elif "per_page" not in errors:
            errors["per_page"] = f"Rows per page is one of {', '.join(map(str, PER_PAGE_CHOICES))}."
    return f


def _single_raw(args, name: str) -> str | None:
    """Like _single but without splitting on commas (search text may contain them)."""
    raw = _raw(args, name)
    return raw[-1] if raw else None

