"""The staff metrics endpoints on a small world whose every number is worked out by hand below.

Now is Wednesday 2025-06-18 12:00 UTC. ISO weeks: 05-12..05-18, 06-02..06-08, 06-09..06-15,
06-16..06-22 (this one). Six users, each with sessions (S) on known UTC days:

    A signed up Mon 05-12  S: 05-12, 05-13, 05-19, 06-11, 06-17 23:50 -> 06-18 00:10, 06-18 10:00
    B signed up Wed 05-14  S: 05-14, 05-21, 06-16
    C signed up Mon 06-02  S: 06-02, 06-03, 06-12, 06-17
    D signed up Wed 06-04  S: 06-04, 06-11
    E signed up Mon 06-16  S: 06-16, 06-17
    F signed up Wed 06-18 (today; the staff member who asks)  S: 06-18

Content: 06-10 two posts (A, D); 06-17 posts p1 (A), p2 (C) and a deleted one, comment c1 on p1,
likes p1 by C, p2 by A, c1 by A, two poll votes (A, C); 06-18 post p4 (F) and a hidden one,
comment c2 and a deleted one, like p4 by A, repost of p1 by E. Errors: an error group first seen
06-17 (5 times, last 06-18 11:00), a warning first seen 06-01 (2 times, last 06-18 02:00,
resolved), an info first seen and last seen 06-10. Reports: spam on p2 06-17 (open), harassment
on B 06-18 (open), misinformation on p1 06-10 (dismissed).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from core.testing import assert_problem
from metrics.models import DailyMetrics
from metrics.tests.hand_counted_activity import NOW

pytestmark = pytest.mark.django_db

ENDPOINTS = ["dashboard", "users", "engagement", "growth", "health", "trending"]


@pytest.fixture
def staff_client(client_for: Any, world: dict[str, Any], frozen: Any) -> Any:
    return client_for(world["F"])  # a token issued at the frozen time


def refresh(days: int = 40) -> None:
    call_command("refresh_metrics", f"--days={days}", stdout=io.StringIO())


def by_date(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["date"]: row for row in rows}


def test_users_counts_active_users_signups_and_retention(staff_client: Any, frozen: Any) -> None:
    refresh()

    response = staff_client.get(reverse("metrics-users"), {"days": 40})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["days"], body["first"], body["last"]) == (40, "2025-05-10", "2025-06-18")
    assert body["total_users"] == 6
    assert body["signups"] == 6  # all six signed up from 05-12 on
    daily = by_date(body["daily"])
    # Today, live. Active on 06-18: A (the session over midnight, and 10:00) and F -> DAU 2.
    # 06-12..06-18: A, B (06-16), C (06-12, 06-17), E, F -> WAU 5 (D was last seen 06-11).
    # 05-20..06-18: everyone -> MAU 6 (A counts with 06-11 and later, B with 05-21).
    assert daily["2025-06-18"] == {
        "date": "2025-06-18",
        "signups": 1,
        "dau": 2,
        "wau": 5,
        "mau": 6,
        "stickiness": 0.3333,
    }
    # Yesterday, from the roll-up. Active on 06-17: A (23:50), C, E -> 3. 06-11..06-17: A, B, C, D, E -> 5.
    # 05-19..06-17: A (05-19), B, C, D, E -> 5 (F had not signed up).
    assert daily["2025-06-17"] == {"date": "2025-06-17", "signups": 0, "dau": 3, "wau": 5, "mau": 5, "stickiness": 0.6}
    # 06-11: A and D active; the 7 days 06-05..06-11 hold only them; 05-13..06-11: A, B, C, D.
    assert daily["2025-06-11"] == {"date": "2025-06-11", "signups": 0, "dau": 2, "wau": 2, "mau": 4, "stickiness": 0.5}
    # Before anyone signed up: zeros, and stickiness 0 rather than a division by zero.
    assert daily["2025-05-10"] == {"date": "2025-05-10", "signups": 0, "dau": 0, "wau": 0, "mau": 0, "stickiness": 0.0}
    assert [row["date"] for row in body["daily"]][:2] == ["2025-05-10", "2025-05-11"]
    assert body["retention"] == [
        # Week of 05-12: A and B. Day 1: A (05-13) yes, B (05-15) no. Day 7: A 05-19, B 05-21, both.
        # Day 30: A 06-11 yes, B 06-13 no. Complete: 05-18 + 30 = 06-17 is over.
        {"week": "2025-05-12", "users": 2, "day_1": 0.5, "day_7": 1.0, "day_30": 0.5},
        # Week of 06-02: C and D. Day 1: C 06-03 yes, D 06-05 no. Day 7: C 06-09 no, D 06-11 yes.
        # Day 30 would end 06-08 + 30 = 07-08: in the future, so null.
        {"week": "2025-06-02", "users": 2, "day_1": 0.5, "day_7": 0.5, "day_30": None},
        # This week (E, F): not even day 1 is over for a Sunday sign-up.
        {"week": "2025-06-16", "users": 2, "day_1": None, "day_7": None, "day_30": None},
    ]


def test_engagement_counts_each_kind_and_divides_by_active_users(staff_client: Any, frozen: Any) -> None:
    refresh()

    response = staff_client.get(reverse("metrics-engagement"), {"days": 9})

    assert response.status_code == 200, response.content
    body = response.json()
    daily = by_date(body["daily"])
    # 06-17: p1 and p2 (the deleted one does not count), c1, 3 likes (2 on posts, 1 on a comment), 2 votes;
    # 3 active users.
    assert daily["2025-06-17"] == {
        "date": "2025-06-17",
        "dau": 3,
        "posts": 2,
        "comments": 1,
        "reactions": 3,
        "reposts": 0,
        "poll_votes": 2,
        "per_active_user": {
            "posts": 0.6667,
            "comments": 0.3333,
            "reactions": 1.0,
            "reposts": 0.0,
            "poll_votes": 0.6667,
        },
    }
    # 06-18 (live): p4 (not the hidden one), c2 (not the deleted one), 1 like, 1 repost; 2 active users.
    assert daily["2025-06-18"] == {
        "date": "2025-06-18",
        "dau": 2,
        "posts": 1,
        "comments": 1,
        "reactions": 1,
        "reposts": 1,
        "poll_votes": 0,
        "per_active_user": {"posts": 0.5, "comments": 0.5, "reactions": 0.5, "reposts": 0.5, "poll_votes": 0.0},
    }
    # 06-10: two posts and nobody active: per active user is 0, not an error.
    assert daily["2025-06-10"]["posts"] == 2
    assert daily["2025-06-10"]["per_active_user"]["posts"] == 0.0
    assert body["totals"] == {"posts": 5, "comments": 2, "reactions": 4, "reposts": 1, "poll_votes": 2}


def test_growth_compares_this_week_with_last_week(staff_client: Any, frozen: Any) -> None:
    refresh()

    response = staff_client.get(reverse("metrics-growth"), {"days": 14})

    assert response.status_code == 200, response.content
    body = response.json()
    # This week 06-12..06-18, last week 06-05..06-11.
    # Sign-ups: E and F against nobody (D signed up 06-04): no percentage.
    assert body["signups"] == {"this_week": 2, "last_week": 0, "change": 2, "change_percent": None}
    # WAU of 06-18 (A, B, C, E, F) against WAU of 06-11 (A, D): +3, +150%.
    assert body["wau"] == {"this_week": 5, "last_week": 2, "change": 3, "change_percent": 150.0}
    # Visible posts: p1, p2, p4 against the two of 06-10: +1, +50%.
    assert body["posts"] == {"this_week": 3, "last_week": 2, "change": 1, "change_percent": 50.0}
    assert body["weeks"] == [
        {"first": "2025-06-05", "last": "2025-06-11", "signups": 0, "wau": 2, "posts": 2},
        {"first": "2025-06-12", "last": "2025-06-18", "signups": 2, "wau": 5, "posts": 3},
    ]
    # The default window (30 days) holds four whole weeks.
    assert len(staff_client.get(reverse("metrics-growth")).json()["weeks"]) == 4


def test_health_counts_errors_reports_and_checks_dependencies(staff_client: Any, frozen: Any) -> None:
    refresh()

    response = staff_client.get(reverse("metrics-health"), {"days": 9})

    assert response.status_code == 200, response.content
    body = response.json()
    # Unresolved: "boom" and "note". Seen since 06-17 12:00: "boom" (error, 5) and "slow" (warning, 2).
    assert body["errors"] == {
        "unresolved_groups": 2,
        "last_24h": {
            "debug": {"groups": 0, "occurrences": 0},
            "info": {"groups": 0, "occurrences": 0},
            "warning": {"groups": 1, "occurrences": 2},
            "error": {"groups": 1, "occurrences": 5},
            "critical": {"groups": 0, "occurrences": 0},
        },
    }
    assert body["reports"] == {
        "open": 2,
        "open_by_reason": {"spam": 1, "harassment": 1, "misinformation": 0, "other": 0},
    }
    assert body["checks"] == {"database": "ok", "cache": "ok", "storage": "ok"}
    daily = by_date(body["daily"])
    assert daily["2025-06-10"] == {"date": "2025-06-10", "errors": 1, "reports": 1}
    assert daily["2025-06-17"] == {"date": "2025-06-17", "errors": 1, "reports": 1}
    assert daily["2025-06-18"] == {"date": "2025-06-18", "errors": 0, "reports": 1}


def test_trending_lists_the_tickers_of_the_last_day(staff_client: Any, frozen: Any) -> None:
    from content.models import Ticker
    from content.tests.factories import mention

    ticker = Ticker.objects.create(symbol="NVDA", name="NVIDIA Corporation", is_listed=True)
    mention(ticker, hours_ago=2, author=User.objects.get(username="user_a"))
    mention(ticker, hours_ago=30, author=User.objects.get(username="user_c"))
    refresh()

    response = staff_client.get(reverse("metrics-trending"), {"days": 7})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["hours"] == 24
    assert [(t["symbol"], t["mentions"]) for t in body["tickers"]] == [("NVDA", 1)]
    # Over the 7 days, both mentions (from the hourly roll-up refresh_metrics wrote).
    assert body["most_mentioned"] == [{"symbol": "NVDA", "mentions": 2, "bullish": 0, "bearish": 0}]


def test_dashboard_holds_every_group(staff_client: Any, frozen: Any) -> None:
    refresh()

    body = staff_client.get(reverse("metrics-dashboard"), {"days": 14}).json()

    assert set(body) == {"days", "first", "last", "users", "engagement", "growth", "health", "trending"}
    for group in ("users", "engagement", "growth", "health", "trending"):
        alone = staff_client.get(reverse(f"metrics-{group}"), {"days": 14}).json()
        if group == "health":  # the readiness checks run again; the numbers are the same
            assert alone["errors"] == body[group]["errors"]
        else:
            assert alone == body[group], group


def test_past_days_missing_from_the_roll_up_are_computed_on_the_spot(staff_client: Any, frozen: Any) -> None:
    # No refresh_metrics yet: the numbers are the same, only slower to get.
    assert not DailyMetrics.objects.exists()

    daily = by_date(staff_client.get(reverse("metrics-users"), {"days": 8}).json()["daily"])

    assert (daily["2025-06-17"]["dau"], daily["2025-06-17"]["wau"], daily["2025-06-17"]["mau"]) == (3, 5, 5)
    assert (daily["2025-06-11"]["dau"], daily["2025-06-11"]["wau"], daily["2025-06-11"]["mau"]) == (2, 2, 4)
    assert not DailyMetrics.objects.exists()  # a GET writes nothing


def test_live_and_rolled_up_activity_agree_on_every_day(world: dict[str, Any]) -> None:
    from metrics.rollup import daily_metrics_compute, day_metrics_live

    first, last = NOW.date() - timedelta(days=45), NOW.date()
    rolled = daily_metrics_compute(first=first, last=last, now=NOW)
    for row in rolled:
        live = day_metrics_live(day=row.date, now=NOW)
        assert (live.dau, live.wau, live.mau) == (row.dau, row.wau, row.mau), row.date


def test_export_csv_is_the_daily_rows_as_a_download(staff_client: Any, frozen: Any) -> None:
    refresh()

    response = staff_client.get(reverse("metrics-export"), {"format": "csv", "days": 2})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pageshare-metrics-2025-06-18.csv"'
    assert b"".join(response.streaming_content).decode() == (
        "date,signups,dau,wau,mau,posts,comments,reactions,reposts,poll_votes,errors,reports,computed_at\n"
        "2025-06-17,0,3,5,5,2,1,3,0,2,1,1,2025-06-18T12:00:00Z\n"
        "2025-06-18,1,2,5,6,1,1,1,1,0,0,1,2025-06-18T12:00:00Z\n"
    )


def test_export_json_is_an_array_of_the_same_rows(staff_client: Any, frozen: Any) -> None:
    refresh()

    response = staff_client.get(reverse("metrics-export"), {"format": "json", "days": 2})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="pageshare-metrics-2025-06-18.json"'
    rows = json.loads(b"".join(response.streaming_content))
    assert rows == [
        {
            "date": "2025-06-17",
            "signups": 0,
            "dau": 3,
            "wau": 5,
            "mau": 5,
            "posts": 2,
            "comments": 1,
            "reactions": 3,
            "reposts": 0,
            "poll_votes": 2,
            "errors": 1,
            "reports": 1,
            "computed_at": "2025-06-18T12:00:00Z",
        },
        {
            "date": "2025-06-18",
            "signups": 1,
            "dau": 2,
            "wau": 5,
            "mau": 6,
            "posts": 1,
            "comments": 1,
            "reactions": 1,
            "reposts": 1,
            "poll_votes": 0,
            "errors": 0,
            "reports": 1,
            "computed_at": "2025-06-18T12:00:00Z",
        },
    ]


def test_export_defaults_to_csv_of_30_days(staff_client: Any, frozen: Any) -> None:
    response = staff_client.get(reverse("metrics-export"))

    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response.status_code == 200
    assert len(lines) == 31
    assert (lines[1][0], lines[-1][0]) == ("2025-05-20", "2025-06-18")


@pytest.mark.parametrize("name", [*ENDPOINTS, "export"])
def test_metrics_refuse_anonymous_callers(api_client: Any, name: str) -> None:
    response = api_client.get(reverse(f"metrics-{name}"))

    assert_problem(response, 401)


@pytest.mark.parametrize("name", [*ENDPOINTS, "export"])
def test_metrics_refuse_members_who_are_not_staff(client_for: Any, user: Any, name: str) -> None:
    response = client_for(user).get(reverse(f"metrics-{name}"))

    assert_problem(response, 403)


@pytest.mark.parametrize("name", [*ENDPOINTS, "export"])
@pytest.mark.parametrize("days", ["abc", "0", "366", "-3", "1.5"])
def test_metrics_refuse_a_bad_days(client_for: Any, staff_user: Any, name: str, days: str) -> None:
    response = client_for(staff_user).get(reverse(f"metrics-{name}"), {"days": days})

    assert_problem(response, 400, "days")


@pytest.mark.parametrize("kind", ["xml", "CSV", ""])
def test_export_refuses_an_unknown_format(client_for: Any, staff_user: Any, kind: str) -> None:
    response = client_for(staff_user).get(reverse("metrics-export"), {"format": kind, "days": 2})

    if kind == "":  # empty: the default
        assert response.status_code == 200
    else:
        assert_problem(response, 400, "format")


@pytest.mark.parametrize("name", [*ENDPOINTS, "export"])
def test_metrics_query_count_does_not_grow_with_days(
    staff_client: Any, frozen: Any, name: str, django_assert_max_num_queries: Any
) -> None:
    refresh(days=400)
    counts = []
    for days in (1, 50, 365):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(reverse(f"metrics-{name}"), {"days": days})
            if name == "export":
                b"".join(response.streaming_content)
        assert response.status_code == 200
        counts.append(len(queries))
    # The roll-up is read in one query and today computed live by a fixed number of them.
    assert counts[0] == counts[1] == counts[2], counts
    with django_assert_max_num_queries(30):
        response = staff_client.get(reverse(f"metrics-{name}"), {"days": 365})
        if name == "export":
            b"".join(response.streaming_content)


def test_openapi_documents_every_metrics_endpoint(api_client: Any) -> None:
    schema = api_client.get("/api/schema", {"format": "json"}).json()

    for name in [*ENDPOINTS, "export"]:
        operation = schema["paths"][f"/api/v1/metrics/{name}"]["get"]
        assert operation["summary"]
        assert {"200", "400", "401", "403"} <= set(operation["responses"])
        assert any(p["name"] == "days" for p in operation["parameters"])
    users = schema["components"]["schemas"]["ActivityDay"]["properties"]
    assert "overlaps" in users["dau"]["description"]
    assert "30 days" in users["mau"]["description"]
    export = schema["paths"]["/api/v1/metrics/export"]["get"]
    assert {"text/csv", "application/json"} <= set(export["responses"]["200"]["content"])
