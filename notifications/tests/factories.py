"""Rows the notification tests need from other apps, written with explicit values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from content.models import Call, CallStatus
from content.tests.factories import stored_call

POSTED_AT = datetime(2026, 1, 5, 15, tzinfo=UTC)


def make_call(
    author: Any,
    *,
    symbol: str = "NVDA",
    direction: str = "bullish",
    status: str = CallStatus.SCORED,
    return_1m: float | None = 0.042,
    **post_fields: Any,
) -> Call:
    """A call with explicit values, as ``score_calls`` leaves it (a scored one has its 1m return and hit)."""
    scored = status == CallStatus.SCORED
    return stored_call(
        author=author,
        symbol=symbol,
        direction=direction,
        posted_at=post_fields.pop("created_at", None) or POSTED_AT,
        status=status,
        returns=(None, None, return_1m if scored else None),
        **post_fields,
    )
