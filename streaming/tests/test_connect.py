"""Opening a socket: the token (query, subprotocol, header), refused tokens and accounts, origins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from streaming.api.consumers import CLOSE_UNAUTHORIZED
from streaming.tests.helpers import Socket, member, run, settled, token_for

pytestmark = pytest.mark.django_db(transaction=True)


async def _accepted_then_closed(socket: Socket) -> int | None:
    answer = await socket.connect()
    assert answer["type"] == "websocket.accept"
    return await socket.closed_with()


def test_no_token_is_accepted_then_closed_4001() -> None:
    assert run(_accepted_then_closed(Socket())) == CLOSE_UNAUTHORIZED


def test_bad_token_closes_4001() -> None:
    assert run(_accepted_then_closed(Socket(query="access_token=not-a-jwt"))) == CLOSE_UNAUTHORIZED


def test_expired_token_closes_4001() -> None:
    user: Any = member()
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=1))
    assert run(_accepted_then_closed(Socket(query=f"access_token={token}"))) == CLOSE_UNAUTHORIZED


def test_suspended_user_closes_4001() -> None:
    user = member(suspended_at=timezone.now())
    assert run(_accepted_then_closed(Socket(query=f"access_token={token_for(user)}"))) == CLOSE_UNAUTHORIZED


def test_deactivated_user_closes_4001() -> None:
    user = member(is_active=False)
    assert run(_accepted_then_closed(Socket(query=f"access_token={token_for(user)}"))) == CLOSE_UNAUTHORIZED


async def _opens(socket: Socket) -> dict[str, Any]:
    answer = await socket.connect()
    if answer["type"] == "websocket.accept":
        await settled(socket)  # still open, and answering
        await socket.disconnect()
    return answer


def test_query_token_opens_without_subprotocol() -> None:
    answer = run(_opens(Socket(query=f"access_token={token_for(member())}")))
    assert answer == {"type": "websocket.accept", "subprotocol": None}


def test_subprotocol_token_opens_and_is_echoed() -> None:
    token = token_for(member())
    answer = run(_opens(Socket(subprotocols=[token])))
    assert answer["type"] == "websocket.accept"
    assert answer["subprotocol"] == token


def test_authorization_header_opens() -> None:
    token = token_for(member())
    answer = run(_opens(Socket(headers=[("Authorization", f"Bearer {token}")])))
    assert answer["type"] == "websocket.accept"


def test_origin_not_allowed_is_refused_at_the_handshake(settings: Any) -> None:
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    token = token_for(member())
    answer = run(_opens(Socket(query=f"access_token={token}", headers=[("Origin", "https://evil.example.net")])))
    assert answer["type"] == "websocket.close"


@pytest.mark.parametrize("origin", ["https://app.example.com", "http://testserver"])
def test_allowed_origins_open(settings: Any, origin: str) -> None:
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    token = token_for(member())
    answer = run(_opens(Socket(query=f"access_token={token}", headers=[("Origin", origin)])))
    assert answer["type"] == "websocket.accept"


def test_host_not_allowed_is_refused() -> None:
    token = token_for(member())
    socket = Socket(query=f"access_token={token}")
    socket.communicator.scope["headers"] = [(b"host", b"evil.example.net")]
    assert run(_opens(socket))["type"] == "websocket.close"
