"""UTC calendar days: the API's and the roll-ups' days are UTC dates everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.utils import timezone


def utc_date(moment: datetime) -> date:
    """The UTC date of ``moment``."""
    return moment.astimezone(UTC).date()


def utc_today() -> date:
    """Today's UTC date (by ``timezone.now``, so frozen clocks apply)."""
    return utc_date(timezone.now())


def day_start(day: date) -> datetime:
    """00:00 UTC of ``day``."""
    return datetime.combine(day, time(), tzinfo=UTC)
