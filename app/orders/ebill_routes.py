"""E-bill PDFs in a browser: the customer's signed link (no sign-in) and the staff link on the order page.

Both serve the same cached file (``app.orders.ebill``). A tampered, expired or unknown link is a 404, like any
page that does not exist.
"""
from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user, login_required

from app.extensions import db
from app.models import Order
from app.orders import ebill, queries

bp = Blueprint("ebills", __name__)


@bp.get("/e-bill/<token>.pdf")
def public_pdf(token: str):
    """The customer app opens this link (from GET /api/v1/customer/e-bill/{id}) without its bearer token."""
    claims = ebill.read_token(token)
    if claims is None:
        abort(404)
    order_id, key = claims
    path = ebill.cached_path(key)
    if not path.exists():  # not cached (any more): the order as it is now
        order = db.session.get(Order, order_id)
        if order is None or not order.invoice_number:
            abort(404)
        path = ebill.ebill_file(order)
    return _pdf(path, max_age=300)


@bp.get("/orders/<int:order_id>/e-bill.pdf")
@login_required
def staff_pdf(order_id: int):
    """The invoice of an order the staff member may see (scoped like the order page)."""
    order = queries.get_order_or_404(order_id, current_user)
    if not order.invoice_number:
        abort(404)
    return _pdf(ebill.ebill_file(order), max_age=0)


def _pdf(path, *, max_age: int):
    response = send_file(path, mimetype="application/pdf", download_name=path.name, conditional=True,
                         max_age=max_age)
    response.headers["Cache-Control"] = f"private, max-age={max_age}" if max_age else "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
