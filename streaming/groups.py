"""The channel-layer groups of the streaming API and the messages sent to them.

A socket always joins ``user.<id>`` (its user's home-feed events, notifications and control
messages), and ``public`` or ``ticker.<SYMBOL>`` while it is subscribed to those streams.
Messages carry ids only: each consumer re-reads and renders what it delivers, for its viewer.
"""

from __future__ import annotations

import re
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

PUBLIC = "public"
# A symbol as the group name carries it: group names allow ASCII letters, digits, "-", "_" and ".".
SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,15}$")


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def ticker_group(symbol: str) -> str:
    return f"ticker.{symbol}"


def send(group: str, message: dict[str, Any]) -> None:
    """``group_send`` from sync code (a task): every socket in ``group``, in every process."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


def send_many(groups: list[str], message: dict[str, Any]) -> None:
    """The same message to many groups in one event loop pass (the fan-out to followers)."""
    layer = get_channel_layer()
    if layer is None or not groups:
        return

    async def all_of() -> None:
        for group in groups:
            await layer.group_send(group, message)

    async_to_sync(all_of)()
