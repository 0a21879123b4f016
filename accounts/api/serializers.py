"""How users are shown: the author summary, the public profile and the owner's own view.

Viewer flags (`viewer{following, followed_by, muted, blocked, blocked_by}`) belong to the
social graph, which sits above this app; whoever renders a page of users puts
a ``relationships`` mapping ``{user_id: {...flags}}`` in the serializer context
(``social.querysets.relationships_for``). Without one every flag is false,
which is the right answer for anonymous viewers and for oneself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.models import User
from core.schema import refuses_unknown_fields
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
        fields = [*AuthorSerializer.Meta.fields, "bio", "created_at", "stats", "viewer"]
        read_only_fields = fields

    @extend_schema_field(RelationshipSerializer)
    def get_viewer(self, user: User) -> dict[str, bool]:
        relationships = self.context.get("relationships") or {}
        return dict(relationships.get(user.pk, NO_RELATIONSHIP))


THEMES = ("system", "light", "dark")
FEEDS = ("all", "following")
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$"
# What a setting reads as until the user picks one. Only what the user sent is stored, so
# changing a default here changes it for everyone who never chose.
SETTINGS_DEFAULTS = {"theme": "system", "language": "en", "default_feed": "all"}


@refuses_unknown_fields
@extend_schema_serializer(component_name="UserSettings")
class UserSettingsInputSerializer(serializers.Serializer):
    """The preferences sent to ``PATCH users/me``: any of the known keys; an unknown one is a 400 naming it."""

    theme = serializers.ChoiceField(choices=THEMES, required=False, help_text="The colour scheme.")
    language = StrictCharField(
        max_length=35,
        required=False,
        validators=[RegexValidator(LANGUAGE_PATTERN, "A BCP 47 language tag, such as `en` or `pt-BR`.")],
        help_text="The interface language, a BCP 47 tag (`en`, `pt-BR`).",
    )
    default_feed = serializers.ChoiceField(
        choices=FEEDS, required=False, help_text="The `scope` of the feed the app opens on."
    )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(["Must be a JSON object."])
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown setting."] for name in unknown})
        return dict(super().to_internal_value(data))


@extend_schema_serializer(component_name="UserSettings")
class UserSettingsSerializer(serializers.Serializer):
    """The user's preferences: every known key, with its default when the user never set it."""

    theme = serializers.ChoiceField(choices=THEMES, read_only=True, help_text="The colour scheme.")
    language = serializers.CharField(read_only=True, help_text="The interface language, a BCP 47 tag.")
    default_feed = serializers.ChoiceField(
        choices=FEEDS, read_only=True, help_text="The `scope` of the feed the app opens on."
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # What is stored went through UserSettingsInputSerializer, except rows written before it
        # (or by hand): a value that is not valid now reads as the default.
        stored = instance if isinstance(instance, Mapping) else {}
        checked = UserSettingsInputSerializer()
        values = {}
        for name, default in SETTINGS_DEFAULTS.items():
            try:
                values[name] = checked.fields[name].run_validation(stored[name]) if name in stored else default
            except serializers.ValidationError:
                values[name] = default
        return values


class MeSerializer(PublicUserSerializer):
    """The signed-in user's own view of themselves."""

    country = serializers.SerializerMethodField()
    settings = UserSettingsSerializer(read_only=True)

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

    @extend_schema_field(
        {
            "type": "string",
            "pattern": "^[A-Z]{2}$",
            "nullable": True,
            "description": "ISO 3166-1 alpha-2 code of the country signed up (or onboarded) from; null when unknown.",
        }
    )
    def get_country(self, user: User) -> str | None:
        return user.country or None
