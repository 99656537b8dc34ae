"""Jinja filters and globals: money, dates, badges. Money is formatted in one place, times in one too."""
from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import Flask, request
from markupsafe import Markup, escape

from app import localtime
from app.labels import label_of

CURRENCY_SYMBOLS = {"ZAR": "R", "USD": "$", "EUR": "€", "GBP": "£"}

# Status → badge colour class (see static/css/app.css).
BADGE_TONES = {
    "ORDERED": "info", "PROCESSING": "warn", "DELIVERY-READY": "accent", "PARTIALLY-FULFILLED": "accent",
    "FULFILLED": "ok", "CANCELLED": "muted", "REFUNDED": "danger", "PARTIALLY-REFUNDED": "danger",
    "PENDING": "warn", "AUTHORIZED": "info", "PARTIALLY-PAID": "warn", "PAID": "ok", "FAILED": "danger",
    "DISPUTED": "danger", "EXPIRED": "muted", "VOIDED": "muted",
    "OPEN": "info", "PACKED": "accent", "READY": "accent", "COLLECTED-BY-DRIVER": "warn", "IN-TRANSIT": "warn",
    "ARRIVED": "warn", "DELIVERED": "ok", "COLLECTED": "ok", "RETURNED": "danger",
    "completed": "ok", "pending": "warn", "authorized": "info", "failed": "danger", "refunded": "danger",
    "cancelled": "muted",
}


def money(amount, currency: str | None = None) -> str:
    if amount is None:
        return "—"
    if isinstance(amount, float):  # never expected; format what a person would read, not binary noise
        amount = Decimal(repr(amount))
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    text = f"{abs(value):,.2f}".replace(",", "\u00a0")
    symbol = CURRENCY_SYMBOLS.get(currency or "", f"{currency} " if currency else "")
    return f"{sign}{symbol}{text}"


def dt(value: datetime | None, zone: ZoneInfo | str | None = None, fmt: str | None = None) -> str:
    """A stored (UTC) time as people read it: local, with the zone, "2 Dec 2026 14:05 SAST". ``zone``: the
    shop's (SHOP_TIMEZONE) unless given, e.g. ``order.created_at|dt(order.branch.zone)`` on an order's page.
    ``fmt`` (strftime) shows a part of the local time instead, e.g. ``|dt(fmt="%H:%M")`` in a dense table."""
    if value is None:
        return "—"
    zone = localtime.load_zone(zone) if isinstance(zone, str) else zone
    if fmt:
        return localtime.to_local(value, zone).strftime(fmt)
    return localtime.display(value, zone)


def badge(status) -> Markup:
    value = getattr(status, "value", status)
    label = label_of(status)
    tone = BADGE_TONES.get(str(value), "muted")
    return Markup(f'<span class="badge badge-{tone}" data-status="{escape(value)}">{escape(label)}</span>')


def url_with(**changes) -> str:
    """The current URL's query with some parameters replaced (None removes them)."""
    from urllib.parse import urlencode

    items = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    for k, v in changes.items():
        if v is None:
            continue
        for item in v if isinstance(v, (list, tuple)) else [v]:
            items.append((k, item))
    return request.path + ("?" + urlencode(items) if items else "")


def register(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(dt, "dt")
    app.add_template_global(badge, "badge")
    app.add_template_global(url_with, "url_with")
