"""Notifications over HTTP: the list of groups, the unread count, marking read, the preferences, unsubscribe.

Everything but ``unsubscribe`` is the signed-in user's own: another user's
groups are simply never in the queryset (``shown_to`` starts from the viewer).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.api.permissions import signed_in
from accounts.models import User
from core.errors import Invalid
from core.pagination import CursorPagination
from core.parsers import JSONParser
from core.schema import problems
from notifications.api.rendering import render_groups
from notifications.api.serializers import (
    MarkReadSerializer,
    NotificationGroupSerializer,
    PreferencesSerializer,
    PreferencesUpdateSerializer,
    UnreadCountSerializer,
)
from notifications.models import NotificationGroup, NotificationType
from notifications.preferences import digest_off, hidden_types, preferences_get, preferences_update
from notifications.services import groups_mark_read
from notifications.unsubscribe import BAD_TOKEN, unsubscribe_user_id

TYPES = ", ".join(f"`{kind}`" for kind in NotificationType.values)
TYPE_LIST = f"Comma-separated notification types ({TYPES}); an unknown one is a 400 naming the parameter."


def _types_param(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return None
    kinds = [kind.strip() for kind in raw.split(",") if kind.strip()]
    unknown = [kind for kind in kinds if kind not in NotificationType.values]
    if unknown:
        raise Invalid({name: [f"Unknown notification type(s): {', '.join(unknown)}. Known: {TYPES}."]})
    return kinds


def _unread_param(request: Request) -> bool:
    raw = request.query_params.get("unread")
    if raw in (None, "", "false"):
        return False
    if raw == "true":
        return True
    raise Invalid({"unread": ["Must be true or false."]})


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications",
        description=(
            'Notification groups (grouped as Mastodon 4.3 groups them: one row for "12 people liked your post"), '
            "newest `latest_at` first, cursor-paginated. Acts by users you muted or blocked (or who blocked you), "
            "by suspended users, and groups about a post or comment you can no longer see are left out; so are "
            "types switched off with `in_app: false` in your preferences (they are still recorded)."
        ),
        parameters=[
            OpenApiParameter("types", str, description=f"Only these types. {TYPE_LIST}"),
            OpenApiParameter("exclude_types", str, description=f"Leave these types out. {TYPE_LIST}"),
            OpenApiParameter("unread", bool, description="`true`: only groups with unread acts."),
        ],
        responses={200: NotificationGroupSerializer(many=True), **problems(400, 401)},
    ),
)
class NotificationViewSet(GenericViewSet):
    """``notifications``: the signed-in user's notification groups and settings."""

    permission_classes = [IsAuthenticated]
    pagination_class = CursorPagination
    serializer_class = NotificationGroupSerializer
    queryset = NotificationGroup.objects.none()  # for the schema; `list` builds the real one
    ordering = ("-latest_at", "-id")

    def list(self, request: Request) -> Response:
        user = signed_in(request)
        groups = NotificationGroup.objects.shown_to(user, hidden_types=hidden_types(user))
        only, excluded = _types_param(request, "types"), _types_param(request, "exclude_types")
        if only is not None:
            groups = groups.filter(type__in=only)
        if excluded is not None:
            groups = groups.exclude(type__in=excluded)
        if _unread_param(request):
            groups = groups.filter(read=False)
        page = self.paginate_queryset(groups) or []
        return self.get_paginated_response(render_groups(page, user, request))

    @extend_schema(
        summary="Unread notification count",
        description="Groups with unread acts, counted as the list shows them (same rules, same preferences).",
        responses={200: UnreadCountSerializer, **problems(401)},
    )
    @action(detail=False, url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        user = signed_in(request)
        count = NotificationGroup.objects.shown_to(user, hidden_types=hidden_types(user)).filter(read=False).count()
        return Response(UnreadCountSerializer({"count": count}).data)

    @extend_schema(
        summary="Mark notifications read",
        description=(
            '`{"ids": [...]}`: those groups; `{"up_to_id": id}`: that group and every group listed after it '
            "(older `latest_at`); an empty body: all of them. Ids that are not yours are ignored. 204."
        ),
        request=MarkReadSerializer,
        responses={204: None, **problems(400, 401)},
    )
    @action(detail=False, methods=["post"], url_path="read")
    def read(self, request: Request) -> Response:
        user = signed_in(request)
        serializer = MarkReadSerializer(data=request.data if request.data else {})
        serializer.is_valid(raise_exception=True)
        groups_mark_read(user=user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Your notification preferences",
        description=(
            "Per type: `in_app` (listed and counted; default on) and `email` (in the digest; default off); "
            "`email_digest`: `off` (default), `daily` or `weekly`."
        ),
        responses={200: PreferencesSerializer, **problems(401)},
    )
    @action(detail=False, methods=["get"], url_path="preferences")
    def preferences(self, request: Request) -> Response:
        return Response(PreferencesSerializer(preferences_get(user=signed_in(request))).data)

    @preferences.mapping.patch
    @extend_schema(
        summary="Change your notification preferences",
        description=(
            "Send only what changes; unknown keys (types, channels, fields) are refused naming the field. "
            "Turning the digest on starts it from now: the first one covers what arrives afterwards."
        ),
        request=PreferencesUpdateSerializer,
        responses={200: PreferencesSerializer, **problems(400, 401)},
    )
    def preferences_patch(self, request: Request) -> Response:
        user = signed_in(request)
        serializer = PreferencesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = preferences_update(user=user, **serializer.validated_data)
        return Response(PreferencesSerializer(updated).data)

    @extend_schema(
        summary="Unsubscribe from the email digest",
        description=(
            "The link in every digest email (anyone may follow it: the token is signed). Turns the digest off; "
            "200 also when it already was. POST is the same, for mail clients' one-click unsubscribe "
            "(RFC 8058: `List-Unsubscribe=One-Click` as a form body). A bad token is a 400 naming `token`."
        ),
        parameters=[OpenApiParameter("token", str, required=True, description="From the digest email.")],
        request=None,
        responses={200: PreferencesSerializer, **problems(400)},
        auth=[],
    )
    @action(
        detail=False,
        methods=["get", "post"],
        url_path="unsubscribe",
        permission_classes=[AllowAny],
        authentication_classes=[],
        parser_classes=[JSONParser, FormParser],
    )
    def unsubscribe(self, request: Request) -> Response:
        user = User.objects.filter(pk=unsubscribe_user_id(request.query_params.get("token"))).first()
        if user is None:
            raise Invalid({"token": [BAD_TOKEN]})
        digest_off(user_id=user.pk)
        return Response(PreferencesSerializer(preferences_get(user=user)).data)
