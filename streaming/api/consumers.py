"""The streaming API's socket: Mastodon's streaming protocol over one WebSocket (README, "Streaming").

One consumer per socket. It joins its user's group (``user.<id>``) at once, and ``public`` or
``ticker.<SYMBOL>`` while subscribed to them; the fan-out (``streaming.tasks``) sends ids, and
the consumer re-reads and renders each event for its viewer (``streaming.api.rendering``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import DisallowedHost

from content.models import Ticker
from notifications.api.rendering import group_payload
from social.models import Block, Mute
from streaming.api.auth import token_of, user_for_token
from streaming.api.rendering import ScopeRequest, apply_overlay, post_renders, viewer_overlay
from streaming.groups import PUBLIC, SYMBOL, ticker_group, user_group
from streaming.presence import presence_mark

logger = logging.getLogger(__name__)

# Close codes: 4001 as Mastodon uses it, for a missing, bad or expired token and for an account
# that can no longer sign in (suspended or deleted while connected).
CLOSE_UNAUTHORIZED = 4001
USER = "user"
USER_NOTIFICATION = "user:notification"
STREAMS = (USER, USER_NOTIFICATION, "public", "ticker")

Stream = tuple[str, ...]


class StreamError(Exception):
    """A client message the server answers with an error frame (Mastodon's ``{"error", "status"}``)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def hidden_authors(user_id: int) -> frozenset[int]:
    """Users whose posts this viewer never sees in a stream: muted, blocked, or who blocked the viewer.

    A cheap first filter, kept per socket and re-read on a mute or block (``stream.refresh``) and with
    every presence renewal (unmutes and unblocks have no signal); delivery still re-checks each post
    with the feed's own queryset (``viewer_overlay``).
    """
    muted = Mute.objects.filter(user_id=user_id).values_list("target_id", flat=True)
    blocked = Block.objects.filter(user_id=user_id).values_list("target_id", flat=True)
    blocked_by = Block.objects.filter(target_id=user_id).values_list("user_id", flat=True)
    return frozenset(muted.union(blocked, blocked_by))


def _ticker_exists(symbol: str) -> bool:
    return Ticker.objects.filter(pk=symbol).exists()


class StreamingConsumer(AsyncWebsocketConsumer):
    """``/api/v1/streaming``: subscribe to ``user``, ``user:notification``, ``public`` or ``ticker``."""

    user: Any = None
    request: ScopeRequest
    subscriptions: set[Stream]
    hidden: frozenset[int] = frozenset()
    renewal: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.subscriptions = set()
        try:
            self.request = ScopeRequest(self.scope)
            self.request.base_url()
        except DisallowedHost:
            await self.close()  # before accept: the handshake is refused (403)
            return
        token, subprotocol = token_of(self.scope)
        user = await database_sync_to_async(user_for_token)(token) if token else None
        await self.accept(subprotocol)
        if user is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        self.user = user
        self.request.user = user
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        self.hidden = await database_sync_to_async(hidden_authors)(user.pk)
        self.renewal = asyncio.create_task(self._renew())
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        if query.get("stream"):
            await self._subscribe_or_error(query["stream"][0], (query.get("ticker") or query.get("tag") or [None])[0])

    async def disconnect(self, code: int) -> None:
        if self.renewal is not None:
            self.renewal.cancel()
        if self.user is None:
            return
        await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
        for stream in self.subscriptions:
            group = self._group(stream)
            if group is not None:
                await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.user is None:
            return
        try:
            message = json.loads(text_data) if text_data is not None else None
        except ValueError:
            await self._error(StreamError("Invalid JSON"))
            return
        if not isinstance(message, dict):
            await self._error(StreamError("Invalid message: a JSON object with a type"))
            return
        kind, stream, ticker = message.get("type"), message.get("stream"), message.get("ticker")
        if kind not in ("subscribe", "unsubscribe"):
            await self._error(StreamError("Unknown message type (subscribe or unsubscribe)"))
            return
        if kind == "subscribe":
            await self._subscribe_or_error(stream, ticker)
        else:
            await self._unsubscribe_or_error(stream, ticker)

    # Subscriptions

    async def _stream_of(self, stream: Any, ticker: Any) -> Stream:
        if not isinstance(stream, str) or stream not in STREAMS:
            raise StreamError("Unknown stream type")
        if stream != "ticker":
            return (stream,)
        if not isinstance(ticker, str) or not ticker.strip():
            raise StreamError("Missing ticker parameter")
        symbol = ticker.strip().lstrip("$").upper()
        if not SYMBOL.match(symbol) or not await database_sync_to_async(_ticker_exists)(symbol):
            raise StreamError("No such ticker", 404)
        return ("ticker", symbol)

    @staticmethod
    def _group(stream: Stream) -> str | None:
        if stream[0] == "public":
            return PUBLIC
        if stream[0] == "ticker":
            return ticker_group(stream[1])
        return None  # user streams ride on the user's own group, joined at connect

    async def _subscribe_or_error(self, stream: Any, ticker: Any) -> None:
        try:
            key = await self._stream_of(stream, ticker)
        except StreamError as error:
            await self._error(error)
            return
        if key in self.subscriptions:
            return
        self.subscriptions.add(key)
        group = self._group(key)
        if group is not None:
            await self.channel_layer.group_add(group, self.channel_name)
        if key == (USER,):
            await presence_mark(self.user.pk)

    async def _unsubscribe_or_error(self, stream: Any, ticker: Any) -> None:
        try:
            key = await self._stream_of(stream, ticker)
        except StreamError as error:
            await self._error(error)
            return
        if key not in self.subscriptions:
            return
        self.subscriptions.discard(key)
        group = self._group(key)
        if group is not None:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _renew(self) -> None:
        """Every ``STREAMING_PRESENCE_RENEW`` s: the user is still here; re-read the hidden authors."""
        while True:
            await asyncio.sleep(settings.STREAMING_PRESENCE_RENEW)
            try:
                if (USER,) in self.subscriptions:
                    await presence_mark(self.user.pk)
                self.hidden = await database_sync_to_async(hidden_authors)(self.user.pk)
            except Exception:
                logger.exception("Streaming: could not renew the presence of user %s", self.user.pk)

    # Frames

    async def _error(self, error: StreamError) -> None:
        await self.send(text_data=json.dumps({"error": error.message, "status": error.status}))

    async def _event(self, stream: Stream, event: str, payload: Any) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
        await self.send(text_data=json.dumps({"stream": list(stream), "event": event, "payload": text}))

    # Messages from the channel layer (``streaming.tasks``)

    async def stream_post(self, message: dict[str, Any]) -> None:
        stream = tuple(message["stream"])
        if stream not in self.subscriptions or self.user is None:
            return
        if message.get("author_id") in self.hidden or message.get("reposter_id") in self.hidden:
            return
        post_id, repost_id = message["post_id"], message.get("repost_id")
        overlay = await database_sync_to_async(viewer_overlay)(self.user, post_id=post_id, repost_id=repost_id)
        if overlay is None:
            return
        base = await post_renders.get(post_id, repost_id, self.request)
        if base is None:
            return
        await self._event(stream, "update", apply_overlay(base, overlay))

    async def stream_delete(self, message: dict[str, Any]) -> None:
        stream = tuple(message["stream"])
        if stream in self.subscriptions:
            await self._event(stream, "delete", str(message["post_id"]))

    async def stream_notification(self, message: dict[str, Any]) -> None:
        streams = [stream for stream in ((USER,), (USER_NOTIFICATION,)) if stream in self.subscriptions]
        if not streams or self.user is None:
            return
        payload = await database_sync_to_async(group_payload)(message["group_id"], self.user, self.request)
        if payload is None:
            return
        for stream in streams:
            await self._event(stream, "notification", payload)

    async def stream_refresh(self, message: dict[str, Any]) -> None:
        if self.user is not None:
            self.hidden = await database_sync_to_async(hidden_authors)(self.user.pk)

    async def stream_close(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHORIZED)
