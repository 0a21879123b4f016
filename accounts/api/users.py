"""users/me: the signed-in user's own profile, onboarding and interests.

Input bodies are strict: a field the endpoint does not take (a typo, or a
read-only field such as `email`) is a 400 naming it, rather than being
silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import MeSerializer
from accounts.api.signed_in import signed_in
from accounts.models import User, UserInterest
from accounts.services.profile import (
    MAX_INTERESTS,
    SETTINGS_MAX_BYTES,
    SETTINGS_MAX_DEPTH,
    interests_normalise,
    interests_replace,
    profile_update,
    settings_validate,
    user_onboard,
)
from accounts.validators import username_validator, validate_timezone
from core.errors import Invalid
from core.net import client_ip
from core.schema import problems
from core.serializers import StrictCharField

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


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": (
            f"The frontend's preferences, replaced as a whole: a JSON object of at most "
            f"{SETTINGS_MAX_BYTES // 1024} KB, nested at most {SETTINGS_MAX_DEPTH} levels."
        ),
    }
)
class SettingsField(serializers.Field):
    def to_internal_value(self, data: Any) -> dict[str, Any]:
        return _field_errors("settings", settings_validate, data)

    def to_representation(self, value: Any) -> dict[str, Any]:
        return dict(value)


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
    settings = SettingsField(required=False)


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


def _me(request: Request, user: User) -> Response:
    return Response(MeSerializer(user, context={"request": request}).data)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Your own profile",
        responses={200: MeSerializer, **problems(401)},
    )
    def get(self, request: Request) -> Response:
        return _me(request, signed_in(request))

    @extend_schema(
        summary="Edit your profile",
        description=(
            "Changes only the fields sent. `settings` replaces the whole object. "
            "A taken username (ignoring case) is a 400 naming `username`; "
            "an unknown or read-only field is a 400 naming it."
        ),
        request=ProfileUpdateSerializer,
        responses={200: MeSerializer, **problems(400, 401)},
    )
    def patch(self, request: Request) -> Response:
        serializer = ProfileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = profile_update(user=signed_in(request), **serializer.validated_data)
        return _me(request, user)


class OnboardingView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Finish sign-up",
        description=(
            "Sets the username, time zone and optionally the display name and interests "
            "(which replace the current ones), marks the user onboarded and records the "
            "country of the client IP (the IP itself is never stored). May be repeated. "
            "409 if another user has the username."
        ),
        request=OnboardingSerializer,
        responses={200: MeSerializer, **problems(400, 401, 409)},
    )
    def post(self, request: Request) -> Response:
        serializer = OnboardingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_onboard(user=signed_in(request), ip=client_ip(request._request), **serializer.validated_data)
        return _me(request, user)


class InterestsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Your interests",
        responses={200: InterestsSerializer, **problems(401)},
    )
    def get(self, request: Request) -> Response:
        interests = (
            UserInterest.objects.filter(user=signed_in(request)).order_by("interest").values_list("interest", flat=True)
        )
        return Response({"interests": list(interests)})

    @extend_schema(
        summary="Replace your interests",
        description=(
            f"The list replaces the current set. Slugs are lower-cased and de-duplicated; "
            f"at most {MAX_INTERESTS}. The answer lists them alphabetically."
        ),
        request=InterestsSerializer,
        responses={200: InterestsSerializer, **problems(400, 401)},
    )
    def put(self, request: Request) -> Response:
        serializer = InterestsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        interests = interests_replace(user=signed_in(request), interests=serializer.validated_data["interests"])
        return Response({"interests": interests})


urlpatterns = [
    path("users/me", MeView.as_view(), name="users-me"),
    path("users/me/onboarding", OnboardingView.as_view(), name="users-me-onboarding"),
    path("users/me/interests", InterestsView.as_view(), name="users-me-interests"),
]
