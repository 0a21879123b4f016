"""social's sections of the user's data export (``accounts.export``): follows both ways, mutes, blocks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accounts.account_hooks import account_export_section_register
from accounts.export import EXPORT_CHUNK_SIZE
from accounts.models import User
from social.models import Block, Follow, Mute


def _rows(queryset: Any, user_key: str) -> Iterator[dict[str, Any]]:
    rows = queryset.order_by("created_at", "id").values(user_key, f"{user_key}__username", "created_at")
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield {"user_id": str(row[user_key]), "username": row[f"{user_key}__username"], "created_at": row["created_at"]}


def following(*, user: User) -> Iterator[dict[str, Any]]:
    """The users ``user`` follows, and since when."""
    return _rows(Follow.objects.filter(follower=user), "following")


def followers(*, user: User) -> Iterator[dict[str, Any]]:
    """The users who follow ``user``, and since when."""
    return _rows(Follow.objects.filter(following=user), "follower")


def mutes(*, user: User) -> Iterator[dict[str, Any]]:
    return _rows(Mute.objects.filter(user=user), "target")


def blocks(*, user: User) -> Iterator[dict[str, Any]]:
    """The users ``user`` blocked (not who blocked them: that is the other user's data)."""
    return _rows(Block.objects.filter(user=user), "target")


def register() -> None:
    account_export_section_register("following", following)
    account_export_section_register("followers", followers)
    account_export_section_register("mutes", mutes)
    account_export_section_register("blocks", blocks)
