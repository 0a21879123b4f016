"""Sign-in sessions of our own tokens: which session a token belongs to, and which sessions have ended.

A session starts at sign-in with a refresh token; its ``sid`` claim (the jti of
that first refresh token) is copied to every refresh token that rotation trades
for it and to every access token minted from them. Refresh tokens are revoked in
the database (simplejwt's blacklist); an access token cannot be, so the end of a
session is also marked in the shared cache, for as long as an access token minted
before the end can live. Authentication reads that mark (one cache call, no query).

The mark of a session that outlived a password change holds the new password's
stamp (simplejwt's ``hash_password`` claim, ``CHECK_REVOKE_TOKEN``), so the access
tokens it minted before the change keep working while every other session's fail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import jwt
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.db import transaction
from django.utils.timezone import now
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from accounts.models import User
from core.errors import Forbidden, Invalid, NotAuthenticated

logger = logging.getLogger(__name__)

SESSION_CLAIM = "sid"
_ENDED = "ended"


def session_of(token: Token | dict[str, Any]) -> str | None:
    """The session a token belongs to; None for a token minted outside a session (``RefreshToken.for_user``)."""
    sid = token.get(SESSION_CLAIM)
    return sid if isinstance(sid, str) and sid else None


def refresh_session_of(token: Token | dict[str, Any]) -> str:
    """A refresh token's session: a token minted outside a session starts one named by its own jti."""
    return session_of(token) or str(token.get(jwt_settings.JTI_CLAIM))


def _key(sid: str) -> str:
    return f"auth:session:{sid}"


def _timeout() -> int:
    # Every access token minted before the mark expires within this.
    lifetime = jwt_settings.ACCESS_TOKEN_LIFETIME + token_backend.get_leeway()
    return int(lifetime.total_seconds()) + 1


def session_mark_ended(sid: str) -> None:
    """The session's access tokens stop working (its refresh tokens are revoked by the caller)."""
    cache.set(_key(sid), _ENDED, timeout=_timeout())


def session_mark_restamped(sid: str, *, stamp: str) -> None:
    """The session outlived a password change: its access tokens count as carrying the new password's stamp."""
    cache.set(_key(sid), stamp, timeout=_timeout())


class SessionEndedError(Exception):
    """The access token's session was signed out, or its refresh token chain was revoked."""


def session_stamp(sid: str) -> str | None:
    """The password stamp the session's access tokens count as carrying, if it outlived a change.

    Raises ``SessionEndedError`` for a session that has ended.
    """
    mark = cache.get(_key(sid))
    if mark == _ENDED:
        raise SessionEndedError(sid)
    return mark if isinstance(mark, str) else None


# Issuing, rotating and revoking refresh tokens: simplejwt stays behind these functions, which
# raise core.errors like every service (simplejwt's TokenError never leaves this module).


def _refresh_token_issue(*, user: User, session: str | None = None) -> RefreshToken:
    """A refresh token of ``session`` (None: a new session, named by this token's jti), recorded.

    Built like ``RefreshToken.for_user``, which records the token before a claim can be
    added: here the session is part of the recorded token, so a session's tokens can be
    found again (``_refresh_tokens_revoke``). Access tokens minted from it copy its claims.
    """
    token = RefreshToken()
    token[jwt_settings.USER_ID_CLAIM] = str(getattr(user, jwt_settings.USER_ID_FIELD))
    token[jwt_settings.REVOKE_TOKEN_CLAIM] = get_md5_hash_password(user.password)
    token[SESSION_CLAIM] = session or token[jwt_settings.JTI_CLAIM]
    token.outstand()
    return token


def _pair(refresh: RefreshToken) -> dict[str, str]:
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def token_pair_issue(*, user: User) -> dict[str, str]:
    """Signs in: a new session's refresh token (recorded, so it can be revoked) and its access token."""
    refresh = _refresh_token_issue(user=user)
    if jwt_settings.UPDATE_LAST_LOGIN:
        update_last_login(User, user)
    return _pair(refresh)


def _refresh_token_parse(raw: str) -> RefreshToken:
    """Checks signature, expiry, type and blacklist; raises ``TokenError``."""
    return RefreshToken(raw)  # type: ignore[arg-type]


class _UsedOrNotRefreshToken(RefreshToken):
    """Verified like a refresh token, except that a blacklisted one passes: ``token_refresh`` tells reuse."""

    def check_blacklist(self) -> None:
        return None


def token_refresh(*, refresh: str) -> dict[str, str]:
    """Rotates a refresh token: the old one is blacklisted, a new pair of the same session is issued.

    A refresh token used a second time (it was rotated already) means two parties hold the
    session: the whole session is revoked, its newest refresh token and its access tokens
    included (refresh token reuse detection, OAuth 2.0 Security BCP 4.14.2); the caller gets
    a 401 either way. The user's row is locked, so two rotations of one session never
    interleave: a token rotated twice at once is rotated once, and the second use is reuse.
    """
    try:
        token = _UsedOrNotRefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as exc:
        raise NotAuthenticated(f"{exc}.", code="token_not_valid") from exc
    with transaction.atomic():
        pair = _token_rotate(token)
    # Raised outside the transaction: the revocation of a reused token's session is committed.
    if pair is None:
        raise NotAuthenticated("Token is blacklisted.", code="token_not_valid")
    return pair


def _token_rotate(token: RefreshToken) -> dict[str, str] | None:
    """The new pair; None when the token was used already and its session has been revoked."""
    user = _token_user_lock(token)
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=token[jwt_settings.JTI_CLAIM]).first()
    # Every refresh token we issue is recorded; an unrecorded one was not issued by us.
    if outstanding is None:
        raise NotAuthenticated("Token is blacklisted.", code="token_not_valid")
    if user is None or not user.in_good_standing:
        raise NotAuthenticated("No active account found for the given token.", code="no_active_account")
    session = refresh_session_of(token)
    if BlacklistedToken.objects.filter(token=outstanding).exists():
        revoked = _session_end(user=user, session=session)
        logger.warning(
            "refresh token reused: session revoked",
            extra={"user_id": user.pk, "session": session, "refresh_tokens_revoked": revoked},
        )
        return None
    BlacklistedToken.objects.create(token=outstanding)
    return _pair(_refresh_token_issue(user=user, session=session))


def _token_user_lock(token: RefreshToken) -> User | None:
    # Every change to a user's sessions locks the user's row first: rotation, sign-out and
    # reuse of one session never interleave (and never deadlock on the token rows).
    return User.objects.select_for_update().filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()


def _session_end(*, user: User, session: str) -> int:
    """Revokes the session's live refresh tokens and refuses its access tokens; returns how many tokens."""
    revoked = _refresh_tokens_revoke(user=user, sessions=lambda sid: sid == session)
    session_mark_ended(session)
    return revoked


class _IssuedRefreshToken(RefreshToken):
    """A refresh token we signed, whatever became of it since: rotated, signed out or expired.

    Its signature, type and id are checked, so a forged or garbled token is refused
    (``TokenError``); its expiry and the blacklist are not: its claims, the session
    (``sid``) and the user included, are ours whatever its age.
    """

    def __init__(self, token: str) -> None:
        backend = self.get_token_backend()
        try:
            jwt.decode(
                token,
                backend.get_verifying_key(token),  # type: ignore[arg-type]
                algorithms=[backend.algorithm],
                audience=backend.audience,
                issuer=backend.issuer,
                options={"verify_aud": backend.audience is not None, "verify_exp": False, "require": ["exp"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError("Token is invalid") from exc
        super().__init__(token, verify=False)  # type: ignore[arg-type]
        if jwt_settings.JTI_CLAIM not in self.payload:
            raise TokenError("Token has no id")
        self.verify_token_type()


def token_revoke(*, user: User, refresh: str) -> None:
    """Signs one session out: its refresh and access tokens stop working. Refuses other users' tokens (403).

    Any refresh token of the session names it, and ends it whatever became of that token: the
    newest, one rotated away or already signed out (whoever holds a newer token of the session
    is then not the client signing out, which is one more reason to end it), an expired one.
    Only a token we did not sign is refused (400).
    """
    try:
        token = _IssuedRefreshToken(refresh)
    except TokenError as exc:
        raise Invalid({"refresh": [f"{exc}."]}) from exc
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise Forbidden("This refresh token belongs to another user.")
    with transaction.atomic():
        _token_user_lock(token)
        if datetime_from_epoch(token["exp"]) > now():
            token.outstand()  # an unrecorded live one is recorded, so that it is blacklisted below
        _session_end(user=user, session=refresh_session_of(token))


def _session_of_recorded(outstanding: OutstandingToken) -> str:
    # Our own recorded token; its signature was checked when it was used.
    try:
        return refresh_session_of(RefreshToken(outstanding.token, verify=False))  # type: ignore[arg-type]
    except TokenError:
        return outstanding.jti


def _refresh_tokens_revoke(*, user: User, sessions: Callable[[str], bool] | None = None) -> int:
    """Blacklists the user's live refresh tokens (of the sessions ``sessions`` picks); returns how many."""
    live = OutstandingToken.objects.filter(user=user, expires_at__gt=now(), blacklistedtoken__isnull=True)
    doomed = [outstanding for outstanding in live if sessions is None or sessions(_session_of_recorded(outstanding))]
    revoked = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=outstanding) for outstanding in doomed],
        ignore_conflicts=True,
    )
    return len(revoked)


def refresh_tokens_revoke_all(*, user: User, keep_session: str | None = None) -> int:
    """Blacklists every live refresh token of the user (but those of ``keep_session``); returns how many."""
    if keep_session is None:
        return _refresh_tokens_revoke(user=user)
    return _refresh_tokens_revoke(user=user, sessions=lambda sid: sid != keep_session)


# Accounts.


def password_stamp(user: User) -> str:
    """The stamp of the user's current password that tokens carry (``CHECK_REVOKE_TOKEN``)."""
    return get_md5_hash_password(user.password)


def refresh_token_session(raw: str, *, user: User, session: str | None) -> str:
    """The session of ``raw``, a refresh token that must be ``user``'s and, when ``session`` is
    given, of that session; else ``Invalid`` naming ``refresh``."""
    try:
        token = _refresh_token_parse(raw)
    except TokenError as exc:
        raise Invalid({"refresh": [f"{exc}."]}) from exc
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise Invalid({"refresh": ["This refresh token belongs to another user."]})
    if session is not None and refresh_session_of(token) != session:
        raise Invalid({"refresh": ["This refresh token is not this session's."]})
    return refresh_session_of(token)
