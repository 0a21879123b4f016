"""The signed-in user's watchlist (``users/me/watchlist``), served here because this app owns tickers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from accounts.api.permissions import signed_in
from content.api.serializers.tickers import TickerSerializer
from content.api.serializers.watchlist import WatchlistAddSerializer
from content.models import Ticker
from content.services.watchlist import WATCHLIST_MAX, watchlist_add, watchlist_remove
from core.errors import NotFound
from core.schema import problems


class WatchlistViewSet(ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_url_kwarg = "symbol"
    lookup_value_converter = "str"

    @extend_schema(
        summary="Your watchlist",
        description=(
            f"Every ticker on the watchlist (at most {WATCHLIST_MAX}, so not paginated), "
            "most recently added first, with its activity."
        ),
        responses={200: TickerSerializer(many=True), **problems(401)},
    )
    def list(self, request: Request) -> Response:
        tickers = Ticker.objects.watched_by(signed_in(request)).with_stats()
        return Response(TickerSerializer(tickers, many=True).data)

    @extend_schema(
        summary="Add a ticker to your watchlist",
        description=(
            "201 when added, 200 when it was already there; the ticker is created on first use. "
            f"A watchlist holds at most {WATCHLIST_MAX} tickers: a 400 naming `symbol` beyond that."
        ),
        request=WatchlistAddSerializer,
        responses={
            201: OpenApiResponse(TickerSerializer, description="Added."),
            200: OpenApiResponse(TickerSerializer, description="Already on the watchlist."),
            **problems(400, 401),
        },
    )
    def create(self, request: Request) -> Response:
        serializer = WatchlistAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item, created = watchlist_add(user=signed_in(request), symbol=serializer.validated_data["symbol"])
        ticker = Ticker.objects.with_stats().get(pk=item.ticker_id)
        return Response(
            TickerSerializer(ticker).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Remove a ticker from your watchlist",
        description="The symbol matches ignoring case and a leading `$`. 404 if it is not on the watchlist.",
        responses={204: None, **problems(401, 404)},
    )
    def destroy(self, request: Request, symbol: str) -> Response:
        if not watchlist_remove(user=signed_in(request), symbol=symbol):
            raise NotFound("This ticker is not on your watchlist.")
        return Response(status=status.HTTP_204_NO_CONTENT)
