"""Tickers: a ticker with its activity, and the trending list with the parameters it accepts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from content.charts import (
    PRICES_DEFAULT_DAYS,
    PRICES_MAX_YEARS,
    SENTIMENT_DEFAULT_DAYS,
    SENTIMENT_MAX_DAYS,
    days_before,
    years_before,
)
from content.models import Ticker
from content.trending import (
    TRENDING_DEFAULT_HOURS,
    TRENDING_DEFAULT_LIMIT,
    TRENDING_MAX_HOURS,
    TRENDING_MAX_LIMIT,
)
from core.dates import utc_today
from core.serializers import ModelSerializer, StrictCharField
from markets.models import CURRENCY


class TickerSentimentSerializer(serializers.Serializer):
    bullish = serializers.IntegerField(source="bullish_count", help_text="Posts tagged bullish in the last 24 hours.")
    bearish = serializers.IntegerField(source="bearish_count", help_text="Posts tagged bearish in the last 24 hours.")


class TickerPriceSerializer(serializers.Serializer):
    """The latest daily close and its move from the close before it, from the symbol's two latest daily bars."""

    last = serializers.FloatField(help_text="The latest daily close.")
    change = serializers.FloatField(
        allow_null=True,
        help_text="`last` minus the close of the trading day before (rounded to 6 decimals); "
        "null while there is only one bar.",
    )
    change_pct = serializers.FloatField(
        allow_null=True,
        help_text="`change` as a percentage of the close before, rounded to 2 decimals: `1.23` is +1.23%, "
        "`-0.5` is -0.5%. Null while there is only one bar (or that close was 0).",
    )
    currency = StrictCharField(help_text="ISO 4217 code of the prices.")
    as_of = serializers.DateField(help_text="The trading day of `last`.")


def ticker_price(ticker: Ticker) -> dict[str, Any] | None:
    """The ``price`` object of a ticker annotated by ``TickerQuerySet.with_quote``; None without a quote."""
    last = getattr(ticker, "quote_last", None)
    if last is None:
        return None
    previous = ticker.quote_previous_close  # type: ignore[attr-defined]
    change = None if previous is None else last - previous
    return {
        "last": last,
        # Floats: 187.3 - 185.1 is 2.200000000000017.
        "change": None if change is None else round(change, 6),
        "change_pct": round(change / previous * 100, 2) if change is not None and previous else None,
        "currency": CURRENCY,
        "as_of": ticker.quote_as_of,  # type: ignore[attr-defined]
    }


# One instance for every row: a serializer deep-copies its fields per instance.
_PRICES = TickerPriceSerializer()


class TickerSerializer(ModelSerializer):
    """A ticker with its activity and price; the queryset must come from ``Ticker.objects.with_stats()``."""

    name = StrictCharField(read_only=True, allow_null=True, help_text="The company name, when known.")
    post_count = serializers.IntegerField(read_only=True, help_text="Visible posts mentioning the ticker.")
    sentiment = TickerSentimentSerializer(source="*", read_only=True)
    listed = serializers.BooleanField(
        source="is_listed",
        read_only=True,
        help_text="On the reference list of listed symbols. Any `$SYMBOL` in a post makes a ticker with a page, "
        "but an unlisted one shows in search and trending only once enough distinct members mention it "
        "(`TICKER_MIN_AUTHORS`, 5 by default).",
    )

    price = serializers.SerializerMethodField()

    class Meta:
        model = Ticker
        fields = ["symbol", "name", "post_count", "sentiment", "listed", "price"]
        read_only_fields = fields

    def to_representation(self, instance: Ticker) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["name"] = data["name"] or None
        return data

    @extend_schema_field(
        TickerPriceSerializer(
            allow_null=True, help_text="The latest daily close and its move; null while the symbol has no prices."
        )
    )
    def get_price(self, ticker: Ticker) -> dict[str, Any] | None:
        price = ticker_price(ticker)
        return None if price is None else dict(_PRICES.to_representation(price))


class TrendingQuerySerializer(serializers.Serializer):
    hours = serializers.IntegerField(
        min_value=1,
        max_value=TRENDING_MAX_HOURS,
        default=TRENDING_DEFAULT_HOURS,
        help_text=f"The window: the last 1-{TRENDING_MAX_HOURS} hours.",
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=TRENDING_MAX_LIMIT,
        default=TRENDING_DEFAULT_LIMIT,
        help_text=f"How many tickers (1-{TRENDING_MAX_LIMIT}).",
    )


class TrendingTickerSerializer(TickerSerializer):
    """A ticker with its activity and its trending numbers; see the endpoint for the formula."""

    mentions = serializers.IntegerField(read_only=True, help_text="Visible posts mentioning it in the window.")
    score = serializers.FloatField(read_only=True, help_text="The trending score (see the endpoint description).")

    class Meta(TickerSerializer.Meta):
        fields = [*TickerSerializer.Meta.fields, "mentions", "score"]
        read_only_fields = fields


class PricesQuerySerializer(serializers.Serializer):
    """``?from=&to=`` of ``tickers/{symbol}/prices``, validated into ``start`` and ``end``."""

    to = serializers.DateField(
        required=False,
        help_text="The last day (`YYYY-MM-DD`, included); default today (UTC).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # `from` is a Python keyword, so it cannot be declared in the class body.
        start = serializers.DateField(
            required=False,
            help_text=f"The first day (`YYYY-MM-DD`, included); default {PRICES_DEFAULT_DAYS - 1} days before `to`, "
            f"so {PRICES_DEFAULT_DAYS} days in all. At most {PRICES_MAX_YEARS} years before `to` "
            "(the same calendar date), and not after it.",
        )
        return {"from": start, **super().get_fields()}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        end = attrs.get("to") or utc_today()
        start = attrs.get("from") or days_before(end, PRICES_DEFAULT_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"from": ["Must be on or before `to` (today when it is not given)."]})
        earliest = years_before(end, PRICES_MAX_YEARS)
        if start < earliest:
            raise serializers.ValidationError(
                {"from": [f"At most {PRICES_MAX_YEARS} years before `to`: {earliest.isoformat()} or later."]}
            )
        return {"start": start, "end": end}


class PriceBarSerializer(serializers.Serializer):
    """One trading day of a ticker."""

    date = serializers.DateField(help_text="The trading day.")
    open = serializers.FloatField()
    high = serializers.FloatField()
    low = serializers.FloatField()
    close = serializers.FloatField()
    adj_close = serializers.FloatField(
        allow_null=True, help_text="The close adjusted for splits and dividends; null when the source has none."
    )
    volume = serializers.IntegerField(allow_null=True, help_text="Shares traded; null when the source has none.")


class SentimentQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1,
        max_value=SENTIMENT_MAX_DAYS,
        default=SENTIMENT_DEFAULT_DAYS,
        help_text=f"How many days, ending today (UTC): 1-{SENTIMENT_MAX_DAYS}.",
    )


class SentimentDaySerializer(serializers.Serializer):
    """One UTC day of a ticker: its posts tagged each way, and its close."""

    date = serializers.DateField(help_text="The UTC day.")
    bullish = serializers.IntegerField(help_text="Visible posts mentioning the ticker tagged bullish that day.")
    bearish = serializers.IntegerField(help_text="Visible posts mentioning the ticker tagged bearish that day.")
    close = serializers.FloatField(
        allow_null=True, help_text="That day's close; null when there is no bar (weekends, holidays, no data)."
    )
