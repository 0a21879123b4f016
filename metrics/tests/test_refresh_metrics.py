"""refresh_metrics: the roll-ups it writes, idempotency, backfill, the lock, and the content roll-ups it runs."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import UserSession
from content.models import Ticker, TickerHourlyMentions
from content.tests.factories import mention
from metrics.models import DailyMetrics, RetentionCohort
from metrics.rollup import daily_metrics_compute, day_metrics_live
from metrics.tests.hand_counted_activity import NOW, at, make_user

pytestmark = pytest.mark.django_db


def refresh(*args: str) -> str:
    out = io.StringIO()
    call_command("refresh_metrics", *args, stdout=out)
    return out.getvalue()


def rows() -> list[tuple[Any, ...]]:
    return list(DailyMetrics.objects.order_by("date").values_list(*[f.name for f in DailyMetrics._meta.fields][1:]))


def test_refresh_writes_the_last_three_days_by_default_and_says_so(world: Any, frozen: Any) -> None:
    output = refresh()

    assert list(DailyMetrics.objects.order_by("date").values_list("date", "dau", "wau", "mau", "posts")) == [
        # 06-16: B and E active; 06-10..06-16 adds A and D (06-11) and C (06-12); 05-18..06-16 the same five.
        (date(2025, 6, 16), 2, 5, 5, 0),
        (date(2025, 6, 17), 3, 5, 5, 2),
        (date(2025, 6, 18), 2, 5, 6, 1),
    ]
    assert output.startswith("Refreshed metrics for 3 days (2025-06-16 to 2025-06-18), ")
    assert " retention cohorts, " in output
    assert output.rstrip().endswith("s.")
    assert output.count("\n") == 1


def test_refresh_twice_leaves_the_same_rows(world: Any, frozen: Any) -> None:
    refresh("--days=40")
    first = (rows(), list(RetentionCohort.objects.order_by("week").values_list("week", "users", "day_1", "day_7")))

    refresh("--days=40")

    assert (rows(), list(RetentionCohort.objects.order_by("week").values_list("week", "users", "day_1", "day_7"))) == (
        first
    )
    assert DailyMetrics.objects.count() == 40


def test_refresh_days_backfills_older_days_and_leaves_the_rest(world: Any, frozen: Any) -> None:
    refresh("--days=1")
    assert list(DailyMetrics.objects.values_list("date", flat=True)) == [date(2025, 6, 18)]

    refresh("--days=10")

    assert DailyMetrics.objects.count() == 10
    assert DailyMetrics.objects.get(date=date(2025, 6, 10)).posts == 2
    assert DailyMetrics.objects.get(date=date(2025, 6, 11)).dau == 2
    # A later default run rewrites only its own days: older rows stay as the backfill left them.
    DailyMetrics.objects.filter(date=date(2025, 6, 10)).update(posts=99)
    refresh()
    assert DailyMetrics.objects.get(date=date(2025, 6, 10)).posts == 99


def test_refresh_rows_match_a_fresh_computation(world: Any, frozen: Any) -> None:
    refresh("--days=45")

    computed = daily_metrics_compute(first=date(2025, 5, 5), last=date(2025, 6, 18), now=NOW)
    expected = [(row.date, row.signups, row.dau, row.wau, row.mau, row.posts) for row in computed]
    stored = DailyMetrics.objects.order_by("date").values_list("date", "signups", "dau", "wau", "mau", "posts")
    assert list(stored) == expected


def test_a_session_over_several_days_makes_its_user_active_on_each(frozen: Any) -> None:
    user = make_user(created_at=at("06-01", "08:00"))
    UserSession.objects.create(user=user, started_at=at("06-01", "22:00"), last_seen_at=at("06-04", "01:00"))

    rolled = {
        row.date: row.dau for row in daily_metrics_compute(first=date(2025, 5, 31), last=date(2025, 6, 5), now=NOW)
    }

    assert rolled == {date(2025, 5, 31): 0, **{date(2025, 6, d): 1 for d in (1, 2, 3, 4)}, date(2025, 6, 5): 0}
    assert [day_metrics_live(day=d, now=NOW).dau for d in rolled] == list(rolled.values())


def test_refresh_repairs_ticker_counters_and_rolls_up_hourly_mentions(world: Any, frozen: Any) -> None:
    ticker = Ticker.objects.create(symbol="AMD")
    mention(ticker, hours_ago=3)
    mention(ticker, hours_ago=24 * 7)  # within the 8 days refreshed by default
    mention(ticker, hours_ago=24 * 15)  # only with --days past 15
    Ticker.objects.filter(pk="AMD").update(post_count=42)

    output = refresh()

    ticker.refresh_from_db()
    assert ticker.post_count == 3
    assert "1 ticker counters corrected" in output
    assert sum(TickerHourlyMentions.objects.values_list("mentions", flat=True)) == 2
    assert "2 hourly mention rows" in output

    refresh("--days=20")

    assert sum(TickerHourlyMentions.objects.values_list("mentions", flat=True)) == 3


def test_refresh_stores_retention_cohorts(world: Any, frozen: Any) -> None:
    refresh("--days=40")

    assert list(RetentionCohort.objects.order_by("week").values_list("week", "users", "day_1", "day_7", "day_30")) == [
        (date(2025, 5, 12), 2, 1, 2, 1),
        (date(2025, 6, 2), 2, 1, 1, None),
        (date(2025, 6, 16), 2, None, None, None),
    ]


def test_a_cohort_that_lost_its_members_loses_its_row(world: Any, frozen: Any) -> None:
    refresh("--days=40")
    world["E"].delete()
    world["F"].delete()

    refresh()

    assert not RetentionCohort.objects.filter(week=date(2025, 6, 16)).exists()
    assert RetentionCohort.objects.filter(week=date(2025, 6, 2)).exists()


def test_a_second_run_while_one_holds_the_lock_does_nothing(
    world: Any, frozen: Any, refresh_running_elsewhere: Callable[[], None]
) -> None:
    output = refresh()
    refresh_running_elsewhere()  # the other run ends

    assert output == "Another refresh_metrics run is in progress; nothing done.\n"
    assert not DailyMetrics.objects.exists()
    # Once released, the next run goes ahead.
    assert refresh().startswith("Refreshed metrics for 3 days")


@pytest.mark.parametrize("days", ["0", "-1", "3651"])
def test_refresh_refuses_a_bad_days(days: str) -> None:
    with pytest.raises(CommandError, match="--days"):
        refresh(f"--days={days}")


def test_the_metrics_roll_up_takes_the_same_few_queries_for_any_range(
    world: Any, frozen: Any, django_assert_max_num_queries: Any
) -> None:
    # Set-based: one grouped query per source table and one streamed activity query, whatever the
    # number of days or users (the hourly mentions refresh goes a day at a time: its own design).
    from django.test.utils import CaptureQueriesContext

    from metrics.services import daily_metrics_refresh, retention_cohorts_refresh

    for index in range(20):
        user = make_user(created_at=NOW - timedelta(days=index))
        UserSession.objects.create(user=user, started_at=user.created_at, last_seen_at=user.created_at)
    counts = []
    for days in (1, 30, 365):
        first = NOW.date() - timedelta(days=days - 1)
        with CaptureQueriesContext(connection) as queries:
            daily_metrics_refresh(first=first, last=NOW.date(), now=NOW)
            retention_cohorts_refresh(first=first, last=NOW.date(), now=NOW)
        counts.append(len(queries))
    # A year's rows may go in a few INSERTs (SQLite caps the parameters of one statement).
    assert counts[0] == counts[1], counts
    assert counts[2] <= counts[0] + 6, counts
    with django_assert_max_num_queries(60):
        refresh()
