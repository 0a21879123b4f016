"""moderation's section of the user's data export (``accounts.export``): the reports ``user`` filed.

Not the reports about them (the reporters' data), nor which moderator resolved one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accounts.account_hooks import account_export_section_register
from accounts.export import EXPORT_CHUNK_SIZE
from accounts.models import User
from moderation.models import Report


def reports(*, user: User) -> Iterator[dict[str, Any]]:
    rows = (
        Report.objects.filter(reporter=user)
        .order_by("created_at", "id")
        .values(
            "id",
            "target_type",
            "post_id",
            "comment_id",
            "user_id",
            "reason",
            "details",
            "status",
            "created_at",
            "resolved_at",
        )
    )
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        target = row["post_id"] or row["comment_id"] or row["user_id"]
        yield {
            "id": str(row["id"]),
            "target_type": row["target_type"],
            "target_id": str(target),
            "reason": row["reason"],
            "details": row["details"],
            "status": row["status"],
            "created_at": row["created_at"],
            "resolved_at": row["resolved_at"],
        }


def register() -> None:
    account_export_section_register("reports", reports)
