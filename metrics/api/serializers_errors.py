"""Error logs: what a frontend reports, the receipt it gets back, and the staff view of a group."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.serializers import StrictCharField
from metrics.errors import CONTEXT_MAX_BYTES, CONTEXT_MAX_DEPTH, MESSAGE_MAX, STACK_MAX, URL_MAX, context_problem
from metrics.models import ErrorLog


class _OptionalText(StrictCharField):
    """Optional text where JSON ``null`` means empty; never trimmed (stacks keep their indentation)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_blank=True, allow_null=True, default="", trim_whitespace=False, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> str:
        return super().run_validation(data) or ""


class ErrorReportSerializer(serializers.Serializer):
    message = StrictCharField(
        help_text=f"What went wrong. Required, not blank; longer than {MESSAGE_MAX} characters is cut."
    )
    stack = _OptionalText(help_text=f"The stack trace (`error.stack`); cut to {STACK_MAX} characters.")
    url = _OptionalText(help_text=f"The page's URL; cut to {URL_MAX} characters; credentials in it are scrubbed.")
    user_agent = _OptionalText(help_text="The browser's user agent; default: this request's `User-Agent`.")
    level = serializers.ChoiceField(choices=ErrorLog.Level.choices, default=ErrorLog.Level.ERROR)
    # A field named like Serializer.context (the stubs type the attribute, DRF allows the field).
    context = serializers.JSONField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        default=dict,
        help_text=(
            f"Anything that helps (a JSON object; `null` means none), at most {CONTEXT_MAX_BYTES // 1024} KB "
            f"serialized and {CONTEXT_MAX_DEPTH} levels deep, with no NUL character (U+0000) or lone "
            "surrogate in any key or string (PostgreSQL stores neither). Values of keys that look like credentials "
            "(token, password, secret, authorization, cookie, api key, refresh, access, session, csrf) are "
            "stored as `[scrubbed]`."
        ),
    )

    def validate_context(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        problem = context_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value  # type: ignore[no-any-return]


class ErrorReceiptSerializer(serializers.ModelSerializer):
    """What the reporter gets back: the group, without other occurrences' details."""

    id = StrictCharField(read_only=True)

    class Meta:
        model = ErrorLog
        fields = ["id", "fingerprint", "source", "level", "message", "count", "first_seen", "last_seen", "resolved"]
        read_only_fields = fields


class ErrorLogSerializer(serializers.ModelSerializer):
    """A group of identical errors, for staff; the example fields are a frontend group's first occurrence's,
    a backend group's latest's."""

    id = StrictCharField(read_only=True)
    user_id = serializers.SerializerMethodField(help_text="The example occurrence's signed-in user, if any.")
    resolved_by_id = serializers.SerializerMethodField()

    class Meta:
        model = ErrorLog
        fields = [
            "id",
            "fingerprint",
            "source",
            "level",
            "message",
            "stack",
            "url",
            "path",
            "user_agent",
            "context",
            "request_id",
            "user_id",
            "count",
            "first_seen",
            "last_seen",
            "resolved",
            "resolved_at",
            "resolved_by_id",
        ]
        read_only_fields = fields

    def get_user_id(self, error_log: ErrorLog) -> str | None:
        return None if error_log.user_id is None else str(error_log.user_id)

    def get_resolved_by_id(self, error_log: ErrorLog) -> str | None:
        return None if error_log.resolved_by_id is None else str(error_log.resolved_by_id)
