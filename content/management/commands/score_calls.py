from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser

from content.calls import calls_score
from core.commands import ServiceCommand


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: {value!r} is not a date (YYYY-MM-DD).") from None


class Command(ServiceCommand):
    help = (
        'Score the calls (posts with a sentiment and a ticker) against the daily prices, as README "Calls" '
        "says. By default only the calls whose ticker has bars changed since the last run, and the pending "
        "ones whose entry window has ended; only values that change are written. Idempotent; runs one at a "
        "time (a second run waits for the first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            type=_date,
            default=None,
            help="Derive and score again every call posted on or after this date (YYYY-MM-DD), whatever changed.",
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Derive every call again from the posts and the prices, and recount every track record.",
        )

    def handle(self, *args: Any, since: datetime.date | None, rebuild: bool, **options: Any) -> None:
        result = calls_score(since=since, rebuild=rebuild)
        self.stdout.write(
            f"{result.examined} calls examined, {result.changed} changed, {result.newly_scored} newly scored "
            f"at 1m; {result.created} calls derived from posts, {result.removed} removed."
        )
