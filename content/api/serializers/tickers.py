"""Tickers: a ticker with its activity, and the trending list with the parameters it accepts."""

from __future__ import annotations

from rest_framework import serializers

from content.api.serializers.posts import TickerSerializer
from content.trending import (
    TRENDING_DEFAULT_HOURS,
    TRENDING_DEFAULT_LIMIT,
    TRENDING_MAX_HOURS,
    TRENDING_MAX_LIMIT,
)

__all__ = ["TickerSerializer", "TrendingQuerySerializer", "TrendingTickerSerializer"]


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
