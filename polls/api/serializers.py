"""How polls are shown, and the shape of a new poll or a vote."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import IdField, ModelSerializer, StrictCharField
from core.sqljson import by_position
from polls.models import (
    MAX_DURATION_HOURS,
    MAX_OPTIONS,
    MIN_DURATION_HOURS,
    MIN_OPTIONS,
    OPTION_MAX_LENGTH,
    Poll,
    PollOption,
)


class PollOptionSerializer(ModelSerializer):
    id = StrictCharField(read_only=True)
    votes = serializers.IntegerField(source="votes_count", read_only=True)

    class Meta:
        model = PollOption
        fields = ["id", "text", "votes"]
        read_only_fields = fields


class PollSerializer(ModelSerializer):
    """A poll with its results; the poll must come from ``Poll.objects.with_results(viewer)``."""

    id = StrictCharField(read_only=True)
    options = serializers.SerializerMethodField()
    total_votes = serializers.SerializerMethodField()
    expired = serializers.BooleanField(read_only=True, help_text="Voting closed at `expires_at`.")
    viewer_vote = serializers.SerializerMethodField()

    class Meta:
        model = Poll
        fields = ["id", "options", "total_votes", "expires_at", "expired", "viewer_vote"]
        read_only_fields = fields

    @extend_schema_field(PollOptionSerializer(many=True))
    def get_options(self, poll: Poll) -> list[dict[str, Any]]:
        return [
            {"id": str(option_id), "text": text, "votes": votes}
            for option_id, text, votes, _position in by_position(poll.option_rows)  # type: ignore[attr-defined]
        ]

    def get_total_votes(self, poll: Poll) -> int:
        return sum(votes for _id, _text, votes, _position in poll.option_rows or ())  # type: ignore[attr-defined]

    @extend_schema_field({"type": "string", "nullable": True, "description": "The viewer's option id, or null."})
    def get_viewer_vote(self, poll: Poll) -> str | None:
        option_id = getattr(poll, "viewer_vote_id", None)
        return None if option_id is None else str(option_id)


class PollCreateSerializer(serializers.Serializer):
    options = serializers.ListField(
        child=StrictCharField(max_length=OPTION_MAX_LENGTH),
        min_length=MIN_OPTIONS,
        max_length=MAX_OPTIONS,
        help_text=f"{MIN_OPTIONS}-{MAX_OPTIONS} distinct choices of 1-{OPTION_MAX_LENGTH} characters, in order.",
    )
    duration_hours = serializers.IntegerField(
        min_value=MIN_DURATION_HOURS,
        max_value=MAX_DURATION_HOURS,
        help_text=f"How long voting stays open, {MIN_DURATION_HOURS}-{MAX_DURATION_HOURS} hours.",
    )


class PollVoteSerializer(serializers.Serializer):
    option_id = IdField(help_text="One of the poll's option ids.")
