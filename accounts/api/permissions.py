"""Who may call an endpoint: the signed-out actions of auth/..., and the signed-in user of a request, typed."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from accounts.models import User

# ``@action(..., **SIGNED_OUT)``: an action for the signed-out. It reads no credentials, so a
# stale bearer header is ignored rather than refused (its viewset answers 401s with a
# ``WWW-Authenticate`` header of its own: without an authenticator DRF makes them 403s).
SIGNED_OUT: dict[str, Any] = {"authentication_classes": [], "permission_classes": [AllowAny]}


def signed_in(request: Request) -> User:
    """``request.user`` as a ``User``; views call it behind ``IsAuthenticated`` (or a stricter
    permission), so an anonymous caller reaching it is refused the same way: 401."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
