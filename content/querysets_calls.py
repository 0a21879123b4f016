"""Reads of calls: a user's calls, track records and the leaderboard, all from the stored scores.

Nothing here scores anything: ``content.calls`` stores every call's returns and hits, and
these are aggregates over the ``Call`` table (one query each), so their cost does not depend
on prices or on how the scores were reached.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Avg, Case, Count, F, FloatField, Q, QuerySet, When

from accounts.models import in_good_standing
from content.models import CALL_HORIZONS, Call, CallStatus, Post, Sentiment
from core.dates import utc_today
from core.stats import ratio, wilson_lower_bound_sql

RECORD_FIELDS = ("calls", "scored", "hits", "hit_rate", "avg_call_return", "score")
# The leaderboard's order: the Wilson lower bound of the hit rate, then the average call return;
# the user id makes it total.
LEADERBOARD_ORDERING = ("-score", "-avg_call_return", "author_id")


def record_aggregates(horizon: str, prefix: str = "") -> dict[str, Any]:
    """The track record of the calls in a queryset at ``horizon``, as aggregate expressions named
    ``{prefix}calls``, ``{prefix}scored`` ... (``RECORD_FIELDS``).

    ``calls`` counts the calls that are not void; ``scored`` those whose horizon has a hit (pending
    and void ones never count as misses); a call's return is its return for bullish and minus it
    for bearish (``avg_call_return``); ``score`` is the Wilson lower bound of ``hits / scored``.
    """
    hit, ret = f"hit_{horizon}", f"return_{horizon}"
    scored = Q(**{f"{hit}__isnull": False})
    call_return = Case(When(direction=Sentiment.BEARISH, then=-F(ret)), default=F(ret), output_field=FloatField())
    hits = Count("pk", filter=Q(**{hit: True}))
    trials = Count("pk", filter=scored)
    return {
        f"{prefix}calls": Count("pk", filter=~Q(status=CallStatus.VOID)),
        f"{prefix}scored": trials,
        f"{prefix}hits": hits,
        f"{prefix}hit_rate": ratio(hits, trials),
        f"{prefix}avg_call_return": Avg(call_return, filter=scored),
        f"{prefix}score": wilson_lower_bound_sql(hits, trials),
    }


def calls_since(days: int | None, *, today: datetime.date | None = None) -> Q:
    """Calls posted in the last ``days`` UTC days, today included (all of them when None)."""
    if days is None:
        return Q()
    today = today or utc_today()
    return Q(posted_on__gt=today - datetime.timedelta(days=days))


def track_record(user_id: int, *, days: int | None = None) -> dict[str, dict[str, Any]]:
    """``{horizon: record}`` of a user's calls (``record_aggregates``), in one query."""
    aggregates: dict[str, Any] = {}
    for horizon in CALL_HORIZONS:
        aggregates |= record_aggregates(horizon, prefix=f"h{horizon}_")
    row = Call.objects.filter(author_id=user_id).filter(calls_since(days)).aggregate(**aggregates)
    return {horizon: {field: row[f"h{horizon}_{field}"] for field in RECORD_FIELDS} for horizon in CALL_HORIZONS}


def leaderboard(*, horizon: str, days: int | None, min_calls: int) -> QuerySet[Any]:
    """One row per author in good standing with at least ``min_calls`` calls scored at ``horizon``
    among those posted in the window: ``{"author_id", **record}``, to be read in ``LEADERBOARD_ORDERING``.
    """
    return (
        Call.objects.filter(in_good_standing("author__"))
        .filter(calls_since(days))
        .values("author_id")
        .annotate(**record_aggregates(horizon))
        .filter(scored__gte=min_calls)  # type: ignore[misc]  # an annotation the plugin cannot see
    )


def user_calls(user_id: int, viewer: Any, *, status: str | None = None, symbol: str | None = None) -> QuerySet[Call]:
    """A user's calls the viewer may see (their posts' rules: ``Post.visible_to``), to page newest first."""
    calls = Call.objects.filter(author_id=user_id, post__in=Post.objects.visible_to(viewer).values("pk"))
    if status is not None:
        calls = calls.filter(status=status)
    if symbol is not None:
        calls = calls.filter(ticker_id=symbol)
    return calls.only("post_id", "created_at")
