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

from typing import Any

from django.core.cache import cache
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.tokens import Token

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
