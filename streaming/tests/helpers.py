"""A WebSocket client for the tests, on asgiref's ApplicationCommunicator (channels.testing's
WebsocketCommunicator would bring in daphne). Drives ``config.asgi.application`` as uvicorn does."""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from rest_framework_simplejwt.tokens import RefreshToken

from config.asgi import application

TIMEOUT = 3


def run(coroutine: Any) -> Any:
    """Runs a test's coroutine from a sync test: ORM calls inside (``database_sync_to_async``) come
    back to the test's thread and its database connection."""

    async def awaited() -> Any:
        return await coroutine

    return async_to_sync(awaited)()


def token_for(user: Any) -> str:
    return str(RefreshToken.for_user(user).access_token)


class Socket:
    """One WebSocket to ``/api/v1/streaming``."""

    def __init__(
        self,
        *,
        query: str = "",
        headers: list[tuple[str, str]] | None = None,
        subprotocols: list[str] | None = None,
        path: str = "/api/v1/streaming",
    ) -> None:
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": [(b"host", b"testserver")] + [(k.lower().encode(), v.encode()) for k, v in headers or []],
            "subprotocols": subprotocols or [],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        self.communicator = ApplicationCommunicator(application, scope)
        self.accepted: dict[str, Any] | None = None

    async def connect(self) -> dict[str, Any]:
        """The server's first answer: ``websocket.accept`` (with its subprotocol) or ``websocket.close``."""
        await self.communicator.send_input({"type": "websocket.connect"})
        answer = await self.communicator.receive_output(TIMEOUT)
        if answer["type"] == "websocket.accept":
            self.accepted = answer
        return answer

    async def send(self, message: Any) -> None:
        text = message if isinstance(message, str) else json.dumps(message)
        await self.communicator.send_input({"type": "websocket.receive", "text": text})

    async def receive(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        frame = await self.communicator.receive_output(timeout)
        assert frame["type"] == "websocket.send", frame
        return json.loads(frame["text"])

    async def receive_event(self, timeout: float = TIMEOUT) -> tuple[list[str], str, Any]:
        """The next frame as ``(stream, event, payload)``, the payload decoded from its JSON text."""
        frame = await self.receive(timeout)
        payload = frame["payload"]
        return frame["stream"], frame["event"], payload if frame["event"] == "delete" else json.loads(payload)

    async def closed_with(self, timeout: float = TIMEOUT) -> int | None:
        frame = await self.communicator.receive_output(timeout)
        assert frame["type"] == "websocket.close", frame
        return frame.get("code")

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout)

    async def disconnect(self) -> None:
        await self.communicator.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.communicator.wait(TIMEOUT)


async def subscribed(user: Any, *streams: dict[str, Any]) -> Socket:
    """A socket signed in as ``user`` with ``streams`` subscribed (no answer comes to a subscribe)."""
    token = await database_sync_to_async(token_for)(user)
    socket = Socket(query=f"access_token={token}")
    answer = await socket.connect()
    assert answer["type"] == "websocket.accept", answer
    for stream in streams:
        await socket.send({"type": "subscribe", **stream})
    await settled(socket)
    return socket


async def settled(socket: Socket) -> None:
    """Waits until the consumer has handled every message sent so far: it handles them in order and
    answers only errors, so an unknown type's error frame comes after all the others."""
    await socket.send({"type": "sync"})
    frame = await socket.receive()
    assert frame == {"error": "Unknown message type (subscribe or unsubscribe)", "status": 400}, frame


def member(**fields: Any) -> Any:
    """A user (``UserFactory``), typed loosely for the services the tests call."""
    from accounts.tests.factories import UserFactory

    return UserFactory(**fields)
