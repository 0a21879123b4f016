"""Error logs: the frontend reports errors (``errors/log``); staff read and resolve the groups.

Grouping, scrubbing and size limits are ``metrics.errors``'s; unhandled
backend exceptions reach the same table through ``metrics.signals``.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import signed_in
from accounts.models import User
from core.pagination import CursorPagination
from core.schema import problems
from core.throttling import ErrorLogThrottle
from metrics.api.serializers_errors import ErrorLogSerializer, ErrorReceiptSerializer, ErrorReportSerializer
from metrics.errors import error_log_resolve, frontend_error_record
from metrics.models import ErrorLog

TAGS = ["errors"]
MAX_ID = 2**63 - 1
NO_SUCH_ERROR = "No such error log."
ERROR_ID = OpenApiParameter("error_id", int, OpenApiParameter.PATH, description="The error log's id.")


class ErrorLogFilter(filters.FilterSet):
    resolved = filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text="`true`: only resolved groups; `false`: only open ones.",
    )
    level = filters.ChoiceFilter(choices=ErrorLog.Level.choices, help_text="Only groups of this level.")
    source = filters.ChoiceFilter(choices=ErrorLog.Source.choices, help_text="Only frontend or backend errors.")

    class Meta:
        model = ErrorLog
        fields = ["resolved", "level", "source"]


class ErrorReportView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ErrorLogThrottle]

    def perform_authentication(self, request: Request) -> None:
        # A stale token must not lose the report (frontends often fail just as their
        # token expires): the report is then filed anonymously instead of refused.
        try:
            request.user  # noqa: B018 - authenticates
        except AuthenticationFailed:
            request.user = AnonymousUser()
            request.auth = None

    @extend_schema(
        tags=TAGS,
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
        request=ErrorReportSerializer,
        responses={201: OpenApiResponse(ErrorReceiptSerializer, description="Stored."), **problems(400, 429)},
    )
    def post(self, request: Request) -> Response:
        serializer = ErrorReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user if isinstance(request.user, User) else None
        error_log = frontend_error_record(
            message=data["message"],
            stack=data["stack"],
            url=data["url"],
            user_agent=data["user_agent"] or request.META.get("HTTP_USER_AGENT", ""),
            level=data["level"],
            context=data["context"],
            request_id=getattr(request._request, "request_id", ""),
            user=user,
        )
        return Response(ErrorReceiptSerializer(error_log).data, status=status.HTTP_201_CREATED)


class ErrorLogListView(GenericAPIView):
    permission_classes = [IsAdminUser]
    serializer_class = ErrorLogSerializer
    filterset_class = ErrorLogFilter
    pagination_class = CursorPagination
    # The errorlog_queue_idx order (resolved, -last_seen, -id).
    ordering = ("-last_seen", "-id")
    queryset = ErrorLog.objects.all()

    @extend_schema(
        tags=TAGS,
        summary="Error groups, most recently seen first",
        description=(
            "Staff only. Frontend reports and unhandled backend exceptions, one row per group with its "
            "`count`, `first_seen` and `last_seen`; the other fields are an example occurrence's (a frontend "
            "group's first, a backend group's latest). Filter by "
            "`resolved` (`true`/`false`), `level` and `source`; another value is a 400 naming the parameter."
        ),
        responses={200: ErrorLogSerializer(many=True), **problems(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset) or []
        return self.get_paginated_response(ErrorLogSerializer(page, many=True).data)


class ErrorLogResolveView(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        tags=TAGS,
        summary="Mark an error group resolved",
        description=(
            "Staff only. Sets `resolved`, `resolved_at` and `resolved_by_id`. Idempotent: resolving a resolved "
            "group changes nothing (it keeps who resolved it and when). The group reopens by itself when a "
            "backend error occurs again (or a staff user reports the frontend error again)."
        ),
        request=None,
        parameters=[ERROR_ID],
        responses={200: ErrorLogSerializer, **problems(401, 403, 404)},
    )
    def patch(self, request: Request, error_id: int) -> Response:
        error_log = ErrorLog.objects.filter(pk=error_id).first() if 0 < error_id <= MAX_ID else None
        if error_log is None:
            raise NotFound(NO_SUCH_ERROR)
        error_log = error_log_resolve(error_log=error_log, by=signed_in(request))
        return Response(ErrorLogSerializer(error_log).data)


urlpatterns = [
    path("errors/log", ErrorReportView.as_view(), name="errors-log"),
    path("errors", ErrorLogListView.as_view(), name="errors"),
    path("errors/<int:error_id>/resolve", ErrorLogResolveView.as_view(), name="errors-resolve"),
]
