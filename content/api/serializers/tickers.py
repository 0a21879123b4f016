"""Tickers: a ticker with its activity, and the trending list with the parameters it accepts."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from content.models import Ticker
from content.trending import (
    TRENDING_DEFAULT_HOURS,
    TRENDING_DEFAULT_LIMIT,
    TRENDING_MAX_HOURS,
    TRENDING_MAX_LIMIT,
)
from core.serializers import ModelSerializer, StrictCharField


class TickerSentimentSerializer(serializers.Serializer):
    bullish = serializers.IntegerField(source="bullish_count", help_text="Posts tagged bullish in the last 24 hours.")
    bearish = serializers.IntegerField(source="bearish_count", help_text="Posts tagged bearish in the last 24 hours.")


class TickerSerializer(ModelSerializer):
    """A ticker with its activity; the queryset must come from ``Ticker.objects.with_stats()``."""

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

    class Meta:
        model = Ticker
        fields = ["symbol", "name", "post_count", "sentiment", "listed"]
        read_only_fields = fields

    def to_representation(self, instance: Ticker) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["name"] = data["name"] or None
        return data


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
