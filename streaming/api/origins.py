"""Which browser pages may open a socket: a WebSocket is not covered by CORS, so the server checks
the ``Origin`` header itself (against cross-site WebSocket hijacking)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import validate_host


def origin_allowed(origin: str | None) -> bool:
    """No ``Origin`` (a non-browser client) is allowed; a browser's must be one of
    ``CORS_ALLOWED_ORIGINS`` or name a host of ``ALLOWED_HOSTS`` (the API's own pages)."""
    if origin is None:
        return True
    if origin in settings.CORS_ALLOWED_ORIGINS:
        return True
    try:
        host = urlsplit(origin).hostname
    except ValueError:
        return False
    return host is not None and validate_host(host, settings.ALLOWED_HOSTS)


class OriginValidator:
    """ASGI middleware: a WebSocket handshake from an origin not allowed is refused (HTTP 403)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        origin = None
        for name, value in scope.get("headers", []):
            if name == b"origin":
                origin = value.decode("latin-1")
        if origin_allowed(origin):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
