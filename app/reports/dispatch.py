"""Handing an export to a runner: an RQ worker when REDIS_URL is set (queue ``order-desk``, ``make worker``),
else a background thread of this process. ``EXPORT_RUNNER`` (rq | thread | inline) overrides the choice;
``inline`` runs it in the request and is meant for tests."""
from __future__ import annotations

import logging
import secrets
import threading

from flask import current_app

from app.exceptions import DomainError
from app.extensions import db
from app.models import ExportJob

log = logging.getLogger(__name__)

QUEUE_NAME = "order-desk"
JOB_TIMEOUT = 6 * 3600  # a 1M-row Excel file takes minutes; RQ's default of 3 minutes is too short
THREAD_SLOTS = threading.BoundedSemaphore(2)  # at most two exports at once per app process


class QueueUnavailable(DomainError):
    code = "queue_unavailable"
    status = 503

    def __init__(self):
        super().__init__("The export queue cannot be reached right now, so the export was not started. "
                         "Please try again in a minute; if it keeps happening, tell an administrator "
                         "(Redis or the worker may be down).")


def runner_mode(app=None) -> str:
    app = app or current_app
    return app.config.get("EXPORT_RUNNER") or ("rq" if app.config.get("REDIS_URL") else "thread")


def prepare(job: ExportJob) -> None:
    """Before the commit: give the job its RQ id, so the row and the queue entry point at each other."""
    if runner_mode() == "rq":
        job.rq_job_id = f"export-{job.id}-{secrets.token_hex(6)}"


def dispatch(job: ExportJob) -> None:
    """After the commit: start the job. Raises QueueUnavailable when Redis cannot take it."""
    mode = runner_mode()
    if mode == "rq":
        _enqueue(job)
    elif mode == "inline":
        from app.reports.runner import execute_export

        try:
            execute_export(job.id)
        except Exception:  # noqa: BLE001 - already recorded on the row
            pass
    else:
        app = current_app._get_current_object()
        threading.Thread(target=_thread_main, args=(app, job.id), name=f"export-{job.id}", daemon=True).start()


def redis_connection(url: str | None = None):
    from redis import Redis

    return Redis.from_url(url or current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10)


def _enqueue(job: ExportJob) -> None:
    from redis.exceptions import RedisError
    from rq import Callback, Queue

    try:
        queue = Queue(QUEUE_NAME, connection=redis_connection())
        queue.enqueue("app.jobs.run_export", job.id, job_id=job.rq_job_id, job_timeout=JOB_TIMEOUT,
                      result_ttl=86400, failure_ttl=7 * 86400, description=f"Export #{job.id}",
                      on_failure=Callback("app.jobs.on_export_failure"))
    except RedisError as exc:
        log.error("export %s: cannot enqueue (%s)", job.id, exc)
        raise QueueUnavailable() from exc


def _thread_main(app, export_id: int) -> None:
    from app.reports.runner import execute_export

    with THREAD_SLOTS, app.app_context():
        try:
            execute_export(export_id)
        except Exception:  # noqa: BLE001 - recorded on the row and logged by the runner
            pass
        finally:
            db.session.remove()
