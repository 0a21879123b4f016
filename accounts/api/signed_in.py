"""The signed-in user of an API request, typed."""

from __future__ import annotations

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from accounts.models import User


def signed_in(request: Request) -> User:
    """``request.user`` as a ``User``; views call it behind ``IsAuthenticated`` (or a stricter
    permission), so an anonymous caller reaching it is refused the same way: 401."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
