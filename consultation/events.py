"""Telling the reports app that submitted data changed, without importing it.

``consultation`` never imports ``reports``: it enqueues the rebuild task by name, with a countdown (the debounce),
for a worker to run; the request that submitted or reopened never builds. A broker outage must not fail or slow a
submission: the error is logged and the periodic sweep in ``reports`` rebuilds whatever is stale (it compares each
report's data version with the consultation's).
"""

from __future__ import annotations

import logging

from django.conf import settings

logger = logging.getLogger(__name__)

REPORTS_REFRESH_TASK = "reports.tasks.reports_refresh_consultation"


def reports_refresh_enqueue(*, consultation_id: int) -> bool:
    """Queue a debounced rebuild of the consultation's reports; False if it could not be queued."""
    from config.celery import app

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:  # the test settings only: send_task would ignore eagerness
            task = app.tasks.get(REPORTS_REFRESH_TASK)
            if task is None:
                return False
            task.apply(args=[consultation_id])
            return True
        app.send_task(
            REPORTS_REFRESH_TASK,
            args=[consultation_id],
            countdown=settings.REPORTS_REBUILD_DEBOUNCE_SECONDS,
            retry=False,
        )
        return True
    except Exception:  # the broker is down or unreachable: the stale-report sweep will catch up
        logger.warning("Could not queue the report rebuild for consultation %s", consultation_id, exc_info=True)
        return False
