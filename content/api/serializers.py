"""How content is shown: tickers (posts come later)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from content.models import Ticker


class TickerSentimentSerializer(serializers.Serializer):
    bullish = serializers.IntegerField(source="bullish_count", help_text="Posts tagged bullish in the last 24 hours.")
    bearish = serializers.IntegerField(source="bearish_count", help_text="Posts tagged bearish in the last 24 hours.")


class TickerSerializer(serializers.ModelSerializer):
    """A ticker with its activity; the queryset must come from ``Ticker.objects.with_stats()``."""

    name = serializers.CharField(read_only=True, allow_null=True, help_text="The company name, when known.")
    post_count = serializers.IntegerField(read_only=True, help_text="Visible posts mentioning the ticker.")
    sentiment = TickerSentimentSerializer(source="*", read_only=True)

    class Meta:
        model = Ticker
        fields = ["symbol", "name", "post_count", "sentiment"]
        read_only_fields = fields

    def to_representation(self, instance: Ticker) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["name"] = data["name"] or None
        return data


class WatchlistAddSerializer(serializers.Serializer):
    symbol = serializers.CharField(
        max_length=16,
        help_text="A ticker symbol such as `AAPL` or `BRK.B`; a leading `$` or `#` is ignored, case does not matter.",
    )
