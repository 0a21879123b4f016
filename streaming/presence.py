"""Who is connected: one cache key per user with a TTL, renewed by each of the user's sockets.

The fan-out of home-feed events reads it for a post's followers, 1,000 keys per ``get_many``
(one MGET on Redis), and sends only to those present: a post by a user with 10,000 followers
costs as many group messages as they have followers connected, not followers. A socket renews
its user's key every ``STREAMING_PRESENCE_RENEW`` seconds; a process that dies leaves keys that
expire after ``STREAMING_PRESENCE_TTL`` seconds (messages to a group nobody listens to are dropped).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.cache import cache

BATCH = 1000


def presence_key(user_id: int) -> str:
    return f"streaming:present:{user_id}"


async def presence_mark(user_id: int) -> None:
    """The user has a socket open (called on connect and every ``STREAMING_PRESENCE_RENEW`` s)."""
    await cache.aset(presence_key(user_id), 1, timeout=settings.STREAMING_PRESENCE_TTL)


def present_among(user_ids: Iterable[int]) -> Iterator[int]:
    """The ids among ``user_ids`` with a socket open, reading the cache ``BATCH`` keys at a time."""
    batch: list[int] = []
    for user_id in user_ids:
        batch.append(user_id)
        if len(batch) == BATCH:
            yield from _present(batch)
            batch = []
    if batch:
        yield from _present(batch)


def _present(user_ids: list[int]) -> list[int]:
    found = cache.get_many([presence_key(user_id) for user_id in user_ids])
    return [user_id for user_id in user_ids if presence_key(user_id) in found]
