"""Who a socket belongs to: the API's own bearer token, as Mastodon's streaming API takes it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError

from accounts.authentication import JWTAuthentication, external_jwt_enabled
from accounts.models import User


def token_of(scope: dict[str, Any]) -> tuple[str | None, str | None]:
    """``(token, subprotocol)``: the token from ``?access_token=``, the ``Sec-WebSocket-Protocol``
    header (then echoed as the accepted subprotocol, as browsers require) or ``Authorization:
    Bearer`` (non-browser clients); the first found, in that order."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("access_token"):
        return query["access_token"][0], None
    subprotocols = scope.get("subprotocols") or []
    if subprotocols:
        return subprotocols[0], subprotocols[0]
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip(), None
    return None, None


def user_for_token(raw_token: str) -> User | None:
    """The user the token signs in, or None: bad, expired or revoked token, ended session, or a user
    who cannot sign in (suspended, deactivated). The same checks as every API request."""
    authentication = JWTAuthentication()
    encoded = raw_token.encode("latin-1", errors="replace")
    try:
        validated = authentication.get_validated_token(encoded)
    except (exceptions.APIException, TokenError):
        if not external_jwt_enabled():
            return None
        try:
            user, _ = authentication.authenticate_external(raw_token)
        except exceptions.APIException:
            return None
        return user
    try:
        return authentication.get_user(validated)
    except (exceptions.APIException, TokenError):
        return None
