"""A streamed post is what ``GET feed`` shows the same viewer: one shared render plus the viewer's part."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from content.models import Post
from content.services.interactions import bookmark_add, post_reaction_toggle
from content.services.posts import post_create
from polls.services import poll_vote
from social.services import block_create
from streaming.groups import PUBLIC
from streaming.tests.helpers import member, run, subscribed
from streaming.tests.test_events import api_get

pytestmark = pytest.mark.django_db(transaction=True)


def _quote_with_polls(author: Any, quoted_author: Any) -> Post:
    poll = {"options": ["Up", "Down"], "duration_hours": 24}
    quoted = post_create(author=quoted_author, content="Where does $NVDA close?", poll=poll)
    return post_create(author=author, content="And $AAPL?", poll=poll, quoted_post_id=quoted.pk)


def _vote(viewer: Any, post: Post, position: int) -> None:
    assert post.poll is not None
    option = post.poll.options.order_by("position")[position]
    poll_vote(poll=post.poll, option_id=option.pk, user=viewer)


async def _delivered(viewers: list[Any], post: Post) -> list[Any]:
    sockets = [await subscribed(viewer, {"stream": "public"}) for viewer in viewers]
    message = {"type": "stream.post", "stream": ["public"], "post_id": post.pk, "author_id": post.author_id}
    await get_channel_layer().group_send(PUBLIC, message)
    payloads = [(await socket.receive_event())[2] for socket in sockets]
    for socket in sockets:
        await socket.disconnect()
    return payloads


def test_each_viewer_gets_their_own_flags_votes_and_quoted_post_as_the_feed_shows_them() -> None:
    author, quoted_author, voter, blocker, anyone = member(), member(), member(), member(), member()
    post = _quote_with_polls(author, quoted_author)
    assert post.quoted_post is not None
    _vote(voter, post, 1)
    _vote(voter, post.quoted_post, 0)
    post_reaction_toggle(user=voter, post_id=post.pk)
    bookmark_add(user=voter, post_id=post.quoted_post.pk)
    block_create(user=quoted_author, target=blocker)

    payloads = run(_delivered([voter, blocker, anyone], post))

    for viewer, payload in zip([voter, blocker, anyone], payloads, strict=True):
        assert payload == api_get(viewer, "/api/v1/feed?scope=all")["results"][0]
    voted, blocked, plain = payloads
    assert voted["viewer"] == {"reacted": True, "reposted": False, "bookmarked": False}
    assert voted["poll"]["viewer_vote"] is not None
    assert voted["quoted_post"]["viewer"]["bookmarked"] is True
    assert voted["quoted_post"]["poll"]["viewer_vote"] is not None
    assert blocked["quoted_post"] is None
    assert plain["quoted_post"]["id"] == str(post.quoted_post.pk)
    assert plain["poll"]["viewer_vote"] is None


def test_the_shared_render_is_reused_within_its_lifetime_only() -> None:
    from streaming.api import rendering

    author, viewer = member(), member()
    post = post_create(author=author, content="Counts")

    async def twice() -> list[Any]:
        first = await _delivered([viewer], post)
        await database_sync_to_async(post_reaction_toggle)(user=author, post_id=post.pk)
        second = await _delivered([viewer], post)  # within RENDER_TTL: the same counts
        rendering.post_renders.clear()
        third = await _delivered([viewer], post)
        return [*first, *second, *third]

    first, second, third = run(twice())
    assert first["stats"]["reactions"] == second["stats"]["reactions"] == 0
    assert third["stats"]["reactions"] == 1
