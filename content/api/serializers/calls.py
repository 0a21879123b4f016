"""Calls as posts show them, and the track records built from them (README "Calls")."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from content.models import CALL_HORIZONS, Call, CallStatus, Sentiment
from content.querysets import CALL_STATE_FIELDS
from core.serializers import StrictCharField

HORIZONS = tuple(CALL_HORIZONS)  # "1d", "1w", "1m"


def _per_horizon(kind: str, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {h: {"type": kind, "nullable": True} for h in HORIZONS},
        "required": list(HORIZONS),
    }


class CallSerializer(serializers.Serializer):
    """The contract's "call": a post with a sentiment and a ticker, scored against the prices that followed."""

    ticker = serializers.CharField(source="ticker_id", read_only=True, help_text="The post's first ticker.")
    direction = serializers.ChoiceField(choices=Sentiment.choices)
    entry_date = serializers.DateField(
        allow_null=True, help_text="The first trading day on or after the post's UTC date; null until known."
    )
    entry_price = serializers.FloatField(
        allow_null=True, help_text="The entry day's adjusted close (else its close); null until known."
    )
    status = serializers.ChoiceField(
        choices=CallStatus.choices,
        help_text="`pending` until the 1m exit exists, then `scored`; `void` when the ticker had no price "
        "within 5 calendar days after the post.",
    )
    returns = serializers.SerializerMethodField()
    hits = serializers.SerializerMethodField()

    @extend_schema_field(
        _per_horizon(
            "number",
            "exit / entry - 1 (a fraction: 0.042 is +4.2%) at 1, 5 and 21 trading days after the entry; "
            "null until that day's price exists.",
        )
    )
    def get_returns(self, call: Call) -> dict[str, float | None]:
        return {h: getattr(call, f"return_{h}") for h in HORIZONS}

    @extend_schema_field(
        _per_horizon(
            "boolean",
            "Whether the return went the called way (above 0 for bullish, below 0 for bearish; exactly 0 "
            "is a miss); null while that horizon is pending.",
        )
    )
    def get_hits(self, call: Call) -> dict[str, bool | None]:
        return {h: _bool(getattr(call, f"hit_{h}")) for h in HORIZONS}


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


_CALLS = CallSerializer()


def call_from_state(state: dict[str, Any]) -> dict[str, Any] | None:
    """The ``call`` of a post from its ``post_states`` row (null when the post is no call)."""
    if state["call__status"] is None:
        return None
    values = {name.removeprefix("call__"): state[name] for name in CALL_STATE_FIELDS}
    return dict(_CALLS.to_representation(Call(**values)))


class TrackRecordSerializer(serializers.Serializer):
    """The contract's "track record" at one horizon."""

    calls = serializers.IntegerField(help_text="Calls that are not void.")
    scored = serializers.IntegerField(help_text="Calls whose return at this horizon is known.")
    hits = serializers.IntegerField(help_text="Scored calls that went the called way.")
    hit_rate = serializers.FloatField(allow_null=True, help_text="hits / scored; null with nothing scored.")
    avg_call_return = serializers.FloatField(
        allow_null=True,
        help_text="The average call return of the scored calls: the return for bullish calls, minus it for "
        "bearish ones (a fraction); null with nothing scored.",
    )
    score = serializers.FloatField(
        allow_null=True,
        help_text="The Wilson lower bound (95%) of the hit rate: what the hit rate is at least, given how many "
        "calls it rests on (9 of 10 scores 0.596, 90 of 100 scores 0.826); null with nothing scored.",
    )


class TrackRecordsSerializer(serializers.Serializer):
    horizons = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "object",
            "description": "The record at 1, 5 and 21 trading days after each call's entry.",
            "properties": {h: {"$ref": "#/components/schemas/TrackRecord"} for h in HORIZONS},
            "required": list(HORIZONS),
        }
    )
    def get_horizons(self, records: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {h: TrackRecordSerializer(records[h]).data for h in HORIZONS}


class LeaderboardEntrySerializer(serializers.Serializer):
    user = PublicUserSerializer(help_text="The author (a public user).")
    record = TrackRecordSerializer(help_text="Their record at the requested horizon, in the requested window.")


MAX_RECORD_DAYS = 3650


class TrackRecordQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_RECORD_DAYS,
        required=False,
        help_text=f"Only calls posted in the last `days` UTC days, today included (1-{MAX_RECORD_DAYS}); "
        "default: all time.",
    )


class LeaderboardQuerySerializer(TrackRecordQuerySerializer):
    horizon = serializers.ChoiceField(choices=HORIZONS, default="1w", help_text="The horizon ranked on.")
    days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_RECORD_DAYS,
        default=90,
        help_text=f"Only calls posted in the last `days` UTC days, today included (1-{MAX_RECORD_DAYS}).",
    )
    min_calls = serializers.IntegerField(
        min_value=1,
        max_value=10_000,
        default=10,
        help_text="Only authors with at least this many calls scored at the horizon in the window.",
    )


class UserCallsQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CallStatus.choices, required=False, help_text="Only calls in this state.")
    ticker = StrictCharField(
        max_length=16,
        required=False,
        help_text="Only calls on this symbol; a leading `$` or `#` and case are ignored.",
    )
