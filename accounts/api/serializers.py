"""How users are shown: the author summary, the public profile and the owner's own view.

Viewer flags (`viewer{following, followed_by, muted, blocked, blocked_by}`) belong to the
social graph, which sits above this app; whoever renders a page of users puts
a ``relationships`` mapping ``{user_id: {...flags}}`` in the serializer context
(``social.querysets.relationships_for``). Without one every flag is false,
which is the right answer for anonymous viewers and for oneself.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from core.serializers import ModelSerializer, StrictCharField

NO_RELATIONSHIP = {"following": False, "followed_by": False, "muted": False, "blocked": False, "blocked_by": False}


def profile_picture_url(user: User, request: Any) -> str | None:
    if not user.profile_picture:
        return None
    url = user.profile_picture.url
    return request.build_absolute_uri(url) if request is not None else url


class UserStatsSerializer(serializers.Serializer):
    followers = serializers.IntegerField(source="followers_count")
    following = serializers.IntegerField(source="following_count")
    posts = serializers.IntegerField(source="posts_count")


class RelationshipSerializer(serializers.Serializer):
    following = serializers.BooleanField(help_text="The viewer follows this user.")
    followed_by = serializers.BooleanField(help_text="This user follows the viewer.")
    muted = serializers.BooleanField(help_text="The viewer muted this user.")
    blocked = serializers.BooleanField(help_text="The viewer blocked this user.")
    blocked_by = serializers.BooleanField(help_text="This user blocked the viewer.")


class AuthorSerializer(ModelSerializer):
    """The short form of a user shown on posts and comments."""

    id = StrictCharField(read_only=True)
    profile_picture_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "profile_picture_url"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_profile_picture_url(self, user: User) -> str | None:
        return profile_picture_url(user, self.context.get("request"))


class PublicUserSerializer(AuthorSerializer):
    """A user as anyone may see them."""

    stats = UserStatsSerializer(source="*", read_only=True)
    viewer = serializers.SerializerMethodField()

    class Meta(AuthorSerializer.Meta):
        fields = [*AuthorSerializer.Meta.fields, "bio", "created_at", "updated_at", "stats", "viewer"]
        read_only_fields = fields

    @extend_schema_field(RelationshipSerializer)
    def get_viewer(self, user: User) -> dict[str, bool]:
        relationships = self.context.get("relationships") or {}
        return dict(relationships.get(user.pk, NO_RELATIONSHIP))


class MeSerializer(PublicUserSerializer):
    """The signed-in user's own view of themselves."""

    class Meta(PublicUserSerializer.Meta):
        fields = [
            *PublicUserSerializer.Meta.fields,
            "email",
            "timezone",
            "country",
            "settings",
            "onboarded",
            "is_staff",
        ]
        read_only_fields = fields

    def to_representation(self, instance: User) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["country"] = data["country"] or None
        return data
