from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from datetime import time as dt_time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from demo.generator import (
    DEFAULT_POSTS,
    DEFAULT_SEED,
    DEFAULT_USERS,
    DEMO_ADMIN_EMAIL,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    MIN_USERS,
    demo_data_seed,
)


def _anchor(value: str) -> datetime:
    """`2025-06-01` (midnight UTC) or an ISO datetime (UTC unless it says otherwise)."""
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise argparse.ArgumentTypeError(f"expected an ISO date or datetime, got {value!r}")
        moment = datetime.combine(day, dt_time())
    return moment.astimezone(UTC) if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Create a realistic demo data set: users, follows, posts about real tickers, comments, likes, "
        "reposts, bookmarks, polls, mutes, blocks, reports, and made-up daily prices for the tickers, which "
        "some authors call better than chance. The same --seed and --now give the same "
        f"data set. Demo accounts use @{DEMO_EMAIL_DOMAIN} addresses and the password '{DEMO_PASSWORD}' "
        f"({DEMO_ADMIN_EMAIL} is a superuser), so never run this against production. If demo accounts "
        "already exist nothing is done, unless --flush replaces them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=DEFAULT_USERS, help=f"Accounts (default {DEFAULT_USERS}).")
        parser.add_argument("--posts", type=int, default=DEFAULT_POSTS, help=f"Posts (default {DEFAULT_POSTS}).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument(
            "--now",
            type=_anchor,
            default=None,
            help="The moment every generated time is measured back from: an ISO date or datetime, UTC unless "
            "given. Default: today at 00:00 UTC, so runs on the same day with the same seed are identical.",
        )
        parser.add_argument("--flush", action="store_true", help="Delete the existing demo data first.")

    def handle(
        self, *args: Any, users: int, posts: int, seed: int, now: datetime | None, flush: bool, **options: Any
    ) -> None:
        if users < MIN_USERS:
            raise CommandError(f"--users must be at least {MIN_USERS}.")
        if posts < 0:
            raise CommandError("--posts must not be negative.")
        anchor = now or timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        if not settings.DEBUG:
            self.stderr.write(f"Note: demo accounts share the public password '{DEMO_PASSWORD}'.")
        started = time.monotonic()
        result = demo_data_seed(users=users, posts=posts, seed=seed, now=anchor, flush=flush)
        elapsed = time.monotonic() - started
        if result.skipped:
            self.stdout.write(
                f"Demo data already present (@{DEMO_EMAIL_DOMAIN} accounts); nothing done. Use --flush to replace it."
            )
            return
        counts = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in result.counts().items())
        flushed = f" after removing {result.flushed_users} demo accounts" if flush else ""
        self.stdout.write(f"Seeded {counts}{flushed} in {elapsed:.1f}s (seed {seed}, now {anchor:%Y-%m-%dT%H:%M:%SZ}).")
