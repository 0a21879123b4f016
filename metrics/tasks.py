"""The metrics app's background work (core.tasks): the periodic roll-up refresh, sent by celery beat."""

from __future__ import annotations

import logging

from core.tasks import task
from metrics.services import metrics_refresh

logger = logging.getLogger(__name__)


@task(name="metrics.tasks.refresh_metrics")
def refresh_metrics() -> None:
    """What ``manage.py refresh_metrics`` does with its defaults (``metrics_refresh``): idempotent, and a run
    that finds another one going does nothing, so a late or doubled beat tick costs nothing."""
    result = metrics_refresh()
    if result is None:
        logger.info("Another metrics refresh is in progress; nothing done")
        return
    logger.info(
        "Refreshed metrics for %s days (%s to %s): %s retention cohorts, %s ticker counters corrected, "
        "%s hourly mention rows",
        result.days,
        result.first,
        result.last,
        result.cohorts,
        result.tickers_recounted,
        result.hourly_rows,
    )
