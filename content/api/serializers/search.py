"""Search over users and tickers: the query parameters it accepts and what it answers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from content.api.serializers.tickers import TickerSerializer
from content.search import QUERY_MAX_LENGTH, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, search_term
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


# One object, though the view is the viewset's `list`.
@extend_schema_serializer(many=False)
class SearchResultSerializer(serializers.Serializer):
    users = PublicUserSerializer(many=True, help_text="Matching users, best match first.")
    tickers = TickerSerializer(many=True, help_text="Matching tickers, best match first.")
