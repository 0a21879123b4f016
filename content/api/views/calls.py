"""Calls and records: a user's calls, their track record, and the leaderboard (README "Calls").

All of it is read from the scores ``score_calls`` stored (``content.querysets_calls``):
no request scores anything, and each list costs a fixed number of queries.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.cache import cache
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.api.serializers import PublicUserSerializer
from accounts.models import User
from content.api.rendering import render_posts
from content.api.serializers.calls import (
    LeaderboardEntrySerializer,
    LeaderboardQuerySerializer,
    TrackRecordQuerySerializer,
    TrackRecordsSerializer,
    UserCallsQuerySerializer,
)
from content.api.serializers.posts import PostSerializer
from content.models import Call
from content.querysets_calls import LEADERBOARD_ORDERING, RECORD_FIELDS, leaderboard, track_record, user_calls
from content.services.watchlist import INVALID_SYMBOL, symbol_normalise
from core.errors import Invalid, NotFound
from core.keyset import Cursor, KeysetPage, queryset_page
from core.pagination import CursorPagination, parse_limit
from core.schema import problems
from social.api.views import NO_SUCH_USER, USER_ID
from social.querysets import relationships_for, visible_profiles

LEADERBOARD_CACHE_SECONDS = 60
SCORING = (
    "A post with a sentiment and at least one ticker is a call on its first ticker, entered at the adjusted "
    "close of the first trading day on or after the post's UTC date and scored 1, 5 and 21 trading days later "
    '(README "Calls"). Deleted and hidden posts\' calls count nowhere.'
)


def _profile(user_id: int) -> User:
    user = visible_profiles().filter(pk=user_id).first()
    if user is None:
        raise NotFound(NO_SUCH_USER)
    return user


def _query(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


class UserCallsViewSet(GenericViewSet):
    """users/{id}/calls and users/{id}/track-record (the profile itself is social's)."""

    permission_classes = [AllowAny]
    serializer_class = PostSerializer
    filter_backends: list[Any] = []
    lookup_url_kwarg = "user_id"
    lookup_value_converter = "id"
    ordering = ("-created_at", "-post_id")
    public_cache_seconds = {"calls": 60, "track_record": 60}  # core.http_cache: anonymous answers only

    def get_queryset(self) -> Any:
        return Call.objects.none()

    @extend_schema(
        summary="A user's calls, newest first",
        description=(
            f"{SCORING} Each post carries its `call` with its status, returns and hits. Filter by `status` and "
            "`ticker`; a malformed symbol is a 400 naming `ticker`. 404 for an unknown or suspended user."
        ),
        parameters=[USER_ID, UserCallsQuerySerializer],
        responses={200: PostSerializer(many=True), **problems(400, 404)},
    )
    @action(detail=True)
    def calls(self, request: Request, user_id: int) -> Response:
        query = _query(UserCallsQuerySerializer, request)
        symbol = None
        if "ticker" in query:
            symbol = symbol_normalise(query["ticker"])
            if symbol is None:
                raise Invalid({"ticker": [INVALID_SYMBOL]})
        user = _profile(user_id)
        calls = user_calls(user.pk, request.user, status=query.get("status"), symbol=symbol)
        page = self.paginate_queryset(calls) or []
        return self.get_paginated_response(render_posts(request, page))

    @extend_schema(
        summary="A user's track record",
        description=(
            f"{SCORING} For each horizon: how many calls, how many scored, how many hits, the hit rate, the "
            "average call return and the score (the Wilson lower bound of the hit rate). Pending and void calls "
            "are never misses. `days` limits it to the calls posted in the last `days` days. 404 for an unknown "
            "or suspended user."
        ),
        parameters=[USER_ID, TrackRecordQuerySerializer],
        responses={200: TrackRecordsSerializer, **problems(400, 404)},
    )
    @action(detail=True, url_path="track-record", pagination_class=None)
    def track_record(self, request: Request, user_id: int) -> Response:
        query = _query(TrackRecordQuerySerializer, request)
        user = _profile(user_id)
        return Response(TrackRecordsSerializer(track_record(user.pk, days=query.get("days"))).data)


class LeaderboardViewSet(GenericViewSet):
    permission_classes = [AllowAny]
    serializer_class = LeaderboardEntrySerializer
    filter_backends: list[Any] = []
    ordering = LEADERBOARD_ORDERING
    public_cache_seconds = {"list": 60}

    def get_queryset(self) -> Any:
        return Call.objects.none()

    @extend_schema(
        summary="The leaderboard",
        description=(
            f"{SCORING} Authors ranked by the score of their calls at `horizon` (the Wilson lower bound of the "
            "hit rate, so a long good record outranks a lucky short one), then by their average call return; "
            "only calls posted in the last `days` days, and only authors with at least `min_calls` calls scored "
            "at that horizon. Suspended users are left out. A value out of range is a 400 naming it. The ranking "
            f"may be up to {LEADERBOARD_CACHE_SECONDS} seconds old."
        ),
        parameters=[LeaderboardQuerySerializer],
        responses={200: LeaderboardEntrySerializer(many=True), **problems(400)},
    )
    def list(self, request: Request) -> Response:
        query = _query(LeaderboardQuerySerializer, request)
        limit = parse_limit(request)
        cursor = Cursor.decode(request.query_params.get("cursor"), types=len(LEADERBOARD_ORDERING))
        horizon, days, min_calls = query["horizon"], query["days"], query["min_calls"]

        def ranked() -> KeysetPage[Any]:
            rows = leaderboard(horizon=horizon, days=days, min_calls=min_calls)
            return queryset_page(rows, ordering=LEADERBOARD_ORDERING, cursor=cursor, limit=limit)

        # The ranking is the same for everyone: one aggregate over the window's calls per page, shared
        # by every process for a minute; the users and the viewer's flags are read fresh.
        key = f"leaderboard:v1:{horizon}:{days}:{min_calls}:{limit}:{cursor.encode() if cursor else ''}"
        page: KeysetPage[Any] = cache.get_or_set(key, ranked, LEADERBOARD_CACHE_SECONDS)  # type: ignore[assignment]
        rows = cast(CursorPagination, self.paginator).paginate_page(page, request)
        ids = [row["author_id"] for row in rows]
        users = {user.pk: user for user in visible_profiles().filter(pk__in=ids)}
        context = {**self.get_serializer_context(), "relationships": relationships_for(request.user, ids)}
        profiles = PublicUserSerializer(context=context)
        return self.get_paginated_response(
            [
                {
                    "user": profiles.to_representation(users[row["author_id"]]),
                    "record": {field: row[field] for field in RECORD_FIELDS},
                }
                for row in rows
                if row["author_id"] in users
            ]
        )
