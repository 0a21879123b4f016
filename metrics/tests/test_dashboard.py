"""The metrics dashboard in the admin, and the SVG charts it draws."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from content.models import Call, CallStatus, Ticker
from content.tests.factories import mention, stored_call
from core.stats import wilson_interval
from metrics.charts import BOTTOM, HEIGHT, LEFT, TOP, Scale, Series, chart_svg
from metrics.reports import Window, calls_group
from metrics.tests.hand_counted_activity import NOW, build_world, make_user

DASHBOARD = "admin:metrics_dashboard"


@pytest.fixture
def staff_browser(db: None, frozen: Any) -> Client:
    build_world()
    call_command("refresh_metrics", "--days=100", stdout=io.StringIO())
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True, created_at=NOW - timedelta(days=400)))
    return client


def svg(html: str, name: str) -> str:
    match = re.search(rf'<svg class="chart" data-chart="{name}".*?</svg>', html, re.S)
    assert match, f"no {name} chart"
    return match.group(0)


@pytest.mark.django_db
def test_dashboard_refuses_anonymous_visitors(client: Client) -> None:
    response = client.get(reverse(DASHBOARD))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_dashboard_refuses_members_who_are_not_staff(client: Client) -> None:
    client.force_login(make_user(is_staff=False))

    response = client.get(reverse(DASHBOARD))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_dashboard_shows_the_charts_cohorts_and_tickers(staff_browser: Client) -> None:
    ticker = Ticker.objects.create(symbol="TSLA", name="Tesla, Inc.", is_listed=True)
    mention(ticker, hours_ago=1)

    response = staff_browser.get(reverse(DASHBOARD))

    assert response.status_code == 200
    html = response.content.decode()
    active = svg(html, "active-users")
    assert 'role="img"' in active
    # Whole days only, to yesterday: today so far would look like a collapse.
    assert "<title>Daily and monthly active users, 30 days to yesterday</title>" in active
    assert active.count('<path class="line"') == 2  # DAU and MAU
    assert ">2025-05-19<" in active
    assert ">2025-06-17<" in active
    assert ">2025-06-18<" not in active
    assert ">5<" in active  # the highest value: MAU 5 yesterday (today's 6 is not charted)
    signups = svg(html, "signups")
    assert signups.count("<rect") == 30  # a bar a day
    assert "<path" not in signups
    posts = svg(html, "posts")
    assert posts.count("<rect") == 30
    # The tiles show yesterday (complete): 3 active, 5 in 7 and 30 days, 60% sticky.
    assert re.search(r"Active yesterday \(DAU\)</span><span class=\"value\">3<", html)
    assert "60%" in html
    # Retention: the 05-12 cohort came back 50% on day 1, all on day 7, 50% on day 30, shaded.
    table = html[html.index('<table id="retention">') : html.index("</table>", html.index('<table id="retention">'))]
    assert "2025-05-12" in table
    assert "2025-06-02" in table
    assert "2025-06-16" in table
    assert re.search(r'style="background: rgba\(65, 118, 144, 0\.96\).*?">100%<', table)
    assert table.count(">\N{EN DASH}<") == 4  # 06-02's day 30, and every day of this week's cohort
    assert "$TSLA" in html
    assert "Tesla, Inc." in html


def test_dashboard_switches_to_90_days(staff_browser: Client) -> None:
    html = staff_browser.get(reverse(DASHBOARD), {"days": "90"}).content.decode()

    assert svg(html, "signups").count("<rect") == 90
    assert ">2025-03-20<" in svg(html, "posts")
    # Anything else falls back to 30 days.
    assert svg(staff_browser.get(reverse(DASHBOARD), {"days": "7"}).content.decode(), "posts").count("<rect") == 30


def test_dashboard_query_count_is_bounded(staff_browser: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(40):
        assert staff_browser.get(reverse(DASHBOARD), {"days": "90"}).status_code == 200


def test_admin_index_links_to_the_dashboard(staff_browser: Client) -> None:
    html = staff_browser.get(reverse("admin:index")).content.decode()

    assert f'href="{reverse(DASHBOARD)}"' in html
    assert "Metrics dashboard" in html
    assert "Daily metrics" in html  # the usual app list is still there


# The chart function on its own.

DAYS = [date(2025, 6, 1) + timedelta(days=k) for k in range(4)]


def test_scale_maps_zero_to_the_baseline_and_the_top_value_to_the_top() -> None:
    scale = Scale(count=4, top_value=8)
    baseline = HEIGHT - BOTTOM

    assert scale.y(0) == baseline
    assert scale.y(8) == TOP
    assert scale.y(4) == (TOP + baseline) / 2
    # Four slots across the plot; points sit in the middle of theirs.
    assert scale.x(0) == LEFT + scale.slot / 2
    assert scale.x(3) - scale.x(0) == 3 * scale.slot


def test_chart_draws_a_line_through_every_point() -> None:
    drawn = chart_svg(name="dau", title="DAU", dates=DAYS, series=[Series("DAU", [0, 4, 8, 2])])

    scale = Scale(count=4, top_value=8)
    path = re.search(r' d="([^"]+)"', drawn)
    assert path
    points = [tuple(map(float, p[1:].split(","))) for p in path.group(1).split()]
    assert points == [(round(scale.x(i), 1), round(scale.y(v), 1)) for i, v in enumerate([0, 4, 8, 2])]
    assert drawn.startswith(
        '<svg class="chart" data-chart="dau" role="img" aria-label="DAU, 2025-06-01 to 2025-06-04: '
    )
    assert "lowest 0, highest 8" in drawn
    assert ">8</text>" in drawn
    assert ">0</text>" in drawn
    assert drawn.endswith("</svg>")


def test_chart_draws_a_bar_per_value_from_the_baseline() -> None:
    drawn = chart_svg(name="signups", title="Sign-ups", dates=DAYS, series=[Series("Sign-ups", [1, 0, 2, 4], "bar")])

    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', drawn)]
    plot = HEIGHT - TOP - BOTTOM
    assert heights == [plot / 4, 0, plot / 2, plot]


def test_chart_of_nothing_says_so() -> None:
    drawn = chart_svg(name="posts", title="Posts", dates=[], series=[Series("Posts", [])])

    assert "No data yet" in drawn
    assert "<path" not in drawn
    assert "<rect" not in drawn
    assert 'aria-label="Posts: no data yet."' in drawn


def test_chart_of_a_single_point_marks_it() -> None:
    drawn = chart_svg(name="dau", title="DAU", dates=DAYS[:1], series=[Series("DAU", [5])])

    assert "<circle" in drawn
    assert ">2025-06-01<" in drawn
    assert "x-last" not in drawn  # one date, labelled once


def test_chart_escapes_every_text() -> None:
    drawn = chart_svg(
        name='x"><script>',
        title="<script>alert(1)</script>",
        dates=DAYS[:2],
        series=[Series("<b>", [1, 2]), Series("&", [2, 1])],
    )

    assert "<script>" not in drawn
    assert "<b>" not in drawn
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drawn
    assert "&amp;" in drawn


# The calls panel.


def call_row(day: str, status: str = CallStatus.PENDING, hits: tuple[bool | None, ...] = (None, None, None)) -> Call:
    """A call posted on ``day`` with explicit values; ``hits`` at 1d, 1w and 1m (1m set only when scored)."""
    posted_at = datetime.combine(date.fromisoformat(day), time(12), tzinfo=UTC)
    return stored_call(posted_at=posted_at, status=status, hits=hits)


@pytest.fixture
def calls(db: None, frozen: Any) -> None:
    """7 calls in the 30 days to yesterday (3 scored, 1 void, 3 pending), one today, two before the window."""
    for hits in [(True, True, True), (True, False, True), (True, False, False)]:
        call_row("2025-05-19", CallStatus.SCORED, hits)  # the window's first day
    call_row("2025-06-01", hits=(True, False, None))  # scored at 1d and 1w, pending at 1m
    call_row("2025-06-10", CallStatus.VOID)
    call_row("2025-06-17")
    call_row("2025-06-17")
    call_row("2025-06-18")  # today: not charted
    for hits in [(False, True, True), (False, True, True)]:
        call_row("2025-04-01", CallStatus.SCORED, hits)  # before the window: in the hit rates only


def test_dashboard_shows_calls_per_day_their_share_scored_and_the_hit_rates(staff_browser: Client, calls: None) -> None:
    html = staff_browser.get(reverse(DASHBOARD)).content.decode()

    chart = svg(html, "calls")
    assert "<title>Calls per day (bullish or bearish posts on a ticker), 30 days to yesterday</title>" in chart
    assert chart.count("</rect>") == 60  # two bars a day, calls and scored (the legend's squares are not bars)
    assert ">2025-05-19<" in chart
    assert ">2025-06-17<" in chart
    assert "Calls from 3 to 2, lowest 0, highest 3; Scored from 3 to 0, lowest 0, highest 3" in chart
    table = html[html.index('<table id="calls">') : html.index("</table>", html.index('<table id="calls">'))]
    assert '<th scope="row">Made</th><td>7</td>' in table
    assert '<th scope="row">Scored</th><td>3 (42.9%)</td>' in table
    assert '<th scope="row">Pending</th><td>3</td>' in table
    assert '<th scope="row">Void</th><td>1</td>' in table
    # Every scored call, all time: 1m 4 hits of 5, 1w 3 of 6, 1d 4 of 6 (a pending or void horizon is not a miss).
    rates = html[html.index('<table id="hit-rates">') : html.index("</table>", html.index('<table id="hit-rates">'))]
    assert "80.0% hits (n=5) vs 50% chance" in rates
    assert "95% interval 37.6% to 96.4%: within chance" in rates
    assert "50.0% hits (n=6) vs 50% chance" in rates
    assert "66.7% hits (n=6) vs 50% chance" in rates
    assert [row.split("</th>")[0] for row in rates.split('<th scope="row">')[1:]] == ["1d", "1w", "1m"]


def test_the_calls_panel_without_calls_says_so(staff_browser: Client) -> None:
    html = staff_browser.get(reverse(DASHBOARD)).content.decode()

    assert "highest 0" in svg(html, "calls")
    assert '<th scope="row">Made</th><td>0</td>' in html
    assert '<th scope="row">Scored</th><td>0 (\N{EN DASH})</td>' in html
    assert html.count("no call scored yet") == 3


@pytest.mark.parametrize("extra", [0, 20])
def test_the_calls_panel_reads_two_queries_whatever_the_number_of_calls(
    calls: None, extra: int, django_assert_num_queries: Any
) -> None:
    for _ in range(extra):
        call_row("2025-06-02", CallStatus.SCORED, (True, True, False))

    # The calls per day of the window (GROUP BY posted_on); the hits at each horizon (one aggregate).
    with django_assert_num_queries(2):
        panel = calls_group(Window(days=30, now=NOW - timedelta(days=1)))

    assert panel["horizons"]["1m"] == {
        "scored": 5 + extra,
        "hits": 4,
        "hit_rate": round(4 / (5 + extra), 4),
        "interval": wilson_interval(4, 5 + extra),
    }
    assert sum(row["calls"] for row in panel["daily"]) == 7 + extra
    assert len(panel["daily"]) == 30


def test_wilson_interval_of_a_hit_rate() -> None:
    def rounded(hits: int, n: int) -> tuple[float, float] | None:
        interval = wilson_interval(hits, n)
        return None if interval is None else (round(interval[0], 4), round(interval[1], 4))

    assert rounded(50, 100) == (0.4038, 0.5962)
    assert rounded(4, 5) == (0.3755, 0.9638)
    assert rounded(10, 10) == (0.7225, 1.0)
    assert rounded(0, 0) is None
