"""Running one export: the body of the background job, whichever runner (RQ worker or app thread) calls it.

The ``export_jobs`` row is the truth the pages read. Every state change is a conditional UPDATE on its own
short transaction (``WHERE status = <expected>``), so a job that was meanwhile marked failed (stale heartbeat,
worker killed) can never flip back to finished, and two runners can never both claim one job.
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app import localtime
from app.exceptions import DomainError
from app.extensions import db
from app.models import ExportJob, ExportStatus, StaffUser
from app.models.types import utcnow
from app.orders.filters import OrderFilter, parse_order_filter
from app.reports import builders
from app.reports.columns import resolve
from app.reports.query import count_select, export_select, totals_select

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
MAX_ERROR = 500


class ExportError(DomainError):
    """A reason the export cannot be made, shown to the manager as is."""

    code = "export_failed"


class ExportCancelled(Exception):
    """The job's row is no longer RUNNING (marked failed meanwhile): stop and leave nothing behind."""


def set_state(export_id: int, expect: tuple[ExportStatus, ...], **values) -> bool:
    """UPDATE the row if it is in one of ``expect``; True when it was. Commits at once, on its own."""
    stmt = sa.update(ExportJob).where(ExportJob.id == export_id, ExportJob.status.in_(expect)).values(**values)
    with db.engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def mark_failed(export_id: int, reason: str) -> bool:
    return set_state(export_id, (ExportStatus.QUEUED, ExportStatus.RUNNING), status=ExportStatus.FAILED,
                     error=reason[:MAX_ERROR], finished_at=utcnow())


def execute_export(export_id: int) -> None:
    """Claim the QUEUED job, write its file under a temporary name, rename it when complete, mark it
    FINISHED. On any error: the temporary file is removed, the row is FAILED with the reason, and the
    exception is re-raised (so RQ records it too)."""
    now = utcnow()
    if not set_state(export_id, (ExportStatus.QUEUED,), status=ExportStatus.RUNNING, started_at=now,
                     heartbeat_at=now, rows_done=0, rows_total=None, error=None):
        log.info("export %s is not queued any more; nothing to do", export_id)
        return
    tmp: Path | None = None
    heartbeat = Heartbeat(current_app._get_current_object(), export_id)
    try:
        job = db.session.execute(sa.select(ExportJob).where(ExportJob.id == export_id)
                                 .execution_options(populate_existing=True)).scalar_one()
        final = _export_dir() / f"export-{export_id}-{secrets.token_hex(8)}.{job.format}"
        tmp = final.with_name(f".{final.name}.part")
        heartbeat.start()
        rows = _build(job, tmp, heartbeat)
        heartbeat.stop()
        _fsync(tmp)
        size = tmp.stat().st_size
        os.replace(tmp, final)
        done = utcnow()
        retention = timedelta(days=current_app.config.get("EXPORT_RETENTION_DAYS", 7))
        if not set_state(export_id, (ExportStatus.RUNNING,), status=ExportStatus.FINISHED, rows_done=rows,
                         rows_total=rows, file_path=final.name, file_name=download_name(job), file_size=size,
                         finished_at=done, heartbeat_at=done, expires_at=done + retention):
            final.unlink(missing_ok=True)
            raise ExportCancelled()
        log.info("export %s finished: %s rows, %s bytes", export_id, rows, size)
    except ExportCancelled:
        log.warning("export %s was marked failed while running; its file was discarded", export_id)
    except BaseException as exc:
        mark_failed(export_id, failure_reason(exc))
        log.exception("export %s failed", export_id)
        raise
    finally:
        heartbeat.stop()
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _build(job: ExportJob, tmp: Path, heartbeat: Heartbeat) -> int:
    user = db.session.get(StaffUser, job.user_id)
    if user is None or not user.active or not user.is_manager:
        raise ExportError("The account that asked for this export may no longer export orders.")
    f = parse_order_filter(job.filters or {})
    if f.errors:
        raise ExportError("The filters of this export are not valid: " + " ".join(f.errors.values()))

    def on_total(total: int) -> None:
        if not set_state(job.id, (ExportStatus.RUNNING,), rows_total=total):
            raise ExportCancelled()

    return build_file(user, f, shape=job.shape, format=job.format, columns=job.columns or [], path=tmp,
                      progress=heartbeat.progress, on_total=on_total)


def build_file(user, f: OrderFilter, *, shape: str, format: str, columns: list[str], path: Path,
               progress=builders._noop, on_total=builders._noop) -> int:
    """Count, then write the file of ``user``'s orders matching ``f`` to ``path``; returns the row count.
    The job calls it, and so does benchmarks/export.py."""
    cols = resolve(shape, columns)
    if not cols:
        raise ExportError("The export has no columns.")
    with db.engine.connect() as conn:
        total = conn.scalar(count_select(user, f, shape))
        on_total(total)
        dialect = conn.dialect.name
        if format == "csv":
            stmt = export_select(user, f, shape, cols, dialect=dialect, as_text=True)
            with open(path, "wb") as out:
                return builders.write_csv(conn, stmt, [c.label for c in cols], out,
                                          bom=current_app.config.get("CSV_BOM", False), progress=progress)
        if total > builders.XLSX_MAX_ROWS:
            raise ExportError(f"{total:,} rows do not fit in an Excel sheet (at most {builders.XLSX_MAX_ROWS:,}). "
                              "Narrow the filters or export CSV.")
        totals = {"shape": shape, **{by: conn.execute(totals_select(user, f, shape, by)).all()
                                     for by in ("status", "channel")}}
        stmt = export_select(user, f, shape, cols, dialect=dialect, as_text=False)
        return builders.write_xlsx(conn, stmt, cols, path, totals=totals, progress=progress,
                                   sheet_title="Order lines" if shape == "lines" else "Orders")


class Heartbeat:
    """Writes rows_done and heartbeat_at every couple of seconds from a side thread, so a job whose process
    died is recognised as stale (``fail_stale_exports``); tells the builder to stop when the row was
    marked failed meanwhile."""

    def __init__(self, app, export_id: int, interval: float = HEARTBEAT_SECONDS):
        self.app, self.export_id, self.interval = app, export_id, interval
        self.rows, self.lost = 0, False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"export-{self.export_id}-heartbeat", daemon=True)
        self._thread.start()

    def progress(self, rows: int) -> None:
        self.rows = rows
        if self.lost:
            raise ExportCancelled()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        with self.app.app_context():
            while not self._stop.wait(self.interval):
                try:
                    if not set_state(self.export_id, (ExportStatus.RUNNING,), rows_done=self.rows,
                                     heartbeat_at=utcnow()):
                        self.lost = True
                        return
                except Exception:  # noqa: BLE001 - a missed beat is not fatal; the next one may work
                    log.warning("export %s: heartbeat failed", self.export_id, exc_info=True)


def failure_reason(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
        return "The export was stopped (its worker shut down). Retry it."
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"Unexpected error: {type(exc).__name__}{': ' + detail if detail else ''}"[:MAX_ERROR]


def download_name(job: ExportJob) -> str:
    stem = "order-lines" if job.shape == "lines" else "orders"
    return f"{stem}-{localtime.to_local(job.created_at):%Y%m%d-%H%M}-{job.id}.{job.format}"  # shop's time


def export_dir() -> Path:
    return Path(current_app.config["EXPORT_DIR"])


def _export_dir() -> Path:
    path = export_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
