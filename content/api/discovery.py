"""Finding things: search over users and tickers, the ticker page and trending tickers."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from content.api.serializers import TickerSerializer
from content.api.serializers_discovery import (
    SearchQuerySerializer,
    SearchResultSerializer,
    TrendingQuerySerializer,
    TrendingTickerSerializer,
)
from content.models import Ticker
from content.search import find_ticker, search_tickers, search_users
from content.trending import SCORE_FORMULA, TRENDING_CACHE_SECONDS, trending_tickers
from core.schema import problems
from social.querysets import relationships_for


class SearchView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Search users and tickers",
        description=(
            "Prefix search ignoring case; a leading `$` or `#` in `q` is ignored. Both lists are always "
            "present (the one `type` leaves out is empty), each capped by `limit` and not paginated: this is "
            "a search box, refine the query to see more.\n\n"
            "Users, best first: the username is `q`, the username starts with `q`, the display name starts "
            "with `q`, a later word of the display name starts with `q`; within each, the most followed first. "
            "Only active, non-suspended users; users who blocked the viewer or whom the viewer blocked are left "
            "out. `viewer` flags as on a profile.\n\n"
            "Tickers, best first: the symbol is `q`, the symbol starts with `q` (shorter first), the company name "
            "or one of its words starts with `q`. Well-known symbols nobody has posted about yet are found too, "
            "with `post_count` 0. A symbol not on the reference list of listed symbols (`listed` false) is found "
            "only once enough distinct members have posted about it.\n\n"
            "A blank `q` (or only `$`/`#`), one over 100 characters, an unknown `type` or a `limit` outside "
            "1-50 is a 400 naming the parameter; an empty `type=` or `limit=` takes the default."
        ),
        parameters=[SearchQuerySerializer],
        responses={200: SearchResultSerializer, **problems(400, 401)},
    )
    def get(self, request: Request) -> Response:
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        term, kind, limit = params.validated_data["q"], params.validated_data["type"], params.validated_data["limit"]
        users: list[User] = []
        tickers: list[Ticker] = []
        if kind in ("all", "users"):
            users = search_users(term=term, viewer=request.user, limit=limit)
        if kind in ("all", "tickers"):
            tickers = search_tickers(term=term, limit=limit)
        context = {"request": request, "relationships": relationships_for(request.user, [u.pk for u in users])}
        return Response(SearchResultSerializer({"users": users, "tickers": tickers}, context=context).data)


class TrendingTickersView(APIView):
    permission_classes = [AllowAny]
    public_cache_seconds = 60  # core.http_cache: anonymous answers, capped by HTTP_CACHE_MAX_AGE

    @extend_schema(
        summary="Trending tickers",
        description=(
            "The tickers most talked about in the last `hours` (default 24), highest score first, at most "
            f"`limit` (default 10) and not paginated. {SCORE_FORMULA} Deleted and hidden posts, and posts by "
            "suspended users, do not count; a symbol not on the reference list of listed symbols trends only "
            "once enough distinct members have posted about it. Past hours are read from an hourly roll-up: a "
            "post of the current hour "
            "that is deleted or hidden (or whose author is suspended) stops counting at once, an older one when the "
            "roll-up is next refreshed (`refresh_metrics`, run every few minutes). The list is the same for "
            f"everyone and may be up to {TRENDING_CACHE_SECONDS} seconds old. "
            "`hours` outside 1-168 or `limit` outside 1-50 is a 400 naming the parameter."
        ),
        parameters=[TrendingQuerySerializer],
        responses={200: TrendingTickerSerializer(many=True), **problems(400, 401)},
    )
    def get(self, request: Request) -> Response:
        params = TrendingQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        hours, limit = params.validated_data["hours"], params.validated_data["limit"]

        def render() -> list[Any]:
            # A plain list: DRF's ReturnList would drag its serializer into the cache.
            return list(TrendingTickerSerializer(trending_tickers(hours=hours, limit=limit), many=True).data)

        return Response(cache.get_or_set(f"trending:v2:{hours}:{limit}", render, TRENDING_CACHE_SECONDS))


class TickerDetailView(APIView):
    permission_classes = [AllowAny]
    public_cache_seconds = 60  # core.http_cache: anonymous answers, capped by HTTP_CACHE_MAX_AGE

    @extend_schema(
        summary="A ticker",
        description=(
            "A ticker with its activity. The symbol matches ignoring case and a leading `$` or `#` "
            "(`%23` in a URL). A well-known symbol nobody has posted about yet is a 200 with `post_count` 0; "
            "a symbol off the reference list that someone posted about is a 200 with `listed` false (even before "
            "search and trending show it); any other unknown or malformed symbol is a 404."
        ),
        parameters=[
            OpenApiParameter("symbol", str, OpenApiParameter.PATH, description="A symbol such as `AAPL` or `BRK.B`.")
        ],
        responses={200: TickerSerializer, **problems(401, 404)},
    )
    def get(self, request: Request, symbol: str) -> Response:
        ticker = find_ticker(symbol)
        if ticker is None:
            raise NotFound("No such ticker.")
        return Response(TickerSerializer(ticker).data)


urlpatterns = [
    path("search", SearchView.as_view(), name="search"),
    # Before tickers/<symbol>; "TRENDING" could not be a symbol anyway (at most 5 letters before the dot).
    path("tickers/trending", TrendingTickersView.as_view(), name="tickers-trending"),
    path("tickers/<str:symbol>", TickerDetailView.as_view(), name="ticker-detail"),
]
