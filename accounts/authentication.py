"""Bearer-token authentication: our own simplejwt tokens, and optionally an external provider's.

Our access tokens are tried first (a local HMAC check). When that fails and an
external identity provider is configured (``EXTERNAL_JWT_SECRET`` for HS256, or
``EXTERNAL_JWT_JWKS_URL`` for RS256/ES256 keys), the token is verified with
PyJWT against that provider: signature, ``exp``, and ``aud``/``iss`` when
``EXTERNAL_JWT_AUDIENCE``/``EXTERNAL_JWT_ISSUER`` are set. Its ``sub`` names the
user (``User.external_subject``), who is created on first sight.

Our access tokens also die with their session (``accounts.tokens``: signed out,
or its refresh token reused) and with the password they were minted under
(simplejwt's ``CHECK_REVOKE_TOKEN``), at no query beyond loading the user.

Every failure is a 401 problem with a one-line ``detail``; none is a 500.
Every success marks the user active (``accounts.activity``: at most one write
per user and 5 minutes; never fails the request).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, cast

import jwt
from django.conf import settings
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed as SimpleJWTAuthenticationFailed
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token

from accounts.activity import activity_record
from accounts.models import User
from accounts.services.auth import external_user_get_or_create
from accounts.tokens import SessionEndedError, session_of, session_stamp
from core.errors import DomainError

logger = logging.getLogger(__name__)

# The provider's key set is fetched at most every JWKS_LIFESPAN seconds per
# process; a slow provider must not hold a request (and a worker) for long.
JWKS_TIMEOUT_SECONDS = 3.0
JWKS_LIFESPAN_SECONDS = 300
EXTERNAL_ALGORITHMS_JWKS = ["RS256", "ES256"]
EXTERNAL_ALGORITHMS_SECRET = ["HS256"]
# The provider's clock is not ours: tolerate this much skew on exp, nbf and iat.
EXTERNAL_LEEWAY_SECONDS = 30
INVALID_TOKEN = "Token is invalid or expired."


class ExternalTokenError(Exception):
    """The token is not a valid token of the external identity provider."""


def user_can_sign_in(user: User) -> bool:
    """Only users in good standing (``User.in_good_standing``): not deactivated, not suspended."""
    return user.in_good_standing


def external_jwt_enabled() -> bool:
    return bool(settings.EXTERNAL_JWT_SECRET or settings.EXTERNAL_JWT_JWKS_URL)


@lru_cache(maxsize=4)
def jwks_client(url: str) -> jwt.PyJWKClient:
    """One client per JWKS URL and process, so the key set is cached between requests."""
    return jwt.PyJWKClient(
        url,
        cache_jwk_set=True,
        lifespan=JWKS_LIFESPAN_SECONDS,
        timeout=JWKS_TIMEOUT_SECONDS,
    )


def decode_external_token(raw_token: str) -> dict[str, Any]:
    """The verified claims of an external provider's token; raises ``ExternalTokenError``."""
    audience = settings.EXTERNAL_JWT_AUDIENCE or None
    issuer = settings.EXTERNAL_JWT_ISSUER or None
    try:
        if settings.EXTERNAL_JWT_SECRET:
            key: Any = settings.EXTERNAL_JWT_SECRET
            algorithms = EXTERNAL_ALGORITHMS_SECRET
        else:
            key = jwks_client(settings.EXTERNAL_JWT_JWKS_URL).get_signing_key_from_jwt(raw_token)
            algorithms = EXTERNAL_ALGORITHMS_JWKS
        claims = jwt.decode(
            raw_token,
            key,
            algorithms=algorithms,
            audience=audience,
            issuer=issuer,
            leeway=EXTERNAL_LEEWAY_SECONDS,
            # Providers put an `aud` in every token; it is only checked when we are told which one to expect.
            options={"require": ["exp", "sub"], "verify_aud": audience is not None},
        )
    except jwt.PyJWKClientConnectionError as exc:
        logger.warning("external JWT: cannot fetch the key set: %s", exc)
        raise ExternalTokenError("The identity provider's keys are unavailable.") from exc
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        # PyJWT raises its own errors for bad tokens; malformed JWKs can surface as ValueError/TypeError.
        raise ExternalTokenError(str(exc) or INVALID_TOKEN) from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise ExternalTokenError("The token's subject is missing or malformed.")
    return claims


class JWTAuthentication(SimpleJWTAuthentication):
    """simplejwt's bearer tokens, then the external provider's; inactive or suspended users are refused."""

    def authenticate(self, request: Request) -> tuple[User, Any] | None:  # type: ignore[override]
        header = self.get_header(request)
        if header is None:
            return None
        try:
            raw_token = self.get_raw_token(header)
        except SimpleJWTAuthenticationFailed as exc:
            raise _clean(exc) from exc
        if raw_token is None:
            return None
        try:
            validated_token = self.get_validated_token(raw_token)
        except SimpleJWTAuthenticationFailed as exc:
            if not external_jwt_enabled() or _looks_like_ours(raw_token):
                raise _clean(exc) from exc
            # Headers arrive as latin-1; a non-ASCII "token" is then merely invalid, never a crash.
            user, claims = self.authenticate_external(raw_token.decode("latin-1"))
            activity_record(request=getattr(request, "_request", request), user=user)
            return user, claims
        user = self.get_user(validated_token)
        activity_record(request=getattr(request, "_request", request), user=user)
        return user, validated_token

    def authenticate_external(self, raw_token: str) -> tuple[User, dict[str, Any]]:
        try:
            claims = decode_external_token(raw_token)
        except ExternalTokenError as exc:
            raise exceptions.AuthenticationFailed(f"{INVALID_TOKEN} {exc}", code="token_not_valid") from exc
        email, name = claims.get("email"), claims.get("name")
        try:
            user = external_user_get_or_create(
                subject=claims["sub"],
                email=email if isinstance(email, str) else None,
                display_name=name if isinstance(name, str) else None,
            )
        except DomainError as exc:
            # Imported here: core.exceptions imports DRF's views, which load this class at startup.
            from core.exceptions import api_exception

            # An APIException, so that DRF marks the request unauthenticated before it answers.
            raise api_exception(exc) from exc
        if not user_can_sign_in(user):
            raise exceptions.AuthenticationFailed("User is inactive.", code="user_inactive")
        return user, claims

    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        sid = session_of(validated_token)
        if sid is not None:
            try:
                stamp = session_stamp(sid)
            except SessionEndedError as exc:
                raise exceptions.AuthenticationFailed("This session has ended.", code="session_ended") from exc
            if stamp is not None:
                # The session outlived a password change: its older access tokens carry the old stamp.
                validated_token[jwt_settings.REVOKE_TOKEN_CLAIM] = stamp
        try:
            # Loads the user by id (the only query) and refuses a stamp of a changed password.
            user = cast(User, super().get_user(validated_token))
        except SimpleJWTAuthenticationFailed as exc:
            raise _clean(exc) from exc
        if not user_can_sign_in(user):
            raise exceptions.AuthenticationFailed("User is inactive.", code="user_inactive")
        return user


def _looks_like_ours(raw_token: bytes) -> bool:
    """Our tokens carry a ``token_type`` claim; their errors (expired...) are then reported as ours."""
    try:
        claims = jwt.decode(raw_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return jwt_settings.TOKEN_TYPE_CLAIM in claims and jwt_settings.USER_ID_CLAIM in claims


def _clean(exc: SimpleJWTAuthenticationFailed) -> exceptions.AuthenticationFailed:
    """simplejwt's errors carry a dict as detail; a problem's ``detail`` is one line."""
    detail = exc.detail
    if isinstance(detail, dict):
        message = str(detail.get("detail", INVALID_TOKEN))
        code = str(detail.get("code", "token_not_valid"))
        reasons = [str(item.get("message")) for item in detail.get("messages", []) if isinstance(item, dict)]
        if reasons:
            message = f"{message}: {'; '.join(reasons)}."
        return exceptions.AuthenticationFailed(message, code=code)
    return exceptions.AuthenticationFailed(str(detail), code="authentication_failed")


class JWTAuthenticationScheme(SimpleJWTScheme):
    """Documents our subclass as the same bearer JWT scheme."""

    target_class = "accounts.authentication.JWTAuthentication"
