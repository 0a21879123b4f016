from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from content.counters import RECOUNT_BATCH_SIZE, counters_repair_all
from core.commands import ServiceCommand


class Command(ServiceCommand):
    help = (
        "Recount the counters kept on rows (posts: reactions, comments, reposts, quotes, bookmarks; users: "
        "followers, following, posts) from the rows they count, report every counter that drifted, and fix "
        "them. The services keep them exact; drift comes from rows changed outside them (the admin, SQL). "
        "Batches of --batch-size rows, each its own transaction; safe to run while the site is up."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only report the drift; change nothing.")
        parser.add_argument(
            "--batch-size", type=int, default=RECOUNT_BATCH_SIZE, help=f"Rows per batch (default {RECOUNT_BATCH_SIZE})."
        )
        parser.add_argument(
            "--fail-on-drift", action="store_true", help="Exit with status 1 when any counter had drifted (monitoring)."
        )

    def handle(self, *args: Any, dry_run: bool, batch_size: int, fail_on_drift: bool, **options: Any) -> None:
        if not 1 <= batch_size <= 100_000:
            raise CommandError("--batch-size must be between 1 and 100000.")
        drifted = False
        for table, drift in counters_repair_all(dry_run=dry_run, batch_size=batch_size).items():
            wrong = {name: rows for name, rows in drift.wrong.items() if rows}
            drifted = drifted or bool(wrong)
            details = ", ".join(f"{name} on {rows} (net {drift.total[name]:+d})" for name, rows in wrong.items())
            fixed = "" if dry_run else f"; {drift.fixed} fixed"
            found = f"drift: {details}{fixed}" if wrong else "no drift"
            self.stdout.write(f"{table}: {drift.rows} checked, {found}")
        if drifted and fail_on_drift:
            raise CommandError("Counters had drifted" + (" (not fixed: --dry-run)." if dry_run else " (fixed)."))
