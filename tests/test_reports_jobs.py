"""Export jobs: a real RQ worker against the real Redis, the failure paths (a job that raises, a worker killed
mid-export, a stale heartbeat, retry), and the periodic cleanup."""
from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.models import ExportJob, ExportStatus
from app.models.types import utcnow
from app.orders.filters import parse_order_filter
from app.reports import builders, exports
from app.reports.runner import execute_export
from tests import factories
from tests.conftest import WORKER

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# One Redis database per xdist worker (a worker must never pick up another test database's job).
REDIS_DB = 13 if WORKER == "main" else 12 - int(WORKER.removeprefix("gw")) % 12
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"


def new_job(user, args=None, **kw) -> ExportJob:
    job = exports.request_export(user, parse_order_filter(args or {}), format=kw.pop("format", "csv"),
                                 shape=kw.pop("shape", "orders"), columns=kw.pop("columns", ["code", "total"]))
    for k, v in kw.items():
        setattr(job, k, v)
    factories.db.session.commit()
    return job


def reload(job) -> ExportJob:
    factories.db.session.expire_all()
    return factories.db.session.get(ExportJob, job.id)


def files_of(app, job) -> list[str]:
    return sorted(p.name for p in Path(app.config["EXPORT_DIR"]).glob(f"*export-{job.id}-*"))


def worker_env(app) -> dict:
    return {**os.environ, "DATABASE_URL": os.environ["TEST_DATABASE_URL_RESOLVED"],
            "EXPORT_DIR": app.config["EXPORT_DIR"], "REDIS_URL": REDIS_URL, "SECRET_KEY": "test-secret"}


@pytest.fixture(autouse=True)
def empty_export_dir(app):
    """Ids restart at 1 after every test on PostgreSQL: start each test with no files of earlier ones."""
    directory = Path(app.config["EXPORT_DIR"])
    for path in directory.glob("*") if directory.is_dir() else []:
        path.unlink()


@pytest.fixture
def redis_queue(app):
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    app.config["REDIS_URL"] = REDIS_URL
    yield redis
    app.config["REDIS_URL"] = None
    redis.flushdb()


@pytest.fixture
def inline(app):
    app.config["EXPORT_RUNNER"] = "inline"
    yield
    app.config.pop("EXPORT_RUNNER", None)


def test_a_real_rq_worker_runs_the_export(app, client, auth, shop, redis_queue):
    # given two orders and a manager asking for an export through the page
    orders = [factories.make_order(shop.branch1), factories.make_order(shop.branch2)]
    factories.make_order(shop.branch3)
    broken = new_job(shop.manager, columns=["no-such-column"])  # fails inside the worker
    factories.db.session.commit()
    auth.login(shop.manager.email)
    page = client.get("/exports/new").get_data(as_text=True)
    r = client.post("/exports/", data={"csrf_token": factories.csrf_from(page), "format": "csv", "shape": "orders",
                                       "columns": ["code", "total"]})
    assert r.status_code == 303
    job = factories.db.session.scalars(factories.db.select(ExportJob).where(ExportJob.id != broken.id)).one()
    assert job.status == ExportStatus.QUEUED and job.rq_job_id
    from rq import Callback, Queue

    queue = Queue("order-desk", connection=redis_queue)
    assert job.rq_job_id in queue.job_ids
    queue.enqueue("app.jobs.run_export", broken.id, on_failure=Callback("app.jobs.on_export_failure"))
    # when a worker drains the queue
    done = subprocess.run([str(BIN / "rq"), "worker", "--burst", "--url", REDIS_URL, "order-desk"], cwd=ROOT,
                          env=worker_env(app), capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    # then the export is finished and downloadable
    job = reload(job)
    assert job.status == ExportStatus.FINISHED, (job.error, done.stderr[-2000:])
    body = client.get(f"/exports/{job.id}/download").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[0] == ["Order", "Total"] and sorted(r[0] for r in rows[1:]) == sorted(o.code for o in orders)
    # and the broken one failed with its reason, nothing left behind
    broken = reload(broken)
    assert broken.status == ExportStatus.FAILED and broken.error == "The export has no columns."
    assert files_of(app, broken) == []


def test_a_job_that_raises_is_failed_with_its_reason_and_leaves_no_file(app, db, shop, monkeypatch):
    factories.make_order(shop.branch1)
    job = new_job(shop.manager)

    def explode(conn, stmt, labels, out, **kw):
        out.write(b"Order,Total\nORD-1,")  # half a file...
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(builders, "write_csv", explode)
    with pytest.raises(RuntimeError):
        execute_export(job.id)
    job = reload(job)
    assert job.status == ExportStatus.FAILED and job.error == "Unexpected error: RuntimeError: disk on fire"
    assert job.file_path is None and files_of(app, job) == []


def test_excel_refuses_more_rows_than_a_sheet_holds(app, db, shop, monkeypatch):
    factories.make_order(shop.branch1)
    factories.make_order(shop.branch1)
    job = new_job(shop.manager, format="xlsx")
    monkeypatch.setattr(builders, "XLSX_MAX_ROWS", 1)
    with pytest.raises(Exception):
        execute_export(job.id)
    job = reload(job)
    assert job.status == ExportStatus.FAILED and "do not fit in an Excel sheet" in job.error


def test_a_job_marked_failed_meanwhile_never_flips_to_finished(app, db, shop, monkeypatch):
    factories.make_order(shop.branch1)
    job = new_job(shop.manager)
    real = builders.write_csv

    def then_marked_failed(*args, **kw):
        n = real(*args, **kw)
        exports_runner_mark_failed(job.id)
        return n

    monkeypatch.setattr(builders, "write_csv", then_marked_failed)
    execute_export(job.id)
    job = reload(job)
    assert job.status == ExportStatus.FAILED and files_of(app, job) == []


def exports_runner_mark_failed(export_id):
    from app.reports.runner import mark_failed

    mark_failed(export_id, exports.STALE_REASON)


def test_a_demoted_manager_export_fails(app, db, shop):
    job = new_job(shop.manager)
    shop.manager.role = factories.StaffRole.STAFF
    factories.db.session.commit()
    with pytest.raises(Exception):
        execute_export(job.id)
    assert "may no longer export" in reload(job).error


KILLABLE = """
import sys, time
from app import create_app
from app.reports import builders

def stuck(conn, stmt, labels, out, *, bom=False, progress):
    out.write(b"Order,Total\\n")
    out.flush()
    progress(1)
    print("WRITING", flush=True)
    time.sleep(600)

builders.write_csv = stuck
app = create_app()
with app.app_context():
    from app.reports.runner import execute_export
    execute_export(int(sys.argv[1]))
"""


def test_a_worker_killed_mid_export_ends_failed_and_can_be_retried(app, client, auth, shop, inline):
    # given an export running in another process
    factories.make_order(shop.branch1)
    job = new_job(shop.manager)
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, str(job.id)], cwd=ROOT, env=worker_env(app),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "WRITING", proc.stderr.read()
        assert reload(job).status == ExportStatus.RUNNING
        assert any(name.endswith(".part") for name in files_of(app, job))
        auth.login(shop.manager.email)
        assert client.get(f"/exports/{job.id}/download").status_code == 404  # never a partial file
        # when the worker is killed
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    app.config["EXPORT_STALE_SECONDS"] = 1
    try:
        time.sleep(1.2)
        r = client.get(f"/exports/{job.id}/progress", headers={"HX-Request": "true"})
    finally:
        app.config.pop("EXPORT_STALE_SECONDS")
    # then the job is failed, not stuck running, and says so
    assert r.status_code == 286 and "stopped unexpectedly" in r.get_data(as_text=True)
    assert reload(job).status == ExportStatus.FAILED
    # the manager retries it
    r = client.post(f"/exports/{job.id}/retry", data={"csrf_token": factories.csrf_from(r.get_data(as_text=True))})
    again = factories.db.session.get(ExportJob, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert again.status == ExportStatus.FINISHED and again.rows_done == 1
    # the cleanup removes the dead run's temporary file
    exports.cleanup_expired_exports(now=utcnow() + timedelta(hours=1))
    factories.db.session.commit()
    assert not any(name.endswith(".part") for name in files_of(app, job))


def test_stale_running_and_never_started_jobs_are_failed_when_listed(client, auth, shop):
    old = utcnow() - timedelta(minutes=5)
    stale = new_job(shop.manager, status=ExportStatus.RUNNING, started_at=old, heartbeat_at=old)
    fresh = new_job(shop.manager, status=ExportStatus.RUNNING, started_at=old, heartbeat_at=utcnow())
    forgotten = new_job(shop.manager, created_at=utcnow() - timedelta(hours=2))
    auth.login(shop.manager.email)
    html = client.get("/exports/").get_data(as_text=True)
    assert "stopped unexpectedly" in html and "never started" in html
    assert [reload(j).status for j in (stale, fresh, forgotten)] == [
        ExportStatus.FAILED, ExportStatus.RUNNING, ExportStatus.FAILED]


def test_rq_failure_callback_marks_the_row_failed(app, db, shop):
    from app.jobs import on_export_failure

    job = new_job(shop.manager, status=ExportStatus.RUNNING, heartbeat_at=utcnow())
    on_export_failure(SimpleNamespace(args=(job.id,)), None, ValueError, ValueError("bad value"), None)
    assert reload(job).error == "Unexpected error: ValueError: bad value"


def test_export_cleanup_command_removes_expired_files(app, db, shop):
    directory = Path(app.config["EXPORT_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    expired = new_job(shop.manager, status=ExportStatus.FINISHED, file_path="export-9001-a.csv",
                      expires_at=utcnow() - timedelta(minutes=1))
    kept = new_job(shop.manager, status=ExportStatus.FINISHED, file_path="export-9002-b.csv",
                   expires_at=utcnow() + timedelta(days=6))
    for job in (expired, kept):
        (directory / job.file_path).write_text("Order\n")
    result = app.test_cli_runner().invoke(args=["export-cleanup"])
    assert result.exit_code == 0 and "1 expired export(s) removed" in result.output
    assert not (directory / "export-9001-a.csv").exists() and (directory / "export-9002-b.csv").exists()
    assert reload(expired).status == ExportStatus.EXPIRED and reload(expired).file_path is None
    assert reload(kept).status == ExportStatus.FINISHED


def test_an_xlsx_build_that_fails_midway_leaves_no_temporary_files(app, db, shop, monkeypatch, tmp_path):
    from openpyxl.worksheet import _writer

    from app.reports.runner import build_file

    for _ in range(3):
        factories.make_order(shop.branch1)
    factories.db.session.commit()
    made = []
    real = _writer.create_temporary_file
    monkeypatch.setattr(_writer, "create_temporary_file", lambda suffix="": made.append(real(suffix)) or made[-1])

    def boom(rows):
        raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError):
        build_file(shop.manager, parse_order_filter({}), shape="orders", format="xlsx", columns=["code", "total"],
                   path=tmp_path / "x.xlsx", progress=boom)
    assert made and not any(Path(p).exists() for p in made) and not (tmp_path / "x.xlsx").exists()
