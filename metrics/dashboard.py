"""The metrics dashboard in the admin (``admin:metrics_dashboard``, staff only): charts, cohorts, tickers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.dates import utc_date
from metrics.charts import Series, chart_svg
from metrics.models import RetentionCohort
from metrics.reports import Window, calls_group, dashboard
from metrics.rollup import DAY, RETENTION_DAYS, WEEK_DAYS, share

PERIODS = (30, 90)
RETENTION_WEEKS = 12
SHADE = (65, 118, 144)  # the admin's blue
CHANCE = 0.5  # a call is a coin toss without skill


def _cell(part: int | None, whole: int) -> dict[str, Any]:
    ratio = share(part, whole)
    if ratio is None:
        return {"text": "\N{EN DASH}", "style": "", "title": "Not over yet for every member"}
    alpha = round(0.06 + 0.9 * ratio, 2)
    color = "#fff" if alpha > 0.5 else "inherit"
    return {
        "text": f"{ratio:.0%}",
        "style": f"background: rgba({SHADE[0]}, {SHADE[1]}, {SHADE[2]}, {alpha}); color: {color};",
        "title": f"{part} of {whole}",
    }


def retention_table(*, today: Any) -> list[dict[str, Any]]:
    """The cohorts of the last 12 ISO weeks, newest first, each day-N cell shaded by its share."""
    first = today - (RETENTION_WEEKS * WEEK_DAYS - 1) * DAY
    return [
        {
            "week": cohort.week,
            "users": cohort.users,
            "cells": [_cell(getattr(cohort, f"day_{n}"), cohort.users) for n in RETENTION_DAYS],
        }
        for cohort in reversed(RetentionCohort.objects.overlapping(first, today))
    ]


def calls_panel(calls: dict[str, Any]) -> dict[str, Any]:
    """The calls of the period (made, scored, void, their share) and the hit rate at each horizon
    against chance, as the dashboard writes them ("54.2% hits (n=1,234) vs 50% chance")."""
    made = sum(row["calls"] for row in calls["daily"])
    scored = sum(row["scored"] for row in calls["daily"])
    void = sum(row["void"] for row in calls["daily"])
    horizons = []
    for name, record in calls["horizons"].items():
        rate, interval = record["hit_rate"], record["interval"]
        if rate is None:
            text, verdict = "no call scored yet", ""
        else:
            text = f"{rate:.1%} hits (n={record['scored']:,}) vs 50% chance"
            low, high = interval
            verdict = "above chance" if low > CHANCE else "below chance" if high < CHANCE else "within chance"
            verdict = f"95% interval {low:.1%} to {high:.1%}: {verdict}"
        horizons.append({"name": name, "text": text, "verdict": verdict, **record})
    return {
        "made": made,
        "scored": scored,
        "scored_share": f"{share(scored, made):.1%}" if made else "\N{EN DASH}",
        "void": void,
        "pending": made - scored - void,
        "horizons": horizons,
    }


def dashboard_view(model_admin: admin.ModelAdmin[Any], request: HttpRequest) -> TemplateResponse:
    days = int(request.GET["days"]) if request.GET.get("days") in {str(p) for p in PERIODS} else PERIODS[0]
    now = timezone.now()
    # One day more than charted: the charts end yesterday, because today so far always looks like
    # a collapse (a few hours of a day against whole days); the tiles show today separately.
    data = dashboard(days=days + 1, now=now)
    activity = data["users"]["daily"]
    engagement = data["engagement"]["daily"]
    complete, complete_engagement = activity[:-1], engagement[:-1]
    dates = [row["date"] for row in complete]
    charts = [
        chart_svg(
            name="active-users",
            title=f"Daily and monthly active users, {days} days to yesterday",
            dates=dates,
            series=[Series("DAU", [row["dau"] for row in complete]), Series("MAU", [row["mau"] for row in complete])],
        ),
        chart_svg(
            name="signups",
            title=f"Sign-ups per day, {days} days to yesterday",
            dates=dates,
            series=[Series("Sign-ups", [row["signups"] for row in complete], kind="bar")],
        ),
        chart_svg(
            name="posts",
            title=f"Posts per day, {days} days to yesterday",
            dates=dates,
            series=[Series("Posts", [row["posts"] for row in complete_engagement], kind="bar")],
        ),
    ]
    calls = calls_group(Window(days=days, now=now - DAY))  # to yesterday, as the charts
    calls_daily = calls["daily"]
    charts.append(
        chart_svg(
            name="calls",
            title=f"Calls per day (bullish or bearish posts on a ticker), {days} days to yesterday",
            dates=[row["date"] for row in calls_daily],
            series=[
                Series("Calls", [row["calls"] for row in calls_daily], kind="bar"),
                Series("Scored", [row["scored"] for row in calls_daily], kind="bar"),
            ],
        )
    )
    today, yesterday = activity[-1], activity[-2]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Metrics dashboard",
        "opts": model_admin.model._meta,
        "days": days,
        "periods": PERIODS,
        "now": now,
        "today": today,
        "yesterday": yesterday,  # the last complete day: the tiles show it, today so far is small early on
        "growth": data["growth"],
        "health": data["health"],
        "charts": [mark_safe(svg) for svg in charts],  # noqa: S308 (chart_svg escapes every text it draws)
        "retention": retention_table(today=utc_date(now)),
        "retention_days": RETENTION_DAYS,
        "tickers": data["trending"]["tickers"],
        "most_mentioned": data["trending"]["most_mentioned"],
        "calls": calls_panel(calls),
    }
    return TemplateResponse(request, "admin/metrics/dashboard.html", context)
