"""Export verbs: ask for one, retry one, remember the column choice, fail the stale ones, clean up old files.
They flush and never commit (the route or the job commits), except where noted."""
from __future__ import annotations

import logging
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import ExportJob, ExportStatus, StaffUser
from app.models.types import utcnow
from app.orders.filters import OrderFilter
from app.reports.columns import COLUMNS, default_keys
from app.reports.runner import export_dir

log = logging.getLogger(__name__)

STALE_SECONDS = 60  # no heartbeat for this long: the process running the export is gone
QUEUED_TIMEOUT_SECONDS = 3600  # never picked up by a worker
STALE_REASON = ("The export stopped unexpectedly: its worker was stopped or crashed. "
                "Nothing was kept; retry it.")
NEVER_STARTED_REASON = "The export was never started (no worker picked it up within an hour). Retry it."


def request_export(user: StaffUser, f: OrderFilter, *, format: str, shape: str, columns: list[str]) -> ExportJob:
    job = ExportJob(user_id=user.id, filters=f.to_dict(), format=format, shape=shape, columns=list(columns),
                    status=ExportStatus.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def retry_export(job: ExportJob) -> ExportJob:
    """A new job with the same filters, format, shape and columns (the failed one stays in the history)."""
    again = ExportJob(user_id=job.user_id, filters=job.filters, format=job.format, shape=job.shape,
                      columns=list(job.columns or []), status=ExportStatus.QUEUED)
    db.session.add(again)
    db.session.flush()
    return again


def remembered_choice(user: StaffUser) -> dict:
    """The last format, shape and columns per shape this user exported with (defaults otherwise)."""
    saved = (user.preferences or {}).get("export") or {}
    columns = {shape: [k for k in (saved.get("columns") or {}).get(shape, []) if k in COLUMNS[shape]]
               or default_keys(shape) for shape in COLUMNS}
    return {"format": saved.get("format", "csv"), "shape": saved.get("shape", "orders"), "columns": columns}


def remember_choice(user: StaffUser, *, format: str, shape: str, columns: list[str]) -> None:
    prefs = dict(user.preferences or {})
    saved = dict(prefs.get("export") or {})
    saved["columns"] = {**(saved.get("columns") or {}), shape: list(columns)}
    saved.update(format=format, shape=shape)
    prefs["export"] = saved
    user.preferences = prefs  # a new dict, so the JSON column is seen as changed


def fail_stale_exports() -> int:
    """RUNNING jobs without a heartbeat for STALE_SECONDS (their worker died) and jobs QUEUED for too long
    become FAILED. Commits on its own connection; safe to call on every page that shows exports."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config.get("EXPORT_STALE_SECONDS", STALE_SECONDS))
    never = now - timedelta(seconds=current_app.config.get("EXPORT_QUEUED_TIMEOUT_SECONDS", QUEUED_TIMEOUT_SECONDS))
    last_sign = sa.func.coalesce(ExportJob.heartbeat_at, ExportJob.started_at, ExportJob.created_at)
    with db.engine.begin() as conn:
        n = conn.execute(sa.update(ExportJob).where(ExportJob.status == ExportStatus.RUNNING, last_sign < stale)
                         .values(status=ExportStatus.FAILED, error=STALE_REASON, finished_at=now)).rowcount
        n += conn.execute(sa.update(ExportJob).where(ExportJob.status == ExportStatus.QUEUED,
                                                     ExportJob.created_at < never)
                          .values(status=ExportStatus.FAILED, error=NEVER_STARTED_REASON, finished_at=now)).rowcount
    if n:
        log.warning("marked %s stale export(s) failed", n)
    return n


def cleanup_expired_exports(now=None) -> tuple[int, int]:
    """Remove the files of exports past their expiry (rows become EXPIRED) and leftovers in EXPORT_DIR:
    temporary ``.part`` files of runs that died, and files no FINISHED row points to. Returns
    (expired exports, leftover files removed). Flushes; the caller commits."""
    now = now or utcnow()
    fail_stale_exports()
    directory = export_dir()
    expired = list(db.session.scalars(sa.select(ExportJob).where(ExportJob.status == ExportStatus.FINISHED,
                                                                 ExportJob.expires_at < now)))
    for job in expired:
        if job.file_path:
            (directory / job.file_path).unlink(missing_ok=True)
        job.status, job.file_path = ExportStatus.EXPIRED, None
    db.session.flush()
    removed = 0
    if directory.is_dir():
        live = set(db.session.scalars(sa.select(ExportJob.file_path).where(ExportJob.file_path.is_not(None))))
        grace = now.timestamp() - current_app.config.get("EXPORT_STALE_SECONDS", STALE_SECONDS) * 10
        for path in directory.iterdir():
            orphan = path.name.startswith(".export-") or (path.name.startswith("export-") and path.name not in live)
            if path.is_file() and orphan and path.stat().st_mtime < min(grace, time.time()):
                path.unlink(missing_ok=True)
                removed += 1
    return len(expired), removed
