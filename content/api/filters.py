"""Declarative filters for lists of posts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import F, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from content.models import Post
from content.services.watchlist import INVALID_SYMBOL, symbol_normalise
from core.ids import ID_SCHEMA, parse_id


class IdFormField(forms.CharField):
    """An id as the API writes one (``"42"``): digits only, within a bigint (``core.ids``)."""

    default_error_messages = {"invalid": "Must be an id: a positive integer."}

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        number = parse_id(text)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdFilter(filters.Filter):
    """Rows whose ``field_name`` is this id; declared a string in the schema, like every id."""

    field_class = IdFormField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The schema's own declaration, which must then carry the description too.
        extend_schema_field({**ID_SCHEMA, "description": self.extra.get("help_text", "")})(self)


class PostFilter(filters.FilterSet):
    author = IdFilter(field_name="author_id", help_text="Only this user's posts (a user id).")
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
