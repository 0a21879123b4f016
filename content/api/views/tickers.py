"""Tickers: a ticker's page (``tickers/{symbol}``), its chart data (``prices``, ``sentiment``) and the
trending list (``tickers/trending``)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from content.api.schema import SYMBOL
from content.api.serializers.tickers import (
    PriceBarSerializer,
    PricesQuerySerializer,
    SentimentDaySerializer,
    SentimentQuerySerializer,
    TickerSerializer,
    TrendingQuerySerializer,
    TrendingTickerSerializer,
)
from content.charts import PRICES_MAX_YEARS, SENTIMENT_MAX_DAYS, price_bars, sentiment_days
from content.search import find_ticker, known_symbol
from content.trending import SCORE_FORMULA, TRENDING_CACHE_SECONDS, trending_tickers
from core.errors import NotFound
from core.schema import problems


class TickerViewSet(ViewSet):
    permission_classes = [AllowAny]
    lookup_url_kwarg = "symbol"
    # Any symbol the URL can hold ("TRENDING" could not be one: at most 5 letters before the dot);
    # not a path, so `tickers/{symbol}/posts` stays its own route.
    lookup_value_converter = "str"
    # core.http_cache: anonymous answers only
    public_cache_seconds = {"retrieve": 60, "trending": 60, "prices": 60, "sentiment": 60}

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

    @extend_schema(
        summary="A ticker's daily prices",
        description=(
            "The ticker's daily bars from `from` to `to` (both included), oldest first; by default the 365 days "
            "ending today (UTC). Only trading days have a bar: weekends, holidays and days before the prices "
            "begin are simply missing, so the list may be empty. "
            f"A malformed date, `from` after `to`, or `from` more than {PRICES_MAX_YEARS} years before `to` is a "
            "400 naming the parameter; a symbol without a ticker page is a 404, as for `GET tickers/{symbol}`."
        ),
        parameters=[SYMBOL, PricesQuerySerializer],
        responses={200: PriceBarSerializer(many=True), **problems(400, 401, 404)},
    )
    @action(detail=True)
    def prices(self, request: Request, symbol: str) -> Response:
        params = PricesQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        known = known_symbol(symbol)
        if known is None:
            raise NotFound("No such ticker.")
        bars = price_bars(known, start=params.validated_data["start"], end=params.validated_data["end"])
        return Response(PriceBarSerializer(bars, many=True).data)

    @extend_schema(
        summary="A ticker's daily sentiment",
        description=(
            "One row for each of the last `days` UTC days ending today, oldest first: the posts mentioning "
            "the ticker tagged bullish and bearish that day (0 and 0 on a day without any), counted as the "
            "ticker's 24-hour `sentiment` counts them (deleted and hidden posts and posts by suspended users "
            "do not count), with that day's close for drawing the two together (null on weekends, holidays "
            f"and days without prices). `days` outside 1-{SENTIMENT_MAX_DAYS} is a 400 naming it; a symbol "
            "without a ticker page is a 404, as for `GET tickers/{symbol}`."
        ),
        parameters=[SYMBOL, SentimentQuerySerializer],
        responses={200: SentimentDaySerializer(many=True), **problems(400, 401, 404)},
    )
    @action(detail=True)
    def sentiment(self, request: Request, symbol: str) -> Response:
        params = SentimentQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        known = known_symbol(symbol)
        if known is None:
            raise NotFound("No such ticker.")
        return Response(
            SentimentDaySerializer(sentiment_days(known, days=params.validated_data["days"]), many=True).data
        )
