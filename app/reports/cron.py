"""Schedule for ``rq cron`` (when RQ is used):

    rq cron app/reports/cron.py --url "$REDIS_URL"

enqueues the export cleanup on the ``order-desk`` queue every hour at :17; ``make worker`` runs it.
Without RQ, run ``flask --app wsgi export-cleanup`` from cron instead (see docs/PERFORMANCE.md "Exports").
"""
from rq import cron

from app.jobs import cleanup_exports

cron.register(cleanup_exports, "order-desk", cron="17 * * * *", name="export-cleanup")
