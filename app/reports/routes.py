"""Exports of the order list: ask for one, watch it, download it, retry it. Managers and admins only."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required

from app.extensions import db
from app.models import ExportJob, ExportStatus
from app.orders.filters import parse_order_filter
from app.reports import dispatch, exports
from app.reports.columns import COLUMNS, FORMATS, SHAPES
from app.reports.forms import ExportForm
from app.reports.runner import export_dir, mark_failed

bp = Blueprint("reports", __name__, url_prefix="/exports")

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DONE = (ExportStatus.FINISHED, ExportStatus.FAILED, ExportStatus.EXPIRED)


def manager_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_manager:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/new")
@manager_required
def new():
    f = parse_order_filter(request.args)
    choice = exports.remembered_choice(current_user)
    shape = request.args.get("shape") if request.args.get("shape") in SHAPES else choice["shape"]
    form = ExportForm(formdata=None, format=choice["format"], shape=shape)
    return _render_form(f, form, choice["columns"][shape]), 400 if f.errors else 200


@bp.post("/")
@manager_required
def create():
    f = parse_order_filter(request.args)
    form = ExportForm()
    if f.errors or not form.validate_on_submit():
        return _render_form(f, form, form.ordered_columns(), submitted=True), 400
    columns = form.ordered_columns()
    job = exports.request_export(current_user, f, format=form.format.data, shape=form.shape.data, columns=columns)
    exports.remember_choice(current_user, format=form.format.data, shape=form.shape.data, columns=columns)
    return _start(job, on_error=lambda: (_render_form(f, form, columns, submitted=True), 503))


@bp.get("/")
@manager_required
def index():
    exports.fail_stale_exports()
    jobs = db.session.scalars(sa.select(ExportJob).where(ExportJob.user_id == current_user.id)
                              .order_by(ExportJob.id.desc()).limit(100)).all()
    return render_template("reports/list.html", jobs=jobs, describe=describe)


@bp.get("/<int:export_id>")
@manager_required
def detail(export_id: int):
    exports.fail_stale_exports()
    return render_template("reports/detail.html", job=_own_job_or_404(export_id), describe=describe)


@bp.get("/<int:export_id>/progress")
@manager_required
def progress(export_id: int):
    """The polled panel (or, with ``view=row``, the polled row of My exports); 286 tells htmx to stop polling
    once the job is done."""
    exports.fail_stale_exports()
    job = _own_job_or_404(export_id)
    template = "reports/_row.html" if request.args.get("view") == "row" else "reports/_progress.html"
    return render_template(template, job=job, describe=describe), 286 if job.status in DONE else 200


@bp.get("/<int:export_id>/download")
@manager_required
def download(export_id: int):
    job = _own_job_or_404(export_id)
    if job.status != ExportStatus.FINISHED or not job.file_path:
        abort(404)
    return send_from_directory(export_dir(), job.file_path, as_attachment=True, download_name=job.file_name,
                               mimetype=MIMETYPES[job.format], max_age=0)


@bp.post("/<int:export_id>/retry")
@manager_required
def retry(export_id: int):
    job = _own_job_or_404(export_id)
    if job.status not in (ExportStatus.FAILED, ExportStatus.EXPIRED):
        flash("Only a failed or expired export can be run again.", "error")
        return redirect(url_for("reports.detail", export_id=job.id)), 303
    return _start(exports.retry_export(job), on_error=lambda: (redirect(url_for("reports.index")), 303))


def _start(job: ExportJob, *, on_error):
    """Commit the new job, then hand it to the runner; Redis being down is a message, not a 500."""
    dispatch.prepare(job)
    db.session.commit()
    try:
        dispatch.dispatch(job)
    except dispatch.QueueUnavailable as exc:
        mark_failed(job.id, exc.message)
        flash(exc.message, "error")
        return on_error()
    return redirect(url_for("reports.detail", export_id=job.id)), 303


def _own_job_or_404(export_id: int) -> ExportJob:
    job = db.session.scalars(sa.select(ExportJob).where(ExportJob.id == export_id,
                                                        ExportJob.user_id == current_user.id)).first()
    if job is None:
        abort(404)
    return job


def _render_form(f, form: ExportForm, chosen: list[str], *, submitted: bool = False):
    shape = form.shape.data if form.shape.data in SHAPES else "orders"
    chosen = [k for k in chosen if k in COLUMNS[shape]]
    rest = [k for k in COLUMNS[shape] if k not in chosen]
    rows = [(COLUMNS[shape][k], k in chosen, i) for i, k in enumerate(chosen + rest, 1)]
    query = urlencode(f.to_args(paging=False))
    return render_template("reports/new.html", f=f, form=form, rows=rows, shape=shape, shapes=SHAPES,
                           formats=FORMATS, query=query, submitted=submitted,
                           picked=[COLUMNS[shape][k].label for k in chosen])


def describe(job: ExportJob) -> str:
    """The filters of a job in words, for the pages."""
    chips = parse_order_filter(job.filters or {}).chips()
    return ", ".join(label for _, _, label in chips) or "All orders in your branches"
