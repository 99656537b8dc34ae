"""E-bills: an order's tax invoice as a PDF, rendered once per order version and cached, and the signed,
expiring link that lets the customer app open it in a browser without a bearer token.

- ``invoice_context(order, ...)``: everything the template ``pdf/ebill.html`` shows (pure).
- ``ebill_file(order)``: the cached PDF of the order's current version (rendered on first use; written to a
  temporary file and renamed, so a reader never sees half a file; older versions of that order are removed).
- ``ebill_token(order)`` / ``read_token(token)``: itsdangerous over the order id and its cache key (id, version
  and a digest), max age
  ``EBILL_LINK_TTL_SECONDS``. A tampered or expired token reads as None (the route answers 404).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.exceptions import DomainError
from app.localtime import shop_zone
from app.orders.tax import TaxBreakdown, order_tax

SALT = "order-desk.e-bill"


class NoInvoiceYet(DomainError):
    code = "no_invoice"

    def __init__(self):
        super().__init__("No invoice has been issued for this order yet.")


@dataclass(frozen=True)
class ShopDetails:
    name: str
    address: tuple[str, ...]
    vat_number: str
    registration_number: str
    phone: str
    email: str


def shop_details(config) -> ShopDetails:
    return ShopDetails(
        name=config["SHOP_NAME"], address=tuple(line.strip() for line in config["SHOP_ADDRESS"].split(";")
                                                if line.strip()),
        vat_number=config["SHOP_VAT_NUMBER"], registration_number=config["SHOP_REGISTRATION_NUMBER"],
        phone=config["SHOP_PHONE"], email=config["SHOP_EMAIL"])


def invoice_context(order, *, shop: ShopDetails, tax: TaxBreakdown, zone: ZoneInfo) -> dict:
    """What the tax invoice shows: seller (shop and branch), buyer (billing address with company and tax
    number), lines with their share of the discount, totals, VAT per rate and payments."""
    issued: datetime = order.invoice_date or order.created_at
    lines = [{
        "item": item, "discount": share, "paid": item.line_total - share,
    } for item, share in zip(order.items, tax.line_discounts)]
    paid = order.paid_total
    return {
        "order": order, "shop": shop, "branch": order.branch, "lines": lines, "tax": tax,
        "issued_on": issued.astimezone(zone), "placed_on": order.created_at.astimezone(zone), "zone": zone,
        "billing": order.billing_address or order.shipping_address, "shipping": order.shipping_address,
        "paid_total": paid, "balance_due": max(order.total - paid, Decimal("0.00")),
        "payments": sorted(order.payments, key=lambda p: (p.created_at, p.id)),
    }


# --- rendering and the cache ---------------------------------------------------------------------------------

def cache_dir() -> Path:
    return Path(current_app.config["EBILL_CACHE_DIR"])


def cache_key(order) -> str:
    """The order's id and version, plus a digest of what else the invoice shows that can change without a new
    order version (its payments) and of when it was last changed (so a database loaded afresh never meets the
    PDFs of another life under the same id and version)."""
    state = [order.updated_at.isoformat()] + [f"{p.id}:{p.status.value}:{p.amount}:{p.updated_at.isoformat()}"
                                              for p in order.payments]
    digest = hashlib.sha256("|".join(state).encode()).hexdigest()[:16]
    return f"{order.id}-v{order.version}-{digest}"


def cached_path(key: str) -> Path:
    return cache_dir() / f"ebill-{key}.pdf"


def render_ebill(order) -> bytes:
    from app.documents import render_pdf

    cfg = current_app.config
    tax = order_tax(order)
    zone = shop_zone()
    return render_pdf("pdf/ebill.html", **invoice_context(order, shop=shop_details(cfg), tax=tax, zone=zone))


def ebill_file(order) -> Path:
    """The PDF of the order as it is now: from the cache, or rendered once and cached."""
    if not order.invoice_number:
        raise NoInvoiceYet()
    path = cached_path(cache_key(order))
    if path.exists():
        return path
    data = render_ebill(order)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for older in path.parent.glob(f"ebill-{order.id}-v*.pdf"):  # earlier versions of this order
        if older != path:
            older.unlink(missing_ok=True)
    return path


# --- the signed link -----------------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def ebill_token(order) -> str:
    return _serializer().dumps({"o": order.id, "k": cache_key(order)})


def read_token(token: str) -> tuple[int, str] | None:
    """(order id, cache key) of a valid, unexpired token; None otherwise."""
    try:
        claims = _serializer().loads(token, max_age=current_app.config["EBILL_LINK_TTL_SECONDS"])
        order_id, key = int(claims["o"]), str(claims["k"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if not key.startswith(f"{order_id}-v") or "/" in key:
        return None
    return order_id, key
