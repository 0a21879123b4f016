"""metrics/*: the staff metrics (dashboard, users, engagement, growth, health, trending, export)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAdminUser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import problems
from metrics.api.serializers import (
    DashboardSerializer,
    EngagementSerializer,
    ExportQuerySerializer,
    ExportRowSerializer,
    GrowthSerializer,
    HealthSerializer,
    MetricsQuerySerializer,
    TrendingSerializer,
    UsersSerializer,
)
from metrics.models import DAILY_COLUMNS, DailyMetrics
from metrics.reports import Window, daily_series, dashboard, report
from metrics.rollup import DAY

TAGS = ["metrics"]
WINDOW = (
    "`days` (default 30, 1-365) picks the UTC days ending today; today counts so far and is computed live, "
    "earlier days come from the daily roll-up `refresh_metrics` keeps (a day it lacks is computed on the spot). "
    "A `days` that is not a whole number in 1-365 is a 400 naming `days`. Staff only: 401 without credentials, "
    "403 for a member who is not staff."
)


class MetricsView(APIView):
    """A staff metrics group: validates ``days`` and answers ``reports.report(group)``."""

    permission_classes = [IsAdminUser]
    group = ""
    serializer_class: type[serializers.Serializer] = serializers.Serializer

    def get(self, request: Request) -> Response:
        params = MetricsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = report(self.group, days=params.validated_data["days"], now=timezone.now())
        return Response(self.serializer_class(data).data)


def _schema(summary: str, description: str, serializer: type[serializers.Serializer]) -> Any:
    """The OpenAPI description of a metrics group's GET."""
    return extend_schema_view(
        get=extend_schema(
            summary=summary,
            description=f"{description}\n\n{WINDOW}",
            parameters=[MetricsQuerySerializer],
            responses={200: serializer, **problems(400, 401, 403)},
            tags=TAGS,
        )
    )


@_schema(
    "Every metrics group at once",
    "`users`, `engagement`, `growth`, `health` and `trending`, each as its own endpoint answers it, "
    "computed together (one daily series shared) for the admin dashboard and similar pages.",
    DashboardSerializer,
)
class DashboardView(MetricsView):
    serializer_class = DashboardSerializer

    def get(self, request: Request) -> Response:
        params = MetricsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = dashboard(days=params.validated_data["days"], now=timezone.now())
        return Response(DashboardSerializer(data).data)


@_schema(
    "Users: sign-ups, active users, retention",
    "Per day: sign-ups, DAU, WAU, MAU and stickiness (DAU/MAU). A user is active on a UTC day when one of "
    "their sessions overlaps it. Retention by weekly sign-up cohort (ISO week of sign-up): for day 1, 7 "
    "and 30, the share of the cohort active on exactly that day after their own sign-up day; null until "
    "that day has ended for every member. Cohorts come from the roll-up (`refresh_metrics`).",
    UsersSerializer,
)
class UsersView(MetricsView):
    group = "users"
    serializer_class = UsersSerializer


@_schema(
    "Engagement: posts, comments, reactions, reposts, poll votes",
    "Per day, each count and each count per active user (divided by DAU; 0 when DAU is 0), with the "
    "window's totals. Posts and comments count while still visible (not deleted, not hidden).",
    EngagementSerializer,
)
class EngagementView(MetricsView):
    group = "engagement"
    serializer_class = EngagementSerializer


@_schema(
    "Growth: week over week",
    "Sign-ups, WAU and posts of this week (the 7 days ending today) against last week (the 7 before): "
    "absolute and percent change (null when last week's is 0); and the weekly totals of the whole weeks "
    "the window holds (at least two).",
    GrowthSerializer,
)
class GrowthView(MetricsView):
    group = "growth"
    serializer_class = GrowthSerializer


@_schema(
    "Platform health: errors, open reports, dependencies",
    "Error groups not resolved, and by level those seen in the last 24 hours; open moderation reports by "
    "reason; the readiness checks (database, cache, storage); per day of the window, new error groups and "
    "reports filed.",
    HealthSerializer,
)
class HealthView(MetricsView):
    group = "health"
    serializer_class = HealthSerializer


@_schema(
    "Trending tickers",
    "The 10 trending tickers of the last 24 hours (as `GET tickers/trending`), and the 10 most mentioned "
    "tickers of the window from the hourly roll-up.",
    TrendingSerializer,
)
class TrendingView(MetricsView):
    group = "trending"
    serializer_class = TrendingSerializer


class IgnoreFormatParameter(DefaultContentNegotiation):
    """The export's own ``format`` parameter is not DRF's renderer override: always the first renderer
    (errors are problem+json anyway, and the file is a streamed response DRF does not render)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class _Echo:
    """A file-like object whose ``write`` returns the line, so ``csv.writer`` can feed a stream."""

    def write(self, value: str) -> str:
        return value


def _export_row(row: DailyMetrics) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in DAILY_COLUMNS}
    values["date"] = row.date.isoformat()
    values["computed_at"] = row.computed_at.isoformat().replace("+00:00", "Z")
    return values


def _csv_lines(rows: Iterable[DailyMetrics]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(DAILY_COLUMNS)
    for row in rows:
        values = _export_row(row)
        yield writer.writerow([values[name] for name in DAILY_COLUMNS])


def _json_chunks(rows: Iterable[DailyMetrics]) -> Iterator[str]:
    yield "["
    for i, row in enumerate(rows):
        yield ("," if i else "") + "\n" + json.dumps(_export_row(row))
    yield "\n]\n"


class ExportView(APIView):
    permission_classes = [IsAdminUser]
    content_negotiation_class = IgnoreFormatParameter

    @extend_schema(
        summary="Download the daily metrics",
        description=(
            "The daily roll-up rows of the last `days` UTC days (default 30, 1-365), oldest first, as a file "
            'download (`Content-Disposition: attachment; filename="pageshare-metrics-<today>.csv|json"`), '
            "streamed. Columns: " + ", ".join(f"`{name}`" for name in DAILY_COLUMNS) + " (the definitions are "
            "those of `GET metrics/users` and `GET metrics/engagement`; `errors` counts error groups first seen "
            "that day, `reports` reports filed that day; `computed_at` says when the row was computed: today's "
            "is live). `format=csv` (the default) gives a header row then one row per day; `format=json` an array "
            "of objects with the same keys. A bad `days` or `format` is a 400 naming it. Staff only: 401 without "
            "credentials, 403 for a member who is not staff."
        ),
        parameters=[ExportQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV with a header row."),
            (200, "application/json"): OpenApiResponse(
                ExportRowSerializer(many=True), description="An array of one object per day, keys as the CSV header."
            ),
            **problems(400, 401, 403),
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        params = ExportQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        days, kind = params.validated_data["days"], params.validated_data["format"]
        window = Window(days=days, now=timezone.now())
        rows = daily_series(first=window.last - (days - 1) * DAY, now=window.now)
        if kind == "csv":
            response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
        else:
            response = StreamingHttpResponse(_json_chunks(rows), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="pageshare-metrics-{window.last.isoformat()}.{kind}"'
        return response


urlpatterns = [
    path("metrics/dashboard", DashboardView.as_view(), name="metrics-dashboard"),
    path("metrics/users", UsersView.as_view(), name="metrics-users"),
    path("metrics/engagement", EngagementView.as_view(), name="metrics-engagement"),
    path("metrics/growth", GrowthView.as_view(), name="metrics-growth"),
    path("metrics/health", HealthView.as_view(), name="metrics-health"),
    path("metrics/trending", TrendingView.as_view(), name="metrics-trending"),
    path("metrics/export", ExportView.as_view(), name="metrics-export"),
]
