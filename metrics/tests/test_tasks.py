"""metrics.tasks.refresh_metrics: what celery beat runs every ten minutes (eager in tests)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from metrics.models import DailyMetrics
from metrics.tasks import refresh_metrics

pytestmark = pytest.mark.django_db


def test_the_task_refreshes_the_last_three_days_like_the_command(world: Any, frozen: Any, caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="metrics.tasks"):
        refresh_metrics.delay()

    assert list(DailyMetrics.objects.order_by("date").values_list("date", "dau", "posts")) == [
        (date(2025, 6, 16), 2, 0),
        (date(2025, 6, 17), 3, 2),
        (date(2025, 6, 18), 2, 1),
    ]
    assert "Refreshed metrics for 3 days (2025-06-16 to 2025-06-18)" in caplog.text


def test_the_task_does_nothing_while_another_refresh_runs(
    world: Any, frozen: Any, caplog: Any, refresh_running_elsewhere: Callable[[], None]
) -> None:
    with caplog.at_level(logging.INFO, logger="metrics.tasks"):
        refresh_metrics.delay()

    assert not DailyMetrics.objects.exists()
    assert "Another metrics refresh is in progress; nothing done" in caplog.text
