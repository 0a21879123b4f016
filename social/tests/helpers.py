"""Assertions shared by the social graph tests."""

from __future__ import annotations

from accounts.models import User
from social.models import Follow


def counts(user: User) -> tuple[int, int]:
    """(followers, following) as stored."""
    user.refresh_from_db(fields=["followers_count", "following_count"])
    return user.followers_count, user.following_count


def assert_counters_exact(*users: User) -> None:
    """Each user's stored counters equal the Follow rows that exist."""
    for user in users:
        real = (Follow.objects.filter(following=user).count(), Follow.objects.filter(follower=user).count())
        assert counts(user) == real, user
