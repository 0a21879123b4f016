"""How polls are shown, and the shape of a new poll or a vote."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from polls.models import (
    MAX_DURATION_HOURS,
    MAX_OPTIONS,
    MIN_DURATION_HOURS,
    MIN_OPTIONS,
    OPTION_MAX_LENGTH,
    Poll,
    PollOption,
)

MAX_ID = 2**63 - 1


class PollOptionSerializer(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)
    votes = serializers.IntegerField(source="votes_count", read_only=True)

    class Meta:
        model = PollOption
        fields = ["id", "text", "votes"]
        read_only_fields = fields


class PollSerializer(serializers.ModelSerializer):
    """A poll with its results; the poll must come from ``Poll.objects.with_results(viewer)``."""

    id = serializers.CharField(read_only=True)
    options = PollOptionSerializer(source="ordered_options", many=True, read_only=True)
    total_votes = serializers.SerializerMethodField()
    expired = serializers.BooleanField(read_only=True, help_text="Voting closed at `expires_at`.")
    viewer_vote = serializers.SerializerMethodField()

    class Meta:
        model = Poll
        fields = ["id", "options", "total_votes", "expires_at", "expired", "viewer_vote"]
        read_only_fields = fields

    def get_total_votes(self, poll: Poll) -> int:
        return sum(option.votes_count for option in poll.ordered_options)  # type: ignore[attr-defined]

    @extend_schema_field({"type": "string", "nullable": True, "description": "The viewer's option id, or null."})
    def get_viewer_vote(self, poll: Poll) -> str | None:
        option_id = getattr(poll, "viewer_vote_id", None)
        return None if option_id is None else str(option_id)


class PollCreateSerializer(serializers.Serializer):
    options = serializers.ListField(
        child=serializers.CharField(max_length=OPTION_MAX_LENGTH),
        min_length=MIN_OPTIONS,
        max_length=MAX_OPTIONS,
        help_text=f"{MIN_OPTIONS}-{MAX_OPTIONS} distinct choices of 1-{OPTION_MAX_LENGTH} characters, in order.",
    )
    duration_hours = serializers.IntegerField(
        min_value=MIN_DURATION_HOURS,
        max_value=MAX_DURATION_HOURS,
        help_text=f"How long voting stays open, {MIN_DURATION_HOURS}-{MAX_DURATION_HOURS} hours.",
    )


@extend_schema_field({"type": "string", "pattern": "^[0-9]+$", "example": "42"})
class IdField(serializers.Field):
    """An id given as a JSON string (as the API renders ids) or an integer."""

    default_error_messages = {"invalid": "Must be an id: a positive integer, as a string or a number."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        text = str(data).strip()
        if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
            self.fail("invalid")
        return int(text)

    def to_representation(self, value: Any) -> str:
        return str(value)


class PollVoteSerializer(serializers.Serializer):
    option_id = IdField(help_text="One of the poll's option ids.")
