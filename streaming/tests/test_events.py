"""Events on each stream, the subscribe protocol and its error frames.

Each test runs its socket's conversation in one coroutine (``run``); writes go through the real
services (``database_sync_to_async``), so the receivers, the eager fan-out tasks and the channel
layer all take part, and each payload is compared with what the REST API answers that viewer.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from rest_framework.test import APIClient

from conftest import bearer
from content.models import Call, Post
from content.services.interactions import repost_create
from content.services.posts import post_create, post_delete, post_set_hidden
from content.signals import calls_scored
from content.tests.factories import TickerFactory
from notifications.tests.factories import make_call
from social.services import follow_create
from streaming.tests.helpers import member, run, settled, subscribed

pytestmark = pytest.mark.django_db(transaction=True)


def api_get(user: Any, url: str) -> Any:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


post_as = database_sync_to_async(lambda author, content: post_create(author=author, content=content))


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("{not json", {"error": "Invalid JSON", "status": 400}),
        ("[1, 2]", {"error": "Invalid message: a JSON object with a type", "status": 400}),
        ({"type": "ping"}, {"error": "Unknown message type (subscribe or unsubscribe)", "status": 400}),
        ({"type": "subscribe", "stream": "hashtag"}, {"error": "Unknown stream type", "status": 400}),
        ({"type": "subscribe"}, {"error": "Unknown stream type", "status": 400}),
        ({"type": "subscribe", "stream": "ticker"}, {"error": "Missing ticker parameter", "status": 400}),
        ({"type": "subscribe", "stream": "ticker", "ticker": "ZZZZ"}, {"error": "No such ticker", "status": 404}),
        ({"type": "unsubscribe", "stream": "nope"}, {"error": "Unknown stream type", "status": 400}),
    ],
)
def test_bad_messages_get_an_error_frame_and_the_socket_stays_open(message: Any, error: dict[str, Any]) -> None:
    viewer = member()

    async def scenario() -> None:
        socket = await subscribed(viewer)
        await socket.send(message)
        assert await socket.receive() == error
        await settled(socket)  # still open and answering
        await socket.disconnect()

    run(scenario())


def test_public_stream_sends_new_posts_as_the_feed_renders_them() -> None:
    viewer, author = member(), member()

    async def scenario() -> Any:
        socket = await subscribed(viewer, {"stream": "public"})
        post = await post_as(author, "Earnings beat on $NVDA, @" + viewer.username)
        stream, event, payload = await socket.receive_event()
        await socket.disconnect()
        return post, stream, event, payload

    post, stream, event, payload = run(scenario())
    assert (stream, event) == (["public"], "update")
    assert payload["id"] == str(post.pk)
    assert payload == api_get(viewer, "/api/v1/feed?scope=all")["results"][0]


def test_ticker_stream_sends_only_posts_mentioning_its_symbol() -> None:
    TickerFactory(symbol="NVDA")
    viewer, author = member(), member()

    async def scenario() -> Any:
        socket = await subscribed(viewer, {"stream": "ticker", "ticker": "$nvda"})
        await post_as(author, "Nothing to see on $AAPL")
        post = await post_as(author, "Loading up on $NVDA")
        frame = await socket.receive_event()
        assert await socket.nothing()
        await socket.disconnect()
        return post, frame

    post, (stream, event, payload) = run(scenario())
    assert (stream, event) == (["ticker", "NVDA"], "update")
    assert payload == api_get(viewer, "/api/v1/feed?scope=all")["results"][0]
    assert payload["id"] == str(post.pk)


def test_stream_given_on_connect_is_subscribed() -> None:
    from streaming.tests.helpers import Socket, token_for

    viewer, author = member(), member()

    async def scenario() -> Any:
        token = await database_sync_to_async(token_for)(viewer)
        socket = Socket(query=f"access_token={token}&stream=public")
        assert (await socket.connect())["type"] == "websocket.accept"
        await settled(socket)
        post = await post_as(author, "Hello")
        frame = await socket.receive_event()
        await socket.disconnect()
        return post, frame

    post, (stream, event, payload) = run(scenario())
    assert (stream, event, payload["id"]) == (["public"], "update", str(post.pk))


def test_user_stream_sends_own_and_followees_posts_and_followees_reposts() -> None:
    viewer, followee, stranger = member(), member(), member()
    follow_create(follower=viewer, target=followee)
    old = post_create(author=stranger, content="An older take")

    async def scenario() -> Any:
        socket = await subscribed(viewer, {"stream": "user"})
        await post_as(stranger, "Not followed")
        followed = await post_as(followee, "Followed")
        own = await post_as(viewer, "Mine")
        await database_sync_to_async(repost_create)(user=followee, post_id=old.pk)
        frames = [await socket.receive_event() for _ in range(3)]
        assert await socket.nothing()
        await socket.disconnect()
        return followed, own, frames

    followed, own, frames = run(scenario())
    assert [(stream, event) for stream, event, _ in frames] == [(["user"], "update")] * 3
    assert [payload["id"] for _, _, payload in frames] == [str(followed.pk), str(own.pk), str(old.pk)]
    feed = api_get(viewer, "/api/v1/feed?scope=following")["results"]
    assert frames[2][2]["reposted_by"]["id"] == str(followee.pk)
    assert [payload for _, _, payload in reversed(frames)] == feed[:3]


def test_unsubscribe_stops_the_stream() -> None:
    viewer, author = member(), member()

    async def scenario() -> None:
        socket = await subscribed(viewer, {"stream": "public"})
        await socket.send({"type": "unsubscribe", "stream": "public"})
        await settled(socket)
        await post_as(author, "Unheard")
        assert await socket.nothing()
        await socket.disconnect()

    run(scenario())


def test_author_delete_and_moderator_hide_send_delete_to_the_streams_that_showed_it() -> None:
    TickerFactory(symbol="TSLA")
    viewer, author = member(), member()
    follow_create(follower=viewer, target=author)
    deleted = post_create(author=author, content="$TSLA to the moon")
    hidden = post_create(author=author, content="$TSLA spam")

    async def scenario() -> list[Any]:
        streams = [{"stream": "public"}, {"stream": "user"}, {"stream": "ticker", "ticker": "TSLA"}]
        socket = await subscribed(viewer, *streams)
        await database_sync_to_async(post_delete)(post=deleted, actor=author)
        await database_sync_to_async(post_set_hidden)(post=hidden, hidden=True)
        frames = [await socket.receive() for _ in range(6)]
        assert await socket.nothing()
        await socket.disconnect()
        return frames

    frames = run(scenario())
    expected = [
        {"stream": stream, "event": "delete", "payload": str(post.pk)}
        for post in (deleted, hidden)
        for stream in (["public"], ["ticker", "TSLA"], ["user"])
    ]
    assert sorted(frames, key=str) == sorted(expected, key=str)


def test_notifications_go_to_user_and_user_notification_streams_as_the_list_renders_them() -> None:
    viewer, fan = member(), member()

    async def scenario() -> list[Any]:
        socket = await subscribed(viewer, {"stream": "user"}, {"stream": "user:notification"})
        await database_sync_to_async(follow_create)(follower=fan, target=viewer)
        frames = [await socket.receive_event() for _ in range(2)]
        assert await socket.nothing()
        await socket.disconnect()
        return frames

    frames = run(scenario())
    listed = api_get(viewer, "/api/v1/notifications")["results"][0]
    assert sorted(stream[0] for stream, _, _ in frames) == ["user", "user:notification"]
    for _, event, payload in frames:
        assert event == "notification"
        assert payload == listed
        assert payload["type"] == "follow"


def test_public_stream_alone_gets_no_notifications() -> None:
    viewer, fan = member(), member()

    async def scenario() -> None:
        socket = await subscribed(viewer, {"stream": "public"})
        await database_sync_to_async(follow_create)(follower=fan, target=viewer)
        assert await socket.nothing()
        await socket.disconnect()

    run(scenario())
    assert Post.objects.count() == 0


def test_a_scored_call_reaches_its_author_as_a_notification_with_no_accounts() -> None:
    viewer = member()
    call = make_call(viewer)

    def score() -> None:
        with transaction.atomic():  # as the scorer sends it: inside its transaction, the fan-out after the commit
            calls_scored.send(sender=Call, post_ids=[call.post_id])

    async def scenario() -> Any:
        socket = await subscribed(viewer, {"stream": "user:notification"})
        await database_sync_to_async(score)()
        frame = await socket.receive_event()
        assert await socket.nothing()
        await socket.disconnect()
        return frame

    stream, event, payload = run(scenario())
    assert (stream, event) == (["user:notification"], "notification")
    assert payload == api_get(viewer, "/api/v1/notifications")["results"][0]
    assert (payload["type"], payload["accounts"], payload["post"]["id"]) == ("call_scored", [], str(call.post_id))
