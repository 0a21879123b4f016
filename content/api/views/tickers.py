"""Tickers: a ticker's page (``tickers/{symbol}``) and the trending list (``tickers/trending``)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from content.api.serializers.tickers import TickerSerializer, TrendingQuerySerializer, TrendingTickerSerializer
from content.search import find_ticker
from content.trending import SCORE_FORMULA, TRENDING_CACHE_SECONDS, trending_tickers
from core.errors import NotFound
from core.schema import problems


class TickerViewSet(ViewSet):
    permission_classes = [AllowAny]
    lookup_url_kwarg = "symbol"
    # Any symbol the URL can hold ("TRENDING" could not be one: at most 5 letters before the dot);
    # not a path, so `tickers/{symbol}/posts` stays its own route.
    lookup_value_converter = "str"
    public_cache_seconds = {"retrieve": 60, "trending": 60}  # core.http_cache: anonymous answers only

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
    def retrieve(self, request: Request, symbol: str) -> Response:
        ticker = find_ticker(symbol)
        if ticker is None:
            raise NotFound("No such ticker.")
        return Response(TickerSerializer(ticker).data)

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
    @action(detail=False)
    def trending(self, request: Request) -> Response:
        params = TrendingQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        hours, limit = params.validated_data["hours"], params.validated_data["limit"]

        def render() -> list[Any]:
            # A plain list: DRF's ReturnList would drag its serializer into the cache.
            return list(TrendingTickerSerializer(trending_tickers(hours=hours, limit=limit), many=True).data)

        return Response(cache.get_or_set(f"trending:v2:{hours}:{limit}", render, TRENDING_CACHE_SECONDS))
