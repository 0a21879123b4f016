"""The metrics dashboard in the admin, and the SVG charts it draws."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from content.models import Ticker
from content.tests.factories import mention
from metrics.charts import BOTTOM, HEIGHT, LEFT, TOP, Scale, Series, chart_svg
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
