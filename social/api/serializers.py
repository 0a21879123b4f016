"""Shapes of the social graph's answers that are more than a user."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer

CONTENT_FILTERS_MAX = 1000


class ContentFiltersTruncatedSerializer(serializers.Serializer):
    muted = serializers.BooleanField(help_text=f"More than {CONTENT_FILTERS_MAX} muted users; only the newest shown.")
    blocked = serializers.BooleanField(
        help_text=f"More than {CONTENT_FILTERS_MAX} blocked users; only the newest shown."
    )


# One object, though `GET content-filters` is a viewset's list.
@extend_schema_serializer(many=False)
class ContentFiltersSerializer(serializers.Serializer):
    """Who the signed-in user muted and blocked, newest first."""

    muted = PublicUserSerializer(many=True, help_text=f"Muted users, newest mute first; at most {CONTENT_FILTERS_MAX}.")
    blocked = PublicUserSerializer(
        many=True, help_text=f"Blocked users, newest block first; at most {CONTENT_FILTERS_MAX}."
    )
    truncated = ContentFiltersTruncatedSerializer(help_text="Which list was cut at the cap.")
