from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandParser

from core.commands import ServiceCommand
from metrics.services import DEFAULT_REFRESH_DAYS, MAX_REFRESH_DAYS, metrics_refresh


class Command(ServiceCommand):
    help = (
        "Recompute the metrics roll-ups: the daily metrics and retention cohorts of the last --days UTC days "
        "(today included), the ticker post counters, and the hourly ticker mentions behind trending (the last "
        "8 days, or --days if more). Idempotent and safe to run from cron at any frequency: a run that finds "
        "another one going says so and does nothing. Run it every few minutes; after installing, or to fill "
        "history, once with a larger --days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_REFRESH_DAYS,
            help=f"How many UTC days to recompute, ending today (default {DEFAULT_REFRESH_DAYS}; "
            f"1-{MAX_REFRESH_DAYS}; larger to backfill).",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        started = time.monotonic()
        result = metrics_refresh(days=days)
        if result is None:
            self.stdout.write("Another refresh_metrics run is in progress; nothing done.")
            return
        self.stdout.write(
            f"Refreshed metrics for {result.days} days ({result.first} to {result.last}), "
            f"{result.cohorts} retention cohorts, {result.tickers_recounted} ticker counters corrected, "
            f"{result.hourly_rows} hourly mention rows in {time.monotonic() - started:.1f}s."
        )
