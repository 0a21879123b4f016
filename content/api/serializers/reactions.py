"""Likes on posts and comments: the request (toggle, like or unlike) and the state it leaves."""

from __future__ import annotations

from rest_framework import serializers


class ReactionRequestSerializer(serializers.Serializer):
    reacted = serializers.BooleanField(
        required=False,
        help_text=(
            "Absent: a toggle. `true` likes and `false` unlikes, whatever the state was (idempotent: safe to retry)."
        ),
    )


class ReactionResultSerializer(serializers.Serializer):
    reacted = serializers.BooleanField(help_text="Whether you like it now.")
    count = serializers.IntegerField(help_text="Likes now, yours included.")
