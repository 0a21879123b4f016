"""Declarative filters for lists of posts."""

from __future__ import annotations

from django import forms
from django.db.models import F, QuerySet
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

from content.models import Post
from content.services.watchlist import INVALID_SYMBOL, symbol_normalise

MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """A whole-number id (``NumberFilter`` would take ``1.5``)."""

    field_class = forms.IntegerField


class PostFilter(filters.FilterSet):
    author = IdFilter(field_name="author_id", min_value=1, max_value=MAX_ID, help_text="Only this user's posts.")
    ticker = filters.CharFilter(
        method="filter_ticker",
        max_length=16,
        help_text="Only posts mentioning this symbol; a leading `$` or `#` and case are ignored.",
    )

    class Meta:
        model = Post
        fields = ["author", "ticker"]

    def filter_ticker(self, queryset: QuerySet[Post], name: str, value: str) -> QuerySet[Post]:
        symbol = symbol_normalise(value)
        if symbol is None:
            raise ValidationError({"ticker": [INVALID_SYMBOL]})
        # (post, ticker) is unique, so the join never repeats a post. ``tagged_at`` (PostTicker's
        # copy of the post time) lets the view page on the (ticker, -created_at, -post) index.
        return queryset.filter(post_tickers__ticker_id=symbol).annotate(tagged_at=F("post_tickers__created_at"))
