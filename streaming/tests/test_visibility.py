"""What a viewer's streams never show: the REST feed's rules, applied when each event is delivered."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from content.models import Post
from content.services.interactions import repost_create
from content.services.posts import post_create
from moderation.services import user_suspend
from social.models import Block, Mute
from social.services import block_create, follow_create, mute_create
from streaming.api.consumers import CLOSE_UNAUTHORIZED
from streaming.groups import PUBLIC
from streaming.tests.helpers import Socket, member, run, settled, subscribed

pytestmark = pytest.mark.django_db(transaction=True)

post_as = database_sync_to_async(lambda author, content: post_create(author=author, content=content))


async def _silent_on_public(viewer: Any, author: Any) -> None:
    socket = await subscribed(viewer, {"stream": "public"}, {"stream": "user"})
    await post_as(author, "You should not see this")
    assert await socket.nothing()
    await socket.disconnect()


def test_muted_author_is_not_streamed() -> None:
    viewer, author = member(), member()
    follow_create(follower=viewer, target=author)
    mute_create(user=viewer, target=author)
    run(_silent_on_public(viewer, author))


def test_author_the_viewer_blocked_is_not_streamed() -> None:
    viewer, author = member(), member()
    block_create(user=viewer, target=author)
    run(_silent_on_public(viewer, author))


def test_author_who_blocked_the_viewer_is_not_streamed() -> None:
    viewer, author = member(), member()
    block_create(user=author, target=viewer)
    run(_silent_on_public(viewer, author))


def test_block_and_mute_made_while_connected_apply_at_once() -> None:
    viewer, blocker, muted = member(), member(), member()

    async def scenario() -> None:
        socket = await subscribed(viewer, {"stream": "public"})
        await post_as(blocker, "Seen before the block")
        assert (await socket.receive_event())[1] == "update"
        await database_sync_to_async(block_create)(user=blocker, target=viewer)
        await database_sync_to_async(mute_create)(user=viewer, target=muted)
        await post_as(blocker, "Not seen after it")
        await post_as(muted, "Nor this")
        assert await socket.nothing()
        await socket.disconnect()

    run(scenario())


def test_delivery_rechecks_the_database_when_the_socket_filter_is_stale() -> None:
    # Rows written without the services (no signal, so no refresh): the feed's queryset still decides.
    viewer, muted, blocked = member(), member(), member()

    async def scenario() -> None:
        socket = await subscribed(viewer, {"stream": "public"})
        await database_sync_to_async(Mute.objects.create)(user=viewer, target=muted)
        await database_sync_to_async(Block.objects.create)(user=blocked, target=viewer)
        await post_as(muted, "Muted")
        await post_as(blocked, "Blocked")
        assert await socket.nothing()
        await socket.disconnect()

    run(scenario())


def test_post_hidden_or_deleted_before_delivery_is_not_sent() -> None:
    viewer, author = member(), member()
    hidden = post_create(author=author, content="Hidden in between")
    deleted = post_create(author=author, content="Deleted in between")
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Post.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())

    async def scenario() -> None:
        socket = await subscribed(viewer, {"stream": "public"})
        layer = get_channel_layer()
        for post in (hidden, deleted):
            message = {"type": "stream.post", "stream": ["public"], "post_id": post.pk, "author_id": author.pk}
            await layer.group_send(PUBLIC, message)
        assert await socket.nothing()
        await socket.disconnect()

    run(scenario())


def test_repost_of_a_muted_author_or_by_a_muted_reposter_is_not_streamed() -> None:
    viewer, reposter, author = member(), member(), member()
    follow_create(follower=viewer, target=reposter)
    post = post_create(author=author, content="Reposted")
    mute_create(user=viewer, target=author)

    async def scenario() -> None:
        socket = await subscribed(viewer, {"stream": "user"})
        await database_sync_to_async(repost_create)(user=reposter, post_id=post.pk)
        assert await socket.nothing()
        await socket.disconnect()

    run(scenario())


def test_suspension_while_connected_closes_the_socket() -> None:
    viewer = member()
    moderator = member(is_staff=True, is_superuser=True)

    async def scenario() -> int | None:
        socket = await subscribed(viewer, {"stream": "public"})
        await database_sync_to_async(user_suspend)(moderator=moderator, user=viewer, reason="Spam")
        return await socket.closed_with()

    assert run(scenario()) == CLOSE_UNAUTHORIZED


def test_one_event_for_many_sockets_costs_far_less_than_one_render_each(monkeypatch: pytest.MonkeyPatch) -> None:
    # Counted on every thread: the consumers query from database_sync_to_async's thread.
    queries: list[str] = []
    execute = CursorWrapper._execute  # type: ignore[attr-defined]

    def counting(self: CursorWrapper, sql: str, *args: Any) -> Any:
        queries.append(sql)
        return execute(self, sql, *args)

    monkeypatch.setattr(CursorWrapper, "_execute", counting)
    author = member()
    viewers = [member() for _ in range(6)]
    post = post_create(author=author, content="Rendered once, $NVDA, @" + viewers[0].username)

    async def deliver(count: int) -> int:
        from streaming.api.rendering import post_renders

        post_renders.clear()
        sockets = [await subscribed(viewer, {"stream": "public"}) for viewer in viewers[:count]]
        message = {"type": "stream.post", "stream": ["public"], "post_id": post.pk, "author_id": author.pk}
        queries.clear()
        await get_channel_layer().group_send(PUBLIC, message)
        for socket in sockets:
            assert (await socket.receive_event())[1] == "update"
        counted = len(queries)
        for socket in sockets:
            await socket.disconnect()
        return counted

    one, six = run(deliver(1)), run(deliver(6))
    # One socket: the shared render (this post has no poll or quote: its row) and its viewer's
    # part (2: whether the feed shows it, the flags), so the render really ran inside the count.
    assert one == 3, one
    # Six: one render, 6 parts.
    assert six <= one + 5 * 2, (one, six)
    assert six < 6 * one


def test_closing_socket_leaves_its_groups() -> None:
    viewer = member()

    async def scenario() -> None:
        socket = await subscribed(viewer, {"stream": "public"})
        await socket.disconnect()
        layer: Any = get_channel_layer()
        assert not layer.groups.get(PUBLIC)

    run(scenario())


def test_socket_is_closed_for_token_of_user_suspended_since() -> None:
    from streaming.tests.helpers import token_for

    viewer = member()
    token = token_for(viewer)
    viewer.suspended_at = timezone.now()
    viewer.save(update_fields=["suspended_at"])

    async def scenario() -> int | None:
        socket = Socket(query=f"access_token={token}")
        await socket.connect()
        return await socket.closed_with()

    assert run(scenario()) == CLOSE_UNAUTHORIZED


def test_sockets_of_a_process_ask_for_their_viewer_parts_in_shared_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    from streaming.api import rendering

    author = member()
    viewers = [member() for _ in range(6)]
    post = post_create(author=author, content="Batched")
    batches: list[int] = []
    overlays_of = rendering._overlays

    def counted(batch: list[Any]) -> list[Any]:
        batches.append(len(batch))
        return overlays_of(batch)

    monkeypatch.setattr(rendering, "_overlays", counted)

    async def deliver() -> None:
        sockets = [await subscribed(viewer, {"stream": "public"}) for viewer in viewers]
        message = {"type": "stream.post", "stream": ["public"], "post_id": post.pk, "author_id": author.pk}
        await get_channel_layer().group_send(PUBLIC, message)
        for socket in sockets:
            assert (await socket.receive_event())[2]["id"] == str(post.pk)
            await socket.disconnect()

    run(deliver())
    assert sum(batches) == 6
    assert len(batches) < 6, batches


def test_an_event_that_fails_to_render_is_logged_and_the_socket_stays_open(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from streaming.api import rendering

    author, viewer = member(), member()
    post = post_create(author=author, content="Breaks")

    def broken(batch: list[Any]) -> list[Any]:
        raise RuntimeError("database down")

    monkeypatch.setattr(rendering, "_overlays", broken)

    async def deliver() -> None:
        socket = await subscribed(viewer, {"stream": "public"})
        message = {"type": "stream.post", "stream": ["public"], "post_id": post.pk, "author_id": author.pk}
        await get_channel_layer().group_send(PUBLIC, message)
        assert await socket.nothing()
        await settled(socket)  # still open and answering
        await socket.disconnect()

    run(deliver())
    assert f"could not deliver post {post.pk}" in caplog.text
