"""Rows the notification tests need from other apps, written with explicit values."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django.utils import timezone

from content.models import Call, CallStatus, Post, Ticker
from content.tests.factories import PostFactory, TickerFactory

POSTED_ON = date(2026, 1, 5)


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
    post = cast(
        Post, PostFactory(author=author, sentiment=direction, content=f"${symbol} looks {direction}", **post_fields)
    )
    scored = status == CallStatus.SCORED
    hit = None
    if scored and return_1m is not None:
        hit = return_1m > 0 if direction == "bullish" else return_1m < 0  # no move is a miss
    return Call.objects.create(
        post=post,
        author=author,
        ticker=cast(Ticker, TickerFactory(symbol=symbol)),
        direction=direction,
        created_at=post.created_at,
        posted_on=POSTED_ON,
        entry_deadline=POSTED_ON + timedelta(days=5),
        status=status,
        entry_date=None if status == CallStatus.VOID else POSTED_ON,
        entry_price=None if status == CallStatus.VOID else 100.0,
        return_1m=return_1m if scored else None,
        hit_1m=hit,
        exit_date_1m=POSTED_ON + timedelta(days=30) if scored else None,
        scored_at=timezone.now() if scored else None,
    )
