"""Background job functions. They take ids, not objects, and re-load what they need; the database row is
the truth the pages read. Run by ``rq worker order-desk`` (``make worker``) or by an app thread."""
from __future__ import annotations

import logging
from contextlib import contextmanager

from flask import current_app, has_app_context

log = logging.getLogger(__name__)
_app = None


@contextmanager
def app_context():
    """The current app context, or one of an app built from the environment (in an RQ worker)."""
    global _app
    if has_app_context():
        yield current_app
        return
    if _app is None:
        from app import create_app

        _app = create_app()
    from app.extensions import db

    with _app.app_context():
        try:
            yield _app
        finally:
            db.session.remove()


def run_export(export_id: int) -> None:
    """Write the file of export ``export_id`` (see app.reports.runner)."""
    from app.reports.runner import execute_export

    with app_context():
        execute_export(export_id)


def on_export_failure(job, connection, exc_type=None, exc_value=None, tb=None) -> None:
    """RQ failure callback (the job raised, or RQ found it abandoned by a dead worker): make sure the row
    says FAILED. The runner normally did it already; this covers deaths it could not see."""
    from app.reports.exports import STALE_REASON
    from app.reports.runner import failure_reason, mark_failed

    export_id = int(job.args[0])
    died = not isinstance(exc_value, BaseException) or type(exc_value).__name__ == "AbandonedJobError"
    reason = STALE_REASON if died else failure_reason(exc_value)
    with app_context():
        mark_failed(export_id, reason)


def cleanup_exports() -> tuple[int, int]:
    """Periodic: remove export files past EXPORT_RETENTION_DAYS and leftovers; fail stale jobs."""
    from app.extensions import db
    from app.reports.exports import cleanup_expired_exports

    with app_context():
        result = cleanup_expired_exports()
        db.session.commit()
        log.info("export cleanup: %s expired, %s leftover files removed", *result)
        return result
