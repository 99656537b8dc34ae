"""Order list and order detail pages. Thin: parse, call the domain, commit, render."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.actors import Actor
from app.exceptions import DomainError, StaleObject
from app.extensions import db, htmx
from app.orders import actions, queries
from app.orders.filters import parse_order_filter
from app.orders.forms import NoteForm, StatusChangeForm
from app.orders.status import OrderStatus, PaymentStatus

bp = Blueprint("orders", __name__)


@bp.get("/")
@login_required
def home():
    return redirect(url_for("orders.index"))


@bp.get("/orders")
@login_required
def index():
    f = parse_order_filter(request.args)
    orders, total, capped = [], 0, False
    if f.is_valid:
        stmt = queries.filtered_orders(current_user, f)
        orders = queries.page_of(stmt, f)
        total, capped = queries.count_capped(stmt)
    context = dict(f=f, orders=orders, total=total, capped=capped, statuses=list(OrderStatus),
                   payment_statuses=list(PaymentStatus))
    if htmx and htmx.target == "order-results":
        return render_template("orders/_results.html", **context)
    return render_template("orders/list.html", **context), (400 if not f.is_valid else 200)


@bp.get("/orders/<int:order_id>")
@login_required
def detail(order_id: int):
    order = queries.get_order_or_404(order_id, current_user)
    return _render_detail(order)


@bp.post("/orders/<int:order_id>/status")
@login_required
def change_status(order_id: int):
    order = queries.get_order_or_404(order_id, current_user, for_update=True)
    form = StatusChangeForm().for_order(order, current_user.machine_role)
    if not form.validate_on_submit():
        return _render_detail(order, status_form=form), 400
    try:
        if form.version.data != str(order.version):
            raise StaleObject("order")
        event = actions.change_order_status(order, to=form.target, actor=Actor.staff(current_user),
                                            reason=form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        return _render_detail(queries.get_order_or_404(order_id, current_user), status_form=form), 409
    db.session.commit()
    flash(f"Order {order.code} is now {OrderStatus(event.to_status).label}.", "success")
    return redirect(url_for("orders.detail", order_id=order.id))


@bp.post("/orders/<int:order_id>/notes")
@login_required
def add_note(order_id: int):
    order = queries.get_order_or_404(order_id, current_user)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_detail(order, note_form=form), 400
    try:
        actions.add_internal_note(order, actor=Actor.staff(current_user), message=form.message.data)
    except DomainError as exc:
        db.session.rollback()
        form.message.errors = [exc.message]
        return _render_detail(order, note_form=form), 400
    db.session.commit()
    flash("Note added.", "success")
    return redirect(url_for("orders.detail", order_id=order.id) + "#timeline")


def _render_detail(order, status_form=None, note_form=None):
    if order is None:
        abort(404)
    status_form = status_form or StatusChangeForm(formdata=None).for_order(order, current_user.machine_role)
    return render_template("orders/detail.html", order=order, status_form=status_form,
                           parcels=queries.parcels_for(order),
                           note_form=note_form or NoteForm(formdata=None))
