"""How users are shown: the author summary, the public profile and the owner's own view.

Viewer flags (`viewer{following, followed_by, muted, blocked, blocked_by}`) belong to the
social graph, which sits above this app; whoever renders a page of users puts
a ``relationships`` mapping ``{user_id: {...flags}}`` in the serializer context
(``social.querysets.relationships_for``). Without one every flag is false,
which is the right answer for anonymous viewers and for oneself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.models import User
from accounts.services.profile import MAX_INTERESTS, interests_normalise
from accounts.validators import username_validator, validate_timezone
from core.errors import Invalid
from core.schema import refuses_unknown_fields
from core.serializers import ModelSerializer, StrictCharField, StrictEmailField
from core.stats import wilson_lower_bound

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


class TrackRecordSummarySerializer(serializers.Serializer):
    """The short form of a user's track record: all their calls, at the 1m horizon (21 trading days)."""

    calls = serializers.IntegerField(source="calls_count", help_text="Calls that are not void.")
    scored = serializers.IntegerField(source="calls_scored", help_text="Calls scored at 1m.")
    hits = serializers.IntegerField(source="calls_hits", help_text="Calls that went the called way at 1m.")
    hit_rate = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()

    @extend_schema_field({"type": "number", "nullable": True, "description": "hits / scored; null before any."})
    def get_hit_rate(self, user: User) -> float | None:
        return user.calls_hits / user.calls_scored if user.calls_scored else None

    @extend_schema_field(
        {
            "type": "number",
            "nullable": True,
            "description": "The Wilson lower bound (95%) of the hit rate, as on the leaderboard; null before any.",
        }
    )
    def get_score(self, user: User) -> float | None:
        return wilson_lower_bound(user.calls_hits, user.calls_scored)


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
    track_record = TrackRecordSummarySerializer(
        source="*",
        read_only=True,
        help_text='How the user\'s calls turned out at 1m (README "Calls"); `users/{id}/track-record` has '
        "every horizon.",
    )
    viewer = serializers.SerializerMethodField()

    class Meta(AuthorSerializer.Meta):
        fields = [*AuthorSerializer.Meta.fields, "bio", "created_at", "updated_at", "stats", "track_record", "viewer"]
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


# Bodies of auth/...: tokens are simplejwt's, each naming its sign-in session (``accounts.tokens``).


def _password_field(**kwargs: object) -> StrictCharField:
    # Never trimmed: leading and trailing spaces are part of a password.
    return StrictCharField(
        write_only=True,
        trim_whitespace=False,
        max_length=128,
        style={"input_type": "password"},
        **kwargs,  # type: ignore[arg-type]
    )


class RegisterSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)
    username = StrictCharField(min_length=3, max_length=30, validators=[username_validator])
    password = _password_field()
    display_name = StrictCharField(max_length=50, required=False, allow_blank=True, default="")


class LoginSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)
    password = _password_field()


class RefreshSerializer(serializers.Serializer):
    refresh = StrictCharField(help_text="A refresh token from register, login or a previous refresh.")


class PasswordChangeSerializer(serializers.Serializer):
    old_password = _password_field()
    new_password = _password_field()
    refresh = StrictCharField(
        required=False,
        help_text="This session's refresh token (optional: the bearer token names the session). "
        "This session stays signed in; every other one is signed out.",
    )


class PasswordResetSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = StrictCharField(max_length=64, help_text="The `uid` query parameter of the emailed link.")
    token = StrictCharField(max_length=128, help_text="The `token` query parameter of the emailed link.")
    new_password = _password_field()


class TokenPairSerializer(serializers.Serializer):
    access = StrictCharField(help_text="Bearer token for `Authorization: Bearer ...`; short-lived.")
    refresh = StrictCharField(help_text="Trade it at auth/refresh for a new pair; works once.")


class AuthSessionSerializer(TokenPairSerializer):
    user = MeSerializer()


class AuthVerifySerializer(serializers.Serializer):
    user = MeSerializer()


class AcceptedSerializer(serializers.Serializer):
    detail = StrictCharField()


# Bodies of users/me/...: strict, so a field the endpoint does not take (a typo, or a
# read-only field such as `email`) is a 400 naming it rather than silently dropped.

T = TypeVar("T")


def _field_errors(field: str, check: Callable[[Any], T], value: Any) -> T:
    """Runs a service-level check, re-raising its ``{field: [...]}`` error as this field's own."""
    try:
        return check(value)
    except Invalid as exc:
        raise serializers.ValidationError(exc.errors[field]) from None


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,39}$"},
        "maxItems": MAX_INTERESTS,
        "description": f"Topic slugs; lower-cased and de-duplicated, at most {MAX_INTERESTS}.",
    }
)
class InterestsField(serializers.Field):
    def to_internal_value(self, data: Any) -> list[str]:
        return _field_errors("interests", interests_normalise, data)

    def to_representation(self, value: Any) -> list[str]:
        return list(value)


@refuses_unknown_fields
class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare, naming each one."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown or read-only field."] for name in unknown})
        return super().to_internal_value(data)


class ProfileUpdateSerializer(StrictSerializer):
    """The fields of your profile you may change; send only those that change."""

    display_name = StrictCharField(max_length=50, allow_blank=True, required=False)
    bio = StrictCharField(max_length=300, allow_blank=True, required=False)
    username = StrictCharField(
        max_length=30,
        required=False,
        validators=[username_validator],
        help_text="3-30 letters, digits and underscores; unique ignoring case.",
    )
    timezone = StrictCharField(
        max_length=64, required=False, validators=[validate_timezone], help_text="An IANA time zone name."
    )
    settings = UserSettingsInputSerializer(
        required=False, help_text="Replaces the stored preferences; a key left out reads as its default."
    )


class OnboardingSerializer(StrictSerializer):
    """What sign-up asks for after the account exists."""

    username = StrictCharField(
        max_length=30,
        validators=[username_validator],
        help_text="3-30 letters, digits and underscores; unique ignoring case.",
    )
    timezone = StrictCharField(max_length=64, validators=[validate_timezone], help_text="An IANA time zone name.")
    display_name = StrictCharField(max_length=50, allow_blank=True, required=False)
    interests = InterestsField(required=False, help_text="Replaces the current interests when given.")


class InterestsSerializer(StrictSerializer):
    """Your interests, as topic slugs."""

    interests = InterestsField()


class ProfilePictureUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            "A JPEG, PNG or WebP image of at most 5 MB (the format is read from the bytes). "
            "It is centre-cropped to a square of at most 512 px and re-encoded without metadata."
        ),
    )


class AccountDeleteSerializer(StrictSerializer):
    password = _password_field(help_text="Your current password, confirming the deletion.")
