"""polls' section of the user's data export (``accounts.export``): the votes ``user`` cast.

The polls ``user`` asked are part of their posts (``content.export``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accounts.account_hooks import account_export_section_register
from accounts.export import EXPORT_CHUNK_SIZE
from accounts.models import User
from polls.models import PollVote


def poll_votes(*, user: User) -> Iterator[dict[str, Any]]:
    rows = (
        PollVote.objects.filter(user=user)
        .order_by("created_at", "id")
        .values("poll_id", "option_id", "option__position", "option__text", "created_at")
    )
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield {
            "poll_id": str(row["poll_id"]),
            "option_id": str(row["option_id"]),
            "option_position": row["option__position"],
            "option_text": row["option__text"],
            "created_at": row["created_at"],
        }


def register() -> None:
    account_export_section_register("poll_votes", poll_votes)
