"""Reposts: a plain repost or a quote, and what a plain repost answers."""

from __future__ import annotations

from rest_framework import serializers

from content.models import POST_MAX_LENGTH
from core.serializers import StrictCharField


class RepostCreateSerializer(serializers.Serializer):
    content = StrictCharField(
        required=False,
        allow_null=True,
        max_length=POST_MAX_LENGTH,
        help_text=(
            "Absent or null: a plain repost. Present: a quote, a new post of 1-"
            f"{POST_MAX_LENGTH} characters (after trimming) quoting this one."
        ),
    )


class RepostResultSerializer(serializers.Serializer):
    reposted = serializers.BooleanField(help_text="Always true: you have reposted the post.")
    count = serializers.IntegerField(help_text="Plain reposts of the post now, yours included.")
