"""The accounts API (CONTRACT.md, "Auth" and "Users"): auth/... and users/me/....

Tokens are simplejwt's (15-minute access, 30-day refresh, rotated on every
refresh and blacklisted after use), each naming its sign-in session
(``accounts.tokens``). A bearer token of the configured external identity
provider is accepted wherever ours is (see ``accounts.authentication``).
Neither viewset has objects to list or look up: every endpoint is an action.
"""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

from accounts import export
from accounts.activity import activity_record
from accounts.api.permissions import SIGNED_OUT, signed_in
from accounts.api.serializers import (
    AcceptedSerializer,
    AccountDeleteSerializer,
    AuthSessionSerializer,
    AuthVerifySerializer,
    InterestsSerializer,
    LoginSerializer,
    MeSerializer,
    OnboardingSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    ProfilePictureUploadSerializer,
    ProfileUpdateSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
)
from accounts.models import User, UserInterest
from accounts.services import account, auth, pictures, profile
from accounts.tokens import session_of
from core.errors import Invalid, NotAuthenticated
from core.images import InvalidImageError
from core.net import client_ip
from core.ratelimit import failures_limited
from core.schema import problems
from core.throttling import (
    AnonWriteThrottle,
    ExportThrottle,
    LoginThrottle,
    PasswordResetThrottle,
    RegisterThrottle,
)


def _session(request: Request, user: User, *, status_code: int) -> Response:
    tokens = auth.token_pair_issue(user=user)
    activity_record(request=request._request, user=user)  # signing in is activity
    body = AuthSessionSerializer({"user": user, **tokens}, context={"request": request}).data
    return Response(body, status=status_code)


def _is_auth_failure(exc: Exception) -> bool:
    return isinstance(exc, NotAuthenticated)


def _is_wrong_old(exc: Exception) -> bool:
    # A guess at the current password; a refused new password is not one.
    return isinstance(exc, Invalid) and "old_password" in exc.errors


def _is_wrong_password(exc: Exception) -> bool:
    return isinstance(exc, Invalid) and "password" in exc.errors


# Every guess at the signed-in user's password (changing it, deleting the account) spends one budget.
PASSWORD_GUESSES = "password_change_failures"


class _BodyOnDeleteSchema(AutoSchema):
    """Documents the body of a DELETE that reads one (DELETE users/me: the confirming password);
    drf-spectacular documents bodies of POST, PUT and PATCH only."""

    def _get_request_body(self, direction: str = "request") -> dict | None:
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


@extend_schema(tags=["auth"])
class AuthViewSet(viewsets.GenericViewSet):
    """auth/...: sign-up, sign-in, token rotation, sign-out and passwords. Signed in unless ``SIGNED_OUT``."""

    permission_classes = [IsAuthenticated]

    def get_authenticate_header(self, request: Request) -> str:
        # The same challenge as JWTAuthentication's, for the actions that have no authenticator.
        return super().get_authenticate_header(request) or 'Bearer realm="api"'

    @extend_schema(
        summary="Create an account",
        description="Email is stored in lower case; email and username are unique ignoring case. "
        "The password must pass the password rules (length, not common, not all digits, not like the username).",
        responses={201: AuthSessionSerializer, **problems(400, 429)},
        auth=[],
    )
    @action(
        detail=False,
        methods=["post"],
        serializer_class=RegisterSerializer,
        throttle_classes=[AnonWriteThrottle, RegisterThrottle],
        **SIGNED_OUT,
    )
    def register(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = auth.user_register(**serializer.validated_data, ip=client_ip(request._request))
        return _session(request, user, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Sign in with email and password",
        description="Unknown email, wrong password and a suspended account all get the same 401. "
        "After too many failed sign-ins for one email within a window (10 an hour by default), from whatever "
        "addresses, sign-in with that email is a 429 until the window ends, even with the right password.",
        responses={200: AuthSessionSerializer, **problems(400, 401, 429)},
        auth=[],
    )
    @action(
        detail=False,
        methods=["post"],
        serializer_class=LoginSerializer,
        throttle_classes=[AnonWriteThrottle, LoginThrottle],
        **SIGNED_OUT,
    )
    def login(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account = User.objects.normalize_email(serializer.validated_data["email"]).lower()
        with failures_limited(request._request, "login_failures", account, counts=_is_auth_failure):
            user = auth.user_login(**serializer.validated_data, request=request._request)
        return _session(request, user, status_code=status.HTTP_200_OK)

    @extend_schema(
        summary="Trade a refresh token for a new token pair",
        description="The refresh token rotates: the one sent is blacklisted and answers 401 from then on. "
        "Sending it again signs its session out (reuse detection): the newer refresh token and the "
        "session's access tokens stop working too.",
        responses={200: TokenPairSerializer, **problems(400, 401, 429)},
        auth=[],
    )
    @action(detail=False, methods=["post"], serializer_class=RefreshSerializer, **SIGNED_OUT)
    def refresh(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens = auth.token_refresh(refresh=serializer.validated_data["refresh"])
        # A refresh is the client coming back: activity of the token's user (only its id is needed;
        # the token was just issued, so it is read without verifying it again).
        user_id = RefreshToken(tokens["refresh"], verify=False)[jwt_settings.USER_ID_CLAIM]  # type: ignore[arg-type]
        activity_record(request=request._request, user=User(pk=user_id))
        return Response(TokenPairSerializer(tokens).data)

    @extend_schema(
        summary="Sign out: end the session of a refresh token",
        description="Any refresh token the session was ever given names it: the newest, one rotated away, "
        "one already signed out, even an expired one. The whole session ends: every refresh token rotation "
        "traded for it and every access token minted from them stop working; other sessions are untouched. "
        "Signing out again is a 204 too. The token must belong to the signed-in user (403 otherwise); "
        "one we did not sign (forged, garbled, or an access token) is a 400 naming `refresh`.",
        responses={204: OpenApiResponse(description="Signed out."), **problems(400, 401, 403)},
    )
    @action(detail=False, methods=["post"], serializer_class=RefreshSerializer)
    def logout(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        auth.token_revoke(user=signed_in(request), refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Check the bearer token and return its user",
        description="Accepts our access tokens and, when configured, the external identity provider's "
        "(whose first use creates the user).",
        request=None,
        responses={200: AuthVerifySerializer, **problems(401)},
    )
    @action(detail=False, methods=["post"], serializer_class=AuthVerifySerializer)
    def verify(self, request: Request) -> Response:
        return Response(self.get_serializer({"user": signed_in(request)}).data)

    @extend_schema(
        summary="Change the password",
        description="Signs every other session out: their refresh and access tokens stop working. "
        "This session (the bearer token's) stays signed in with the tokens it has. After too many wrong "
        "`old_password`s within a window (5 an hour by default), every attempt is a 429 until the window ends.",
        responses={204: OpenApiResponse(description="Password changed."), **problems(400, 401, 429)},
    )
    @action(detail=False, methods=["post"], url_path="password/change", serializer_class=PasswordChangeSerializer)
    def password_change(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = signed_in(request)
        with failures_limited(request._request, PASSWORD_GUESSES, f"user:{user.pk}", counts=_is_wrong_old):
            auth.password_change(
                user=user,
                old_password=data["old_password"],
                new_password=data["new_password"],
                session=session_of(request.auth) if isinstance(request.auth, Token) else None,
                keep_refresh=data.get("refresh"),
            )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Email a password reset link",
        description="Answers 202 whether or not an account has this email. The link is "
        "`{FRONTEND_URL}/reset-password?uid=...&token=...`; it works once.",
        responses={202: AcceptedSerializer, **problems(400, 429)},
        auth=[],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="password/reset",
        serializer_class=PasswordResetSerializer,
        throttle_classes=[AnonWriteThrottle, PasswordResetThrottle],
        **SIGNED_OUT,
    )
    def password_reset(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        auth.password_reset_request(email=serializer.validated_data["email"])
        body = {"detail": "If an account has this email, a reset link is on its way."}
        return Response(AcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Set a new password from a reset link",
        description="Every session of the user is signed out. The link stops working once used.",
        responses={204: OpenApiResponse(description="Password set."), **problems(400, 429)},
        auth=[],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="password/reset/confirm",
        serializer_class=PasswordResetConfirmSerializer,
        throttle_classes=[AnonWriteThrottle, PasswordResetThrottle],
        **SIGNED_OUT,
    )
    def password_reset_confirm(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        auth.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


_ROWS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
# The archive's top-level sections (accounts.export; each app registers its own in accounts.account_hooks).
EXPORT_SECTIONS = {
    "activity_sessions": "When you used PageShare: start, last request, request count, user agent (no IP data).",
    "following": "Users you follow: `user_id`, `username`, `created_at`.",
    "followers": "Users who follow you: `user_id`, `username`, `created_at`.",
    "mutes": "Users you muted: `user_id`, `username`, `created_at`.",
    "blocks": "Users you blocked: `user_id`, `username`, `created_at`.",
    "poll_votes": "Your votes: `poll_id`, `option_id`, `option_position`, `option_text`, `created_at`.",
    "posts": "Your posts: `id`, `content`, `tickers`, `sentiment`, `poll` (options with vote counts, "
    "`total_votes`, `expires_at`), `media` (`url`, `content_type`, `width`, `height`), `quoted_post_id`, "
    "`hidden` (by a moderator), `created_at`, `updated_at`.",
    "comments": "Your comments: `id`, `post_id`, `parent_id`, `content`, `hidden`, `created_at`, `updated_at`.",
    "post_likes": "Posts you liked: `post_id`, `created_at`.",
    "comment_likes": "Comments you liked: `comment_id`, `created_at`.",
    "reposts": "Posts you reposted: `post_id`, `created_at`.",
    "bookmarks": "Posts you bookmarked: `post_id`, `created_at`.",
    "watchlist": "Tickers on your watchlist: `symbol`, `created_at`.",
    "notification_preferences": "One row: your notification preferences, as `GET notifications/preferences` "
    "shows them (`types`, `email_digest`).",
    "reports": "Reports you filed: `id`, `target_type`, `target_id`, `reason`, `details`, `status`, "
    "`created_at`, `resolved_at`.",
}
EXPORT_SCHEMA = {
    "type": "object",
    "required": ["format", "version", "exported_at", "account", *EXPORT_SECTIONS],
    "properties": {
        "format": {"type": "string", "enum": [export.FORMAT]},
        "version": {"type": "integer", "enum": [export.VERSION]},
        "exported_at": {"type": "string", "format": "date-time"},
        "account": {
            "type": "object",
            "additionalProperties": True,
            "description": "Your account: `id`, `email`, `username`, `display_name`, `bio`, `profile_picture_url`, "
            "`timezone`, `country`, `settings`, `interests`, `onboarded`, `is_staff`, `external_identity`, "
            "`created_at`, `updated_at`, `last_active_at`.",
        },
        **{name: {**_ROWS, "description": description} for name, description in EXPORT_SECTIONS.items()},
    },
}


@extend_schema(tags=["users"])
class MeViewSet(viewsets.GenericViewSet):
    """users/me/...: the signed-in user's own profile, onboarding, interests and picture.

    One object, the caller, so every route is an action on the users collection
    (``users/{id}`` belongs to ``social``). Every write answers the profile as it
    now is (``MeSerializer``); the body each write reads is its action's serializer.
    """

    permission_classes = [IsAuthenticated]
    throttle_scope = ""  # a budget per action (core.throttling.UserWriteThrottle)
    schema = _BodyOnDeleteSchema()
    serializer_class = MeSerializer
    input_serializer_classes: dict[str, type[serializers.Serializer]] = {
        "me_update": ProfileUpdateSerializer,
        "me_delete": AccountDeleteSerializer,
        "onboarding": OnboardingSerializer,
        "interests_replace": InterestsSerializer,
        "profile_picture_set": ProfilePictureUploadSerializer,
    }

    def get_object(self) -> User:
        return signed_in(self.request)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return self.input_serializer_classes.get(self.action or "", self.serializer_class)

    def _me(self, user: User) -> Response:
        return Response(MeSerializer(user, context=self.get_serializer_context()).data)

    def _input(self) -> dict[str, Any]:
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary="Your own profile",
        description="Your public profile plus what only you see: email, time zone, country, settings, "
        "whether onboarding is done, and whether you are staff.",
        responses={200: MeSerializer, **problems(401)},
    )
    @action(detail=False, methods=["get"], url_path="me", url_name="me")
    def me(self, request: Request) -> Response:
        return self._me(self.get_object())

    @extend_schema(
        summary="Download your data",
        description=(
            "A JSON archive of your account, sent as a download "
            '(`Content-Disposition: attachment; filename="pageshare-export-<username>-<date>.json"`) and '
            "streamed as it is read, whatever the account's size. It holds your profile, settings, interests and "
            "email; your activity sessions (no IP data); who you follow and who follows you; your mutes and blocks; "
            "your posts (with tickers, sentiment, poll and its counts, media URLs, quoted post id) and comments, "
            "including those a moderator hid; your likes of posts and comments, reposts, bookmarks and watchlist; "
            "your poll votes; and the reports you filed (not reports about you). Posts and comments you deleted are "
            "left out: they are on their way to being purged. Ids are strings and times ISO 8601 in UTC, as "
            "everywhere in the API. Limited per user (5 an hour by default): 429 beyond."
        ),
        responses={
            200: OpenApiResponse(response=EXPORT_SCHEMA, description="The archive."),
            **problems(401, 429),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="me/export",
        url_name="me-export",
        throttle_classes=[ExportThrottle],
    )
    def data_export(self, request: Request) -> StreamingHttpResponse:
        user = self.get_object()
        response = StreamingHttpResponse(export.archive_chunks(user), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{export.archive_filename(user)}"'
        return response

    @extend_schema(
        summary="Edit your profile",
        description=(
            "Changes only the fields sent. `settings` replaces the whole object. "
            "A taken username (ignoring case) is a 400 naming `username`; "
            "an unknown or read-only field is a 400 naming it."
        ),
        responses={200: MeSerializer, **problems(400, 401)},
    )
    @me.mapping.patch
    def me_update(self, request: Request) -> Response:
        return self._me(profile.profile_update(user=self.get_object(), **self._input()))

    @extend_schema(
        summary="Delete your account",
        description=(
            "Confirmed with your current password: a wrong or missing one is a 400 naming `password` "
            "(and counts against the same budget of wrong guesses as `auth/password/change`: 429 once spent). "
            "The account is anonymised and deactivated at once: email, username, names, bio, picture, "
            "settings, interests and the link to an external identity are erased; every session is signed out "
            "and no token of it works any more; the email and username are free for new accounts. "
            "Your posts and comments are deleted (they answer 404 and leave every list and count, and are "
            "purged for good later); replies others wrote to your comments stay, and quotes of your posts "
            "show `quoted_post: null`. Your likes, reposts, bookmarks, watchlist, uploaded images (deleted "
            "from storage), follows (both ways; the other users' counts go down), mutes and blocks are removed. "
            "Poll votes stay in the totals, tied to no profile; reports you made stay with the moderators. "
            "An account made by the external identity provider has no password here and cannot be deleted this way."
        ),
        responses={204: OpenApiResponse(description="Deleted."), **problems(400, 401, 429)},
    )
    @me.mapping.delete
    def me_delete(self, request: Request) -> Response:
        user = self.get_object()
        password = self._input()["password"]
        with failures_limited(request._request, PASSWORD_GUESSES, f"user:{user.pk}", counts=_is_wrong_password):
            account.account_delete(user=user, password=password)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Finish sign-up",
        description=(
            "Sets the username, time zone and optionally the display name and interests "
            "(which replace the current ones), marks the user onboarded and records the "
            "country of the client IP (the IP itself is never stored). May be repeated. "
            "409 if another user has the username."
        ),
        responses={200: MeSerializer, **problems(400, 401, 409)},
    )
    @action(detail=False, methods=["post"], url_path="me/onboarding", url_name="me-onboarding")
    def onboarding(self, request: Request) -> Response:
        return self._me(profile.user_onboard(user=self.get_object(), ip=client_ip(request._request), **self._input()))

    @extend_schema(
        summary="Your interests",
        description="The topic slugs you follow, alphabetically; private to you.",
        responses={200: InterestsSerializer, **problems(401)},
    )
    @action(detail=False, methods=["get"], url_path="me/interests", url_name="me-interests")
    def interests(self, request: Request) -> Response:
        interests = (
            UserInterest.objects.filter(user=self.get_object()).order_by("interest").values_list("interest", flat=True)
        )
        return Response(InterestsSerializer({"interests": interests}).data)

    @extend_schema(
        summary="Replace your interests",
        description=(
            f"The list replaces the current set. Slugs are lower-cased and de-duplicated; "
            f"at most {profile.MAX_INTERESTS}. The answer lists them alphabetically."
        ),
        responses={200: InterestsSerializer, **problems(400, 401)},
    )
    @interests.mapping.put
    def interests_replace(self, request: Request) -> Response:
        interests = profile.interests_replace(user=self.get_object(), interests=self._input()["interests"])
        return Response(InterestsSerializer({"interests": interests}).data)

    @extend_schema(
        summary="Set my profile picture",
        description=(
            "Replaces the picture; the previous file is deleted from storage. Every upload gets a new URL. "
            "A file that is not a JPEG, PNG or WebP image, is larger than 5 MB, has too many pixels, "
            "is animated or is corrupt is a 400 naming `file`."
        ),
        responses={200: MeSerializer, **problems(400, 401, 415, 429)},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="me/profile-picture",
        url_name="me-profile-picture",
        parser_classes=[MultiPartParser],
        throttle_scope="profile_picture",
    )
    def profile_picture_set(self, request: Request) -> Response:
        upload = self._input()["file"]
        try:
            user = pictures.profile_picture_set(user=self.get_object(), upload=upload)
        except InvalidImageError as exc:
            raise serializers.ValidationError({"file": [exc.message]}, code=exc.code) from exc
        return self._me(user)

    @extend_schema(
        summary="Remove my profile picture",
        description="Idempotent: 204 whether or not there was a picture.",
        request=None,
        responses={204: OpenApiResponse(description="Removed."), **problems(401, 429)},
    )
    @profile_picture_set.mapping.delete
    def profile_picture_delete(self, request: Request) -> Response:
        pictures.profile_picture_delete(user=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
