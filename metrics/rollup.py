"""How the platform numbers are computed from the source tables (reads only; ``metrics.services`` stores them).

Every day is a UTC day, ``[00:00, 24:00)``. The definitions, repeated in the API schema:

- **active**: a user is active on a day when one of their ``accounts.UserSession`` rows overlaps it
  (``started_at`` before the day's end and ``last_seen_at`` at or after its start).
- **DAU**: users active that day. **WAU**: users active on at least one of the 7 days ending that
  day. **MAU**: the same over 30 days. **Stickiness**: DAU / MAU (0 when MAU is 0).
- **signups**: accounts created that day. **posts**, **comments**: created that day and still visible
  (not deleted, not hidden by a moderator). **reactions**: likes given that day, on posts and on
  comments. **reposts**: plain reposts made that day (a quote is a post). **poll_votes**: votes cast
  that day. **errors**: error groups first seen that day. **reports**: moderation reports filed that day.
- **Retention** (cohort = the users who signed up in one ISO week, Monday to Sunday UTC): for N in
  1, 7, 30, the share of the cohort active on the day exactly N days after their own sign-up day.
  It is null until that day has ended for every member (the day N days after the cohort's Sunday).

Set-based: :func:`daily_metrics_compute` answers any range of days with one grouped query per
source table and one query streaming each user's active days (a sliding-window distinct count
needs every user's days in order; memory stays at a few counters per day). :func:`day_metrics_live`
answers a single day with an aggregate query instead, cheaper for one day (the live "today").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from accounts.models import User, UserSession
from content.models import VISIBLE, Comment, CommentReaction, Post, PostReaction, Repost
from core.dates import day_start
from metrics.models import DailyMetrics, ErrorLog, RetentionCohort
from moderation.models import Report
from polls.models import PollVote

DAY = timedelta(days=1)
WEEK_DAYS = 7
MONTH_DAYS = 30
RETENTION_DAYS = (1, 7, 30)
# Activity windows: DAU, WAU, MAU.
WINDOWS = (1, WEEK_DAYS, MONTH_DAYS)
# The per-day counts of a DailyMetrics row (the activity columns aside); _sources() says where each comes from.
COUNTED_FIELDS = ("signups", "posts", "comments", "reactions", "reposts", "poll_votes", "errors", "reports")
STREAM_CHUNK = 5000


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def _sources() -> dict[str, list[tuple[models.QuerySet[Any], str]]]:
    return {
        "signups": [(User.objects.all(), "created_at")],
        "posts": [(Post.objects.filter(VISIBLE), "created_at")],
        "comments": [(Comment.objects.filter(VISIBLE), "created_at")],
        "reactions": [(PostReaction.objects.all(), "created_at"), (CommentReaction.objects.all(), "created_at")],
        "reposts": [(Repost.objects.all(), "created_at")],
        "poll_votes": [(PollVote.objects.all(), "created_at")],
        "errors": [(ErrorLog.objects.all(), "first_seen")],
        "reports": [(Report.objects.all(), "created_at")],
    }


def _per_day(queryset: models.QuerySet[Any], field: str, first: date, last: date) -> dict[date, int]:
    """``{day: rows}`` of the rows whose ``field`` falls on each day of ``first``..``last``; one grouped query."""
    rows = (
        queryset.filter(**{f"{field}__gte": day_start(first), f"{field}__lt": day_start(last + DAY)})
        .annotate(day=TruncDate(field, tzinfo=UTC))
        .values("day")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("day", "n")
    )
    return dict(rows)


def day_counts(first: date, last: date) -> dict[str, dict[date, int]]:
    """Each of ``COUNTED_FIELDS`` per day of ``first``..``last`` (days without rows are left out)."""
    counts: dict[str, dict[date, int]] = {}
    for name, sources in _sources().items():
        merged: dict[date, int] = {}
        for queryset, field in sources:
            for day, n in _per_day(queryset, field, first, last).items():
                merged[day] = merged.get(day, 0) + n
        counts[name] = merged
    return counts


def _sessions_overlapping(first: date, last: date) -> models.QuerySet[UserSession]:
    return UserSession.objects.filter(started_at__lt=day_start(last + DAY), last_seen_at__gte=day_start(first))


def _active_day_spans(first: date, last: date) -> Iterator[tuple[int, date, date]]:
    """``(user id, first day, last day)`` of every session overlapping ``first``..``last``, by user; streamed."""
    return (
        _sessions_overlapping(first, last)
        .values_list("user_id", TruncDate("started_at", tzinfo=UTC), TruncDate("last_seen_at", tzinfo=UTC))
        .distinct()
        .order_by("user_id")
        .iterator(chunk_size=STREAM_CHUNK)
    )


def active_counts(first: date, last: date) -> dict[date, tuple[int, int, int]]:
    """``{day: (dau, wau, mau)}`` for every day of ``first``..``last``; one streamed query.

    Each user's active days (index i from the start of the 30 days before ``first``) make the user
    count in the window of size W on days i..i+W-1; overlapping stretches of one user are merged, so
    adding +1 at a stretch's start and -1 after its end, then summing from the left, counts each
    user at most once per day: the distinct count, without one query per day.
    """
    origin = first - (MONTH_DAYS - 1) * DAY
    length = (last - origin).days + 1
    diffs = [[0] * (length + MONTH_DAYS + 1) for _ in WINDOWS]
    for _, spans in groupby(_active_day_spans(origin, last), key=itemgetter(0)):
        days: set[int] = set()
        for _, start, end in spans:
            lo, hi = max((start - origin).days, 0), min((end - origin).days, length - 1)
            days.update(range(lo, hi + 1))
        ordered = sorted(days)
        for diff, window in zip(diffs, WINDOWS, strict=True):
            covered = -1  # the last day index this user already counts on
            for i in ordered:
                lo, hi = max(i, covered + 1), i + window - 1
                if lo <= hi:
                    diff[lo] += 1
                    diff[hi + 1] -= 1
                    covered = hi
    totals: list[list[int]] = []
    for diff in diffs:
        running, column = 0, []
        for value in diff[:length]:
            running += value
            column.append(running)
        totals.append(column)
    offset = MONTH_DAYS - 1
    return {
        first + k * DAY: (totals[0][offset + k], totals[1][offset + k], totals[2][offset + k])
        for k in range(length - offset)
    }


def daily_metrics_compute(*, first: date, last: date, now: datetime) -> list[DailyMetrics]:
    """Unsaved rows for every day of ``first``..``last``, oldest first; ten queries whatever the range."""
    counts = day_counts(first, last)
    active = active_counts(first, last)
    rows = []
    day = first
    while day <= last:
        dau, wau, mau = active[day]
        values = {name: counts[name].get(day, 0) for name in COUNTED_FIELDS}
        rows.append(DailyMetrics(date=day, dau=dau, wau=wau, mau=mau, computed_at=now, **values))
        day += DAY
    return rows


def day_metrics_live(*, day: date, now: datetime) -> DailyMetrics:
    """The unsaved row of one day (normally today, so far), with one aggregate query for the activity.

    For today the activity comes from ``User.last_active_at``, which ``accounts.activity`` writes
    together with the user's sessions: a user was active during a window that ends now exactly
    when their latest activity falls in it. That is a range count on ``user_last_active_idx``
    instead of a distinct count over a month of sessions (138 ms at 926k sessions). An earlier
    day needs the sessions: a user's latest activity may be after it.
    """
    counts = day_counts(day, day)
    values = {name: counts[name].get(day, 0) for name in COUNTED_FIELDS}
    dau_since = day_start(day)
    wau_since = day_start(day - (WEEK_DAYS - 1) * DAY)
    mau_since = day_start(day - (MONTH_DAYS - 1) * DAY)
    if day == now.astimezone(UTC).date():
        activity = User.objects.filter(last_active_at__gte=mau_since).aggregate(
            dau=Count("pk", filter=Q(last_active_at__gte=dau_since)),
            wau=Count("pk", filter=Q(last_active_at__gte=wau_since)),
            mau=Count("pk"),
        )
    else:
        activity = _sessions_overlapping(day - (MONTH_DAYS - 1) * DAY, day).aggregate(
            dau=Count("user", distinct=True, filter=Q(last_seen_at__gte=dau_since)),
            wau=Count("user", distinct=True, filter=Q(last_seen_at__gte=wau_since)),
            mau=Count("user", distinct=True),
        )
    return DailyMetrics(date=day, computed_at=now, **activity, **values)


def retention_compute(*, first_week: date, last_week: date, today: date, now: datetime) -> list[RetentionCohort]:
    """Unsaved cohorts of the ISO weeks starting ``first_week``..``last_week`` (Mondays) that have members.

    Two streamed queries: the members' sign-up days, then the day spans of their sessions on the
    days that matter (from the day after the first sign-up to the last complete day N).
    """
    signup_end = day_start(last_week + WEEK_DAYS * DAY)
    members = (
        User.objects.filter(created_at__gte=day_start(first_week), created_at__lt=signup_end)
        .values_list("pk", TruncDate("created_at", tzinfo=UTC))
        .order_by()
        .iterator(chunk_size=STREAM_CHUNK)
    )
    signup_day: dict[int, date] = dict(members)
    came_back: dict[int, set[int]] = {n: set() for n in RETENTION_DAYS}
    last_complete = today - DAY
    window_last = min(last_week + (WEEK_DAYS - 1 + max(RETENTION_DAYS)) * DAY, last_complete)
    if signup_day and first_week + DAY <= window_last:
        spans = (
            _sessions_overlapping(first_week + DAY, window_last)
            .filter(user__created_at__gte=day_start(first_week), user__created_at__lt=signup_end)
            .values_list("user_id", TruncDate("started_at", tzinfo=UTC), TruncDate("last_seen_at", tzinfo=UTC))
            .distinct()
            .order_by()
            .iterator(chunk_size=STREAM_CHUNK)
        )
        for user_id, start, end in spans:
            signed_up = signup_day[user_id]
            for n in RETENTION_DAYS:
                if start <= signed_up + n * DAY <= end:
                    came_back[n].add(user_id)
    return _cohorts(signup_day, came_back, today=today, now=now)


def _cohorts(
    signup_day: dict[int, date], came_back: dict[int, set[int]], *, today: date, now: datetime
) -> list[RetentionCohort]:
    sizes: dict[date, int] = {}
    returned: dict[tuple[date, int], int] = {}
    for user_id, day in signup_day.items():
        week = week_start(day)
        sizes[week] = sizes.get(week, 0) + 1
        for n in RETENTION_DAYS:
            if user_id in came_back[n]:
                returned[week, n] = returned.get((week, n), 0) + 1
    cohorts = []
    for week in sorted(sizes):
        # Day N is over for every member once the day N days after the week's Sunday has ended.
        known = {n: week + (WEEK_DAYS - 1 + n) * DAY < today for n in RETENTION_DAYS}
        days = {f"day_{n}": returned.get((week, n), 0) if known[n] else None for n in RETENTION_DAYS}
        cohorts.append(RetentionCohort(week=week, users=sizes[week], computed_at=now, **days))
    return cohorts


def share(part: int | None, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places; None when ``part`` is unknown, 0 when ``whole`` is 0."""
    if part is None:
        return None
    return round(part / whole, 4) if whole else 0.0


def days_between(first: date, last: date) -> Iterable[date]:
    return (first + k * DAY for k in range((last - first).days + 1))
