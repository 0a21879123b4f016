"""POST reports: what a user sends, and the report they get back."""

from __future__ import annotations

from rest_framework import serializers

from core.serializers import IdField, ModelSerializer, StrictCharField
from moderation.models import Reason, Report, TargetType


class ReportCreateSerializer(serializers.Serializer):
    """What a user reports, and why."""

    target_type = serializers.ChoiceField(choices=TargetType.choices, help_text="What is reported.")
    target_id = IdField(help_text="The id of the post, comment or user (a JSON string; a number is accepted too).")
    reason = serializers.ChoiceField(choices=Reason.choices, help_text="Why it is reported.")
    details = StrictCharField(
        max_length=Report._meta.get_field("details").max_length,
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        help_text="What the moderators should know; at most 1000 characters.",
    )

    def validate_details(self, value: str | None) -> str:
        return value or ""


class ReportSerializer(ModelSerializer):
    """A report as its reporter sees it."""

    id = StrictCharField(read_only=True)
    target_id = serializers.SerializerMethodField(help_text="The id of the reported post, comment or user.")

    class Meta:
        model = Report
        fields = ["id", "target_type", "target_id", "reason", "details", "status", "created_at"]
        read_only_fields = fields
        extra_kwargs = {
            "status": {"help_text": "`open` until a moderator resolves (acts on) or dismisses the report."},
            "details": {"help_text": "What the reporter told the moderators."},
        }

    def get_target_id(self, report: Report) -> str:
        return str(report.post_id or report.comment_id or report.user_id)
