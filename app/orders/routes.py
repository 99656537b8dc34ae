"""Order list and order detail pages. Thin: parse, call the domain, commit, render."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from app.actors import Actor
from app.customers import queries as customer_queries
from app.exceptions import DomainError, StaleObject
from app.extensions import db, htmx
from app.orders import actions, bulk, listing, queries, views
from app.orders.filters import parse_order_filter
from app.orders.forms import (
    BulkNoteForm, BulkStatusForm, DeleteViewForm, NoteForm, SaveViewForm, StatusChangeForm,
)
from app.orders.status import OrderStatus

bp = Blueprint("orders", __name__)


@bp.get("/")
@login_required
def home():
    return redirect(url_for("orders.index"))


@bp.get("/orders")
@login_required
def index():
    f = parse_order_filter(request.args)
    partial = bool(htmx) and htmx.target == "order-results"
    if not partial and views.ensure_default_views():
        db.session.commit()
    context = listing.page_context(current_user, f, partial=partial)
    status = 400 if not f.is_valid else 200
    if partial:
        headers = {"HX-Push-Url": context["canonical_url"]} if f.is_valid else {}
        return render_template("orders/_results.html", **context), status, headers
    return render_template("orders/list.html", **context), status


@bp.post("/orders/bulk/status")
@login_required
def bulk_status():
    form = BulkStatusForm()
    if not form.validate_on_submit():
        return _bulk_refused(form)
    result = bulk.bulk_change_status(current_user, form.ids.data, to=form.target, actor=Actor.staff(current_user),
                                     reason=form.reason.data)
    db.session.commit()
    return _bulk_done(result, action="status", target=form.target.value, back=form.next_url)


@bp.post("/orders/bulk/note")
@login_required
def bulk_note():
    form = BulkNoteForm()
    if not form.validate_on_submit():
        return _bulk_refused(form)
    result = bulk.bulk_add_note(current_user, form.ids.data, actor=Actor.staff(current_user),
                                message=form.message.data)
    db.session.commit()
    return _bulk_done(result, action="note", target=None, back=form.next_url)


def _bulk_done(result, **context):
    """Post/redirect/get: the result goes to the session and the browser to a page that shows it, so a reload
    shows it again instead of repeating the action."""
    token = secrets.token_urlsafe(8)
    session["bulk_result"] = {"token": token, **context, **bulk.summary(result)}
    return redirect(url_for("orders.bulk_result", token=token)), 303


@bp.get("/orders/bulk/<token>")
@login_required
def bulk_result(token: str):
    stored = session.get("bulk_result")
    if not stored or stored.get("token") != token:
        flash("That bulk result is no longer available: only the latest one is kept.", "info")
        return redirect(url_for("orders.index")), 303
    target = OrderStatus(stored["target"]) if stored["target"] else None
    return render_template("orders/bulk_result.html", result=bulk.stored_result(current_user, stored),
                           action=stored["action"], target=target, back=stored["back"], max_bulk=bulk.MAX_BULK)


def _bulk_refused(form):
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    return redirect(form.next_url), 303


@bp.post("/orders/views")
@login_required
def save_view():
    form = SaveViewForm()
    if not form.validate_on_submit():
        flash(" ".join(m for errors in form.errors.values() for m in errors), "error")
        return redirect(url_for("orders.index") + _query(form.query.data)), 303
    try:
        view = views.save_view(current_user, name=form.name.data, query=form.query.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("orders.index") + _query(form.query.data)), 303
    db.session.commit()
    flash(f"View “{view.name}” saved.", "success")
    return redirect(url_for("orders.index") + _query(view.query_string)), 303


@bp.post("/orders/views/<int:view_id>/delete")
@login_required
def delete_view(view_id: int):
    view = views.get_own_view_or_none(current_user, view_id)
    if view is None or not DeleteViewForm().validate_on_submit():
        abort(404 if view is None else 400)
    views.delete_view(view)
    db.session.commit()
    flash(f"View “{view.name}” deleted.", "success")
    return redirect(url_for("orders.index")), 303


def _query(query_string: str | None) -> str:
    return "?" + query_string.lstrip("?") if query_string else ""


@bp.get("/orders/<int:order_id>")
@login_required
def detail(order_id: int):
    order = queries.get_order_or_404(order_id, current_user)
    return _render_detail(order)


@bp.get("/orders/<int:order_id>/status")
@login_required
def status_page(order_id: int):
    """Nothing to show at the form's address: an old tab, a bookmark or a reload goes to the order."""
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.post("/orders/<int:order_id>/status")
@login_required
def change_status(order_id: int):
    order = queries.get_order_or_404(order_id, current_user, for_update=True)
    form = StatusChangeForm().for_order(order, current_user.machine_role)
    if form.version.data and form.version.data != str(order.version):  # before the choices, which may have moved too
        return _refused(order, StaleObject("order"))
    if not form.validate_on_submit():
        return _render_detail(order, status_form=form), 400
    try:
        event = actions.change_order_status(order, to=form.target, actor=Actor.staff(current_user),
                                            reason=form.reason.data)
    except DomainError as exc:
        return _refused(order, exc)
    db.session.commit()
    flash(f"Order {order.code} is now {OrderStatus(event.to_status).label}.", "success")
    return redirect(url_for("orders.detail", order_id=order.id)), 303


def _refused(order, exc: DomainError):
    """Post/redirect/get for a refused change: the message, then the order as it is now (its current version),
    at its own URL, so a retry works and a reload never re-posts."""
    order_id = order.id
    db.session.rollback()
    if isinstance(exc, StaleObject):
        flash("Someone else changed this order meanwhile, so your change was not made. Here it is as it is now: "
              "check it and try again.", "error")
    else:
        flash(exc.message, "error")
    return redirect(url_for("orders.detail", order_id=order_id)), 303


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
                           parcels=queries.parcels_for(order), returns=customer_queries.return_requests_for(order),
                           note_form=note_form or NoteForm(formdata=None))
