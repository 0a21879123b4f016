"""Auth endpoints: sign-up, sign-in, token rotation, sign-out and passwords (CONTRACT.md, "Auth").

Tokens are simplejwt's (15-minute access, 30-day refresh, rotated on every
refresh and blacklisted after use), each naming its sign-in session
(``accounts.tokens``). A bearer token of the configured external identity
provider is accepted wherever ours is (see ``accounts.authentication``).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

from accounts.activity import activity_record
from accounts.api.serializers import MeSerializer
from accounts.models import User
from accounts.services import auth as services
from accounts.tokens import session_of
from accounts.validators import username_validator
from core.net import client_ip
from core.schema import problems
from core.serializers import StrictCharField, StrictEmailField
from core.throttling import (
    AnonWriteThrottle,
    LoginThrottle,
    PasswordResetThrottle,
    RegisterThrottle,
    failures_limited,
)

TAGS = ["auth"]


def _password_field(**kwargs: object) -> StrictCharField:
    # Never trimmed: leading and trailing spaces are part of a password.
    return StrictCharField(
        write_only=True,
        trim_whitespace=False,
        max_length=128,
        style={"input_type": "password"},
        **kwargs,  # type: ignore[arg-type]
    )


# Input.


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


# Output.


class TokenPairSerializer(serializers.Serializer):
    access = StrictCharField(help_text="Bearer token for `Authorization: Bearer ...`; short-lived.")
    refresh = StrictCharField(help_text="Trade it at auth/refresh for a new pair; works once.")


class AuthSessionSerializer(TokenPairSerializer):
    user = MeSerializer()


class AuthVerifySerializer(serializers.Serializer):
    user = MeSerializer()


class AcceptedSerializer(serializers.Serializer):
    detail = StrictCharField()


def _session(request: Request, user: User, *, status_code: int) -> Response:
    tokens = services.token_pair_issue(user=user)
    activity_record(request=request._request, user=user)  # signing in is activity
    body = AuthSessionSerializer({"user": user, **tokens}, context={"request": request}).data
    return Response(body, status=status_code)


def _is_auth_failure(exc: Exception) -> bool:
    return isinstance(exc, AuthenticationFailed)


def _is_wrong_old(exc: Exception) -> bool:
    # A guess at the current password; a refused new password is not one.
    detail = exc.detail if isinstance(exc, serializers.ValidationError) else None
    return isinstance(detail, dict) and "old_password" in detail


# Views.


class AnonymousAPIView(APIView):
    """An endpoint for the signed-out: a stale bearer header is ignored rather than refused."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_authenticate_header(self, request: Request) -> str:
        # Without an authenticator DRF would turn our 401s into 403s.
        return 'Bearer realm="api"'


class RegisterView(AnonymousAPIView):
    throttle_classes = [AnonWriteThrottle, RegisterThrottle]

    @extend_schema(
        tags=TAGS,
        summary="Create an account",
        description="Email is stored in lower case; email and username are unique ignoring case. "
        "The password must pass the password rules (length, not common, not all digits, not like the username).",
        request=RegisterSerializer,
        responses={201: AuthSessionSerializer, **problems(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data, ip=client_ip(request._request))
        return _session(request, user, status_code=status.HTTP_201_CREATED)


class LoginView(AnonymousAPIView):
    throttle_classes = [AnonWriteThrottle, LoginThrottle]

    @extend_schema(
        tags=TAGS,
        summary="Sign in with email and password",
        description="Unknown email, wrong password and a suspended account all get the same 401. "
        "After too many failed sign-ins for one email within a window (10 an hour by default), from whatever "
        "addresses, sign-in with that email is a 429 until the window ends, even with the right password.",
        request=LoginSerializer,
        responses={200: AuthSessionSerializer, **problems(400, 401, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account = User.objects.normalize_email(serializer.validated_data["email"]).lower()
        with failures_limited(request, "login_failures", account, counts=_is_auth_failure):
            user = services.user_login(**serializer.validated_data, request=request._request)
        return _session(request, user, status_code=status.HTTP_200_OK)


class RefreshView(AnonymousAPIView):
    @extend_schema(
        tags=TAGS,
        summary="Trade a refresh token for a new token pair",
        description="The refresh token rotates: the one sent is blacklisted and answers 401 from then on. "
        "Sending it again signs its session out (reuse detection): the newer refresh token and the "
        "session's access tokens stop working too.",
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, **problems(400, 401, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens = services.token_refresh(refresh=serializer.validated_data["refresh"])
        # A refresh is the client coming back: activity of the token's user (only its id is needed;
        # the token was just issued, so it is read without verifying it again).
        user_id = RefreshToken(tokens["refresh"], verify=False)[jwt_settings.USER_ID_CLAIM]  # type: ignore[arg-type]
        activity_record(request=request._request, user=User(pk=user_id))
        return Response(TokenPairSerializer(tokens).data)


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Sign out: end the session of a refresh token",
        description="Any refresh token the session was ever given names it: the newest, one rotated away, "
        "one already signed out, even an expired one. The whole session ends: every refresh token rotation "
        "traded for it and every access token minted from them stop working; other sessions are untouched. "
        "Signing out again is a 204 too. The token must belong to the signed-in user (403 otherwise); "
        "one we did not sign (forged, garbled, or an access token) is a 400 naming `refresh`.",
        request=RefreshSerializer,
        responses={204: OpenApiResponse(description="Signed out."), **problems(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assert isinstance(request.user, User)  # IsAuthenticated
        services.token_revoke(user=request.user, refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Check the bearer token and return its user",
        description="Accepts our access tokens and, when configured, the external identity provider's "
        "(whose first use creates the user).",
        request=None,
        responses={200: AuthVerifySerializer, **problems(401)},
    )
    def post(self, request: Request) -> Response:
        return Response(AuthVerifySerializer({"user": request.user}, context={"request": request}).data)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Change the password",
        description="Signs every other session out: their refresh and access tokens stop working. "
        "This session (the bearer token's) stays signed in with the tokens it has. After too many wrong "
        "`old_password`s within a window (5 an hour by default), every attempt is a 429 until the window ends.",
        request=PasswordChangeSerializer,
        responses={204: OpenApiResponse(description="Password changed."), **problems(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assert isinstance(request.user, User)  # IsAuthenticated
        with failures_limited(request, "password_change_failures", f"user:{request.user.pk}", counts=_is_wrong_old):
            services.password_change(
                user=request.user,
                old_password=data["old_password"],
                new_password=data["new_password"],
                session=session_of(request.auth) if isinstance(request.auth, Token) else None,
                keep_refresh=data.get("refresh"),
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(AnonymousAPIView):
    throttle_classes = [AnonWriteThrottle, PasswordResetThrottle]

    @extend_schema(
        tags=TAGS,
        summary="Email a password reset link",
        description="Answers 202 whether or not an account has this email. The link is "
        "`{FRONTEND_URL}/reset-password?uid=...&token=...`; it works once.",
        request=PasswordResetSerializer,
        responses={202: AcceptedSerializer, **problems(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(email=serializer.validated_data["email"])
        body = {"detail": "If an account has this email, a reset link is on its way."}
        return Response(AcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(AnonymousAPIView):
    throttle_classes = [AnonWriteThrottle, PasswordResetThrottle]

    @extend_schema(
        tags=TAGS,
        summary="Set a new password from a reset link",
        description="Every session of the user is signed out. The link stops working once used.",
        request=PasswordResetConfirmSerializer,
        responses={204: OpenApiResponse(description="Password set."), **problems(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("auth/register", RegisterView.as_view(), name="auth-register"),
    path("auth/login", LoginView.as_view(), name="auth-login"),
    path("auth/refresh", RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout", LogoutView.as_view(), name="auth-logout"),
    path("auth/verify", VerifyView.as_view(), name="auth-verify"),
    path("auth/password/change", PasswordChangeView.as_view(), name="auth-password-change"),
    path("auth/password/reset", PasswordResetView.as_view(), name="auth-password-reset"),
    path("auth/password/reset/confirm", PasswordResetConfirmView.as_view(), name="auth-password-reset-confirm"),
]
