"""Search, the ticker page and trending: the query parameters they accept and what they answer."""

from __future__ import annotations

from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from content.api.serializers.posts import TickerSerializer
from content.search import QUERY_MAX_LENGTH, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, search_term
from content.trending import (
    TRENDING_DEFAULT_HOURS,
    TRENDING_DEFAULT_LIMIT,
    TRENDING_MAX_HOURS,
    TRENDING_MAX_LIMIT,
)
from core.serializers import StrictCharField

SEARCH_TYPES = ("all", "users", "tickers")


class SearchQuerySerializer(serializers.Serializer):
    q = StrictCharField(
        max_length=QUERY_MAX_LENGTH,
        help_text=(
            f"What to look for (1-{QUERY_MAX_LENGTH} characters): the start of a username, of a display name "
            "or one of its words, of a ticker symbol, or of a company name or one of its words. "
            "Case does not matter; a leading `$` or `#` is ignored."
        ),
    )
    type = serializers.ChoiceField(
        choices=SEARCH_TYPES,
        default="all",
        help_text="What to search: `users`, `tickers` or `all`. The other list is then empty.",
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=SEARCH_MAX_LIMIT,
        default=SEARCH_DEFAULT_LIMIT,
        help_text=f"The most results per type (1-{SEARCH_MAX_LIMIT}).",
    )

    def validate_q(self, value: str) -> str:
        term = search_term(value)
        if not term:
            raise serializers.ValidationError("Enter something to search for besides `$` or `#`.")
        return term


class SearchResultSerializer(serializers.Serializer):
    users = PublicUserSerializer(many=True, help_text="Matching users, best match first.")
    tickers = TickerSerializer(many=True, help_text="Matching tickers, best match first.")


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
