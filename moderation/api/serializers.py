"""POST reports: what a user sends, and the report they get back."""

from __future__ import annotations

from rest_framework import serializers

from core.serializers import IdField, ModelSerializer, StrictCharField
from moderation.models import Reason, Report, TargetType


class ReportCreateSerializer(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=TargetType.choices)
    target_id = IdField(help_text="The id of the post, comment or user (a JSON string; a number is accepted too).")
    reason = serializers.ChoiceField(choices=Reason.choices)
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
    id = StrictCharField(read_only=True)
    target_id = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "target_type", "target_id", "reason", "details", "status", "created_at"]
        read_only_fields = fields

    def get_target_id(self, report: Report) -> str:
        return str(report.post_id or report.comment_id or report.user_id)
