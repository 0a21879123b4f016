"""Notification groups as the API shows them, and what marking read and the preferences read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer, StrictSerializer
from content.api.serializers.comments import CommentSerializer
from content.api.serializers.posts import PostSerializer
from core.schema import refuses_unknown_fields
from core.serializers import IdField, StrictCharField
from notifications.models import DigestFrequency, NotificationGroup, NotificationType

MAX_READ_IDS = 100


@extend_schema_serializer(component_name="NotificationGroup")
class NotificationGroupSerializer(serializers.ModelSerializer):
    """The contract's notification group. Built by ``notifications.api.rendering`` (never per row queries)."""

    id = StrictCharField(read_only=True)
    type = serializers.ChoiceField(choices=NotificationType.choices, read_only=True)
    group_key = serializers.CharField(
        read_only=True,
        help_text="What the acts share: `<type>:post:<id>`, `<type>:comment:<id>`, or `follow:<UTC date>`.",
    )
    count = serializers.IntegerField(read_only=True, help_text="Acts in the group.")
    accounts = PublicUserSerializer(
        source="shown_accounts", many=True, read_only=True, help_text="Up to 5 users, newest act first."
    )
    post = PostSerializer(
        source="shown_post", read_only=True, allow_null=True, help_text="The post it is about, or null (follows)."
    )
    comment = CommentSerializer(
        source="shown_comment",
        read_only=True,
        allow_null=True,
        help_text="The comment it is about (a reply to it, a like of it, a mention in it), or null.",
    )
    latest_at = serializers.DateTimeField(read_only=True, help_text="When the newest act happened.")
    read = serializers.BooleanField(read_only=True, help_text="False again whenever a new act joins the group.")

    class Meta:
        model = NotificationGroup
        fields = ["id", "type", "group_key", "count", "accounts", "post", "comment", "latest_at", "read"]
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Groups with unread acts (those the list would show).")


@refuses_unknown_fields
class MarkReadSerializer(StrictSerializer):
    up_to_id = IdField(required=False, help_text="This group and every group listed after it (older) become read.")
    ids = serializers.ListField(
        child=IdField(), required=False, max_length=MAX_READ_IDS, help_text=f"These groups (at most {MAX_READ_IDS})."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "up_to_id" in attrs and "ids" in attrs:
            raise serializers.ValidationError({"ids": ["Send either ids or up_to_id, not both."]})
        return attrs


class ChannelsSerializer(StrictSerializer):
    in_app = serializers.BooleanField(required=False, help_text="Listed and counted in the app (default true).")
    email = serializers.BooleanField(required=False, help_text="Included in the email digest (default false).")


class TypesSerializer(StrictSerializer):
    """One entry per notification type."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {kind: ChannelsSerializer(required=False) for kind in NotificationType.values}


@extend_schema_serializer(component_name="NotificationPreferences")
class PreferencesSerializer(serializers.Serializer):
    types = TypesSerializer(help_text="Every type with both channels.")
    email_digest = serializers.ChoiceField(
        choices=DigestFrequency.choices, help_text="How often unread notifications are emailed (default off)."
    )


@refuses_unknown_fields
class PreferencesUpdateSerializer(StrictSerializer):
    types = TypesSerializer(required=False, help_text="Only the types and channels that change.")
    email_digest = serializers.ChoiceField(choices=DigestFrequency.choices, required=False)
