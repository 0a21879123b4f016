"""Reads over content: tickers with their activity."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

if TYPE_CHECKING:
    from content.models import Ticker  # noqa: F401 - named in the generic base below

SENTIMENT_WINDOW = timedelta(hours=24)


def _count(queryset: models.QuerySet[Any]) -> Coalesce:
    """``COALESCE((SELECT COUNT(*) ... ), 0)``: a correlated count, one per outer row."""
    counted = queryset.order_by().values("ticker_id").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), Value(0))


class TickerQuerySet(models.QuerySet["Ticker"]):
    def with_stats(self, *, now: datetime | None = None) -> TickerQuerySet:
        """Annotates ``post_count`` (visible posts ever) and ``bullish_count``/``bearish_count``
        (visible posts tagged each way in the 24 hours before ``now``).

        Correlated subqueries over PostTicker (its copies of the post's time and
        sentiment, on the (ticker, created_at) index) joined to the post for
        visibility: one query for any number of tickers, and no join fan-out
        with whatever else the queryset filters on.
        """
        from content.models import PostTicker, Sentiment

        since = (now or timezone.now()) - SENTIMENT_WINDOW
        mentions = PostTicker.objects.filter(
            ticker_id=OuterRef("pk"),
            post__deleted_at__isnull=True,
            post__is_hidden=False,
        )
        recent = mentions.filter(created_at__gte=since)
        return self.annotate(
            post_count=_count(mentions),
            bullish_count=_count(recent.filter(sentiment=Sentiment.BULLISH)),
            bearish_count=_count(recent.filter(sentiment=Sentiment.BEARISH)),
        )

    def watched_by(self, user: Any) -> TickerQuerySet:
        """The user's watchlist, newest addition first, with ``watched_at``."""
        return (
            self.filter(watchers__user=user)
            .annotate(watched_at=F("watchers__created_at"), watch_id=F("watchers__id"))
            .order_by("-watched_at", "-watch_id")
        )
