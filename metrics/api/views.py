"""The metrics app over HTTP: error logs, the staff metrics and the health probes.

- ``errors/log``: anyone reports a frontend error; ``errors``: staff read and
  resolve the groups. Grouping, scrubbing and size limits are
  ``metrics.errors``'s; unhandled backend exceptions reach the same table
  through ``metrics.signals``.
- ``metrics/*``: the staff metrics (``metrics.reports``), and the daily roll-up
  as a file download.
- ``/health`` and ``/health/ready`` (routed by ``metrics.urls``, outside the
  API's version): the probes of load balancers and orchestrators.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ViewSet

from accounts.api.permissions import signed_in
from accounts.models import User
from core.ids import ID_PATTERN
from core.schema import problems
from core.throttling import ErrorLogThrottle
from metrics import reports
from metrics.api.filters import ErrorLogFilter
from metrics.api.serializers import (
    DashboardSerializer,
    EngagementSerializer,
    ErrorLogSerializer,
    ErrorReceiptSerializer,
    ErrorReportSerializer,
    ExportQuerySerializer,
    ExportRowSerializer,
    GrowthSerializer,
    HealthSerializer,
    LivenessSerializer,
    MetricsQuerySerializer,
    ReadinessSerializer,
    TrendingSerializer,
    UsersSerializer,
)
from metrics.errors import error_log_resolve, frontend_error_record
from metrics.health import READINESS_CACHE_SECONDS, readiness_recent
from metrics.models import DAILY_COLUMNS, DailyMetrics, ErrorLog
from metrics.rollup import DAY

# Error logs

NO_SUCH_ERROR = "No such error log."
ERROR_ID = OpenApiParameter(
    "error_id", str, OpenApiParameter.PATH, required=True, pattern=ID_PATTERN, description="The error log's id."
)


@extend_schema_view(
    create=extend_schema(
        summary="Report a frontend error",
        description=(
            "Anyone may report (signed in or not; an invalid or expired token is ignored, not refused). "
            "Rate-limited per signed-in user, else per IP (`RATE_LIMIT_ERROR_LOG`, default 60/minute). "
            "Identical errors are grouped (same level, same message once numbers, hex ids and UUIDs are "
            "masked, same top stack frame or else page path): the answer is the group with its `count`. A "
            "group keeps its first report as its example; a report never reopens a resolved group unless "
            "a staff user sends it. Long `message`, `stack`, `url` and `user_agent` "
            "are cut, not refused; a missing or blank `message`, a `context` that is not a JSON object "
            "(or is over 8 KB or 8 levels deep), and a NUL character or lone surrogate in any text are 400s "
            "naming the field. Credentials are scrubbed from "
            "`context` keys and from the text before anything is stored."
        ),
        responses={201: OpenApiResponse(ErrorReceiptSerializer, description="Stored."), **problems(400, 429)},
    )
)
class ErrorReportViewSet(GenericViewSet):
    """errors/log: a frontend reports an error."""

    permission_classes = [AllowAny]
    throttle_classes = [ErrorLogThrottle]
    serializer_class = ErrorReportSerializer

    def perform_authentication(self, request: Request) -> None:
        # A stale token must not lose the report (frontends often fail just as their
        # token expires): the report is then filed anonymously instead of refused.
        try:
            request.user  # noqa: B018 - authenticates
        except AuthenticationFailed:
            request.user = AnonymousUser()
            request.auth = None

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        error_log = frontend_error_record(
            message=data["message"],
            stack=data["stack"],
            url=data["url"],
            user_agent=data["user_agent"] or request.META.get("HTTP_USER_AGENT", ""),
            level=data["level"],
            context=data["context"],
            request_id=getattr(request._request, "request_id", ""),
            user=request.user if isinstance(request.user, User) else None,
        )
        return Response(ErrorReceiptSerializer(error_log).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Error groups, most recently seen first",
        description=(
            "Staff only. Frontend reports and unhandled backend exceptions, one row per group with its "
            "`count`, `first_seen` and `last_seen`; the other fields are an example occurrence's (a frontend "
            "group's first, a backend group's latest). Filter by "
            "`resolved` (`true`/`false`), `level` and `source`; another value is a 400 naming the parameter."
        ),
        responses={200: ErrorLogSerializer(many=True), **problems(400, 401, 403)},
    ),
    resolve=extend_schema(
        summary="Mark an error group resolved",
        description=(
            "Staff only. Sets `resolved`, `resolved_at` and `resolved_by_id`. Idempotent: resolving a resolved "
            "group changes nothing (it keeps who resolved it and when). The group reopens by itself when a "
            "backend error occurs again (or a staff user reports the frontend error again)."
        ),
        parameters=[ERROR_ID],
        request=None,
        responses={200: ErrorLogSerializer, **problems(401, 403, 404)},
    ),
)
class ErrorLogViewSet(mixins.ListModelMixin, GenericViewSet):
    """errors: the error groups, for staff."""

    permission_classes = [IsAdminUser]
    queryset = ErrorLog.objects.all()
    serializer_class = ErrorLogSerializer
    filterset_class = ErrorLogFilter
    # The errorlog_queue_idx order (resolved, -last_seen, -id).
    ordering = ("-last_seen", "-id")
    lookup_url_kwarg = "error_id"
    lookup_value_converter = "id"

    def get_object(self) -> ErrorLog:
        try:
            return super().get_object()  # type: ignore[no-any-return]
        except Http404:
            raise NotFound(NO_SUCH_ERROR) from None

    # No filter backends: the list's filters are not the group's lookup.
    @action(detail=True, methods=["patch"], filter_backends=[])
    def resolve(self, request: Request, error_id: int) -> Response:
        error_log = error_log_resolve(error_log=self.get_object(), by=signed_in(request))
        return Response(self.get_serializer(error_log).data)


# Staff metrics

WINDOW = (
    "`days` (default 30, 1-365) picks the UTC days ending today; today counts so far and is computed live, "
    "earlier days come from the daily roll-up `refresh_metrics` keeps (a day it lacks is computed on the spot). "
    "A `days` that is not a whole number in 1-365 is a 400 naming `days`. Staff only: 401 without credentials, "
    "403 for a member who is not staff."
)


def _metric(summary: str, description: str, serializer: type[serializers.Serializer]) -> Any:
    """The OpenAPI description of a metrics group's GET."""
    return extend_schema(
        summary=summary,
        description=f"{description}\n\n{WINDOW}",
        parameters=[MetricsQuerySerializer],
        responses={200: serializer, **problems(400, 401, 403)},
    )


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


@extend_schema_view(
    dashboard=_metric(
        "Every metrics group at once",
        "`users`, `engagement`, `growth`, `health` and `trending`, each as its own endpoint answers it, "
        "computed together (one daily series shared) for the admin dashboard and similar pages.",
        DashboardSerializer,
    ),
    users=_metric(
        "Users: sign-ups, active users, retention",
        "Per day: sign-ups, DAU, WAU, MAU and stickiness (DAU/MAU). A user is active on a UTC day when one of "
        "their sessions overlaps it. Retention by weekly sign-up cohort (ISO week of sign-up): for day 1, 7 "
        "and 30, the share of the cohort active on exactly that day after their own sign-up day; null until "
        "that day has ended for every member. Cohorts come from the roll-up (`refresh_metrics`).",
        UsersSerializer,
    ),
    engagement=_metric(
        "Engagement: posts, comments, reactions, reposts, poll votes",
        "Per day, each count and each count per active user (divided by DAU; 0 when DAU is 0), with the "
        "window's totals. Posts and comments count while still visible (not deleted, not hidden).",
        EngagementSerializer,
    ),
    growth=_metric(
        "Growth: week over week",
        "Sign-ups, WAU and posts of this week (the 7 days ending today) against last week (the 7 before): "
        "absolute and percent change (null when last week's is 0); and the weekly totals of the whole weeks "
        "the window holds (at least two).",
        GrowthSerializer,
    ),
    health=_metric(
        "Platform health: errors, open reports, dependencies",
        "Error groups not resolved, and by level those seen in the last 24 hours; open moderation reports by "
        "reason; the readiness checks (database, cache, storage, broker); per day of the window, new error groups "
        "and reports filed.",
        HealthSerializer,
    ),
    trending=_metric(
        "Trending tickers",
        "The 10 trending tickers of the last 24 hours (as `GET tickers/trending`), and the 10 most mentioned "
        "tickers of the window from the hourly roll-up.",
        TrendingSerializer,
    ),
    export=extend_schema(
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
    ),
)
class MetricsViewSet(ViewSet):
    """metrics/*: each group of staff metrics is an action answering ``metrics.reports.report(group)``."""

    permission_classes = [IsAdminUser]

    def days(self) -> int:
        params = MetricsQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data["days"]  # type: ignore[no-any-return]

    def group(self, name: str, serializer_class: type[serializers.Serializer]) -> Response:
        return Response(serializer_class(reports.report(name, days=self.days(), now=timezone.now())).data)

    @action(detail=False)
    def dashboard(self, request: Request) -> Response:
        return Response(DashboardSerializer(reports.dashboard(days=self.days(), now=timezone.now())).data)

    @action(detail=False)
    def users(self, request: Request) -> Response:
        return self.group("users", UsersSerializer)

    @action(detail=False)
    def engagement(self, request: Request) -> Response:
        return self.group("engagement", EngagementSerializer)

    @action(detail=False)
    def growth(self, request: Request) -> Response:
        return self.group("growth", GrowthSerializer)

    @action(detail=False)
    def health(self, request: Request) -> Response:
        return self.group("health", HealthSerializer)

    @action(detail=False)
    def trending(self, request: Request) -> Response:
        return self.group("trending", TrendingSerializer)

    @action(detail=False, content_negotiation_class=IgnoreFormatParameter)
    def export(self, request: Request) -> StreamingHttpResponse:
        params = ExportQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        days, kind = params.validated_data["days"], params.validated_data["format"]
        window = reports.Window(days=days, now=timezone.now())
        rows = reports.daily_series(first=window.last - (days - 1) * DAY, now=window.now)
        if kind == "csv":
            response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
        else:
            response = StreamingHttpResponse(_json_chunks(rows), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="pageshare-metrics-{window.last.isoformat()}.{kind}"'
        return response


# Health probes


@extend_schema_view(
    list=extend_schema(
        summary="Liveness: the process answers",
        description="Checks nothing else (no database, cache or storage): that is `/health/ready`'s job.",
        responses={200: LivenessSerializer},
    ),
    ready=extend_schema(
        summary="Readiness: database, cache, storage and the task broker all work",
        description=(
            "The task broker is checked only when one is configured (`CELERY_BROKER_URL`; without it "
            "tasks run in-process). 503 names what is down in `down`; details go to the server log, "
            "never to the caller. "
            f"The answer is at most {READINESS_CACHE_SECONDS} seconds old: the checks write to the cache "
            "and the storage, so they run once per window, not once per call."
        ),
        responses={200: ReadinessSerializer, 503: ReadinessSerializer},
    ),
)
@extend_schema(tags=["operations"])
class HealthViewSet(ViewSet):
    """health: liveness (the collection's GET) and readiness; no authentication, so a bad token cannot fail a probe."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def list(self, request: Request) -> Response:
        return Response({"status": "ok"})

    @action(detail=False)
    def ready(self, request: Request) -> Response:
        checks = readiness_recent()
        down = [name for name, state in checks.items() if state != "ok"]
        return Response(
            {"status": "unavailable" if down else "ok", "checks": checks, "down": down},
            status=status.HTTP_503_SERVICE_UNAVAILABLE if down else status.HTTP_200_OK,
        )
