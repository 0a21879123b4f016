"""Posts rendered from a cached body and the viewer's state equal the serializer over ``for_display``."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory

from accounts.models import User
from accounts.services.profile import profile_update
from accounts.tests.factories import UserFactory
from content.api.rendering import render_posts
from content.api.serializers.posts import PostSerializer
from content.models import Post, PostMention
from content.querysets import FeedEntry, post_viewer_flags
from content.services.interactions import bookmark_add, post_reaction_toggle, repost_create
from content.services.posts import post_create, post_soft_delete
from content.tests.helpers_posts import MediaFactory
from polls.services import poll_vote
from social.services import block_create

pytestmark = pytest.mark.django_db


def _request(viewer: Any) -> Any:
    request = APIRequestFactory().get("/api/v1/feed", secure=True, HTTP_HOST="testserver")
    request.user = viewer
    return request


def _serialized(viewer: Any, posts: list[Any]) -> list[dict[str, Any]]:
    """The reference: ``PostSerializer`` over ``for_display`` with ``post_viewer_flags``."""
    loaded = Post.objects.for_display(viewer).in_bulk([post.pk for post in posts])
    flagged = [*loaded, *(post.quoted_post_id for post in loaded.values() if post.quoted_post_id)]
    context = {"request": _request(viewer), "post_flags": post_viewer_flags(viewer, flagged)}
    shown = []
    for post in posts:
        row = loaded[post.pk]
        row.reposted_by = getattr(post, "reposted_by", None)  # type: ignore[attr-defined]
        shown.append(PostSerializer(row, context=context).data)
    return json.loads(json.dumps(shown))  # plain dicts and lists, as render_posts returns


@pytest.fixture
def scene() -> dict[str, Any]:
    author, quoted_author, voter, blocker, mentioned = (cast(User, UserFactory()) for _ in range(5))
    poll = {"options": ["Up", "Down", "Flat"], "duration_hours": 24}
    quoted = post_create(author=quoted_author, content="Where does $NVDA close?", poll=poll, sentiment="bullish")
    post = post_create(
        author=author, content=f"And $AAPL $MSFT? @{mentioned.username}", poll=poll, quoted_post_id=quoted.pk
    )
    MediaFactory(owner=author, post=post, position=1, file="post-media/2025/01/b.webp")
    MediaFactory(owner=author, post=post, position=0, file="post-media/2025/01/a.webp")
    plain = post_create(author=author, content="Plain $TSLA", sentiment="bearish")
    assert post.poll is not None
    assert quoted.poll is not None
    poll_vote(poll=post.poll, option_id=post.poll.options.order_by("position")[1].pk, user=voter)
    poll_vote(poll=quoted.poll, option_id=quoted.poll.options.order_by("position")[0].pk, user=voter)
    post_reaction_toggle(user=voter, post_id=post.pk)
    bookmark_add(user=voter, post_id=quoted.pk)
    repost_create(user=voter, post_id=plain.pk)
    block_create(user=quoted_author, target=blocker)
    assert PostMention.objects.filter(post=post, user=mentioned).exists()
    return {"posts": [post, quoted, plain], "voter": voter, "blocker": blocker, "author": author}


@pytest.mark.parametrize("who", ["voter", "blocker", "author", "anonymous"])
def test_rendered_posts_equal_the_serializer_over_for_display(scene, who):
    from django.contrib.auth.models import AnonymousUser

    viewer = AnonymousUser() if who == "anonymous" else scene[who]
    post, quoted, plain = scene["posts"]
    entries = [
        FeedEntry(post.created_at, 1, post.pk, post.pk),
        FeedEntry(plain.created_at, 0, 1, plain.pk, reposted_by=scene["voter"]),
    ]
    if who != "blocker":  # the blocker may not see the quoted author's posts at all
        entries.append(FeedEntry(quoted.created_at, 1, quoted.pk, quoted.pk))

    for _ in range(2):  # bodies rendered, then read from the cache
        rendered = render_posts(_request(viewer), entries)
        assert rendered == _serialized(viewer, entries)

    first = rendered[0]
    assert first["tickers"] == ["AAPL", "MSFT"]
    assert [media["url"].rsplit("/", 1)[1] for media in first["media"]] == ["a.webp", "b.webp"]
    assert first["media"][0]["url"].startswith("https://testserver/")
    assert first["reposted_by"] is None
    assert rendered[1]["reposted_by"]["id"] == str(scene["voter"].pk)
    if who == "blocker":
        assert first["quoted_post"] is None
    else:
        assert first["quoted_post"]["id"] == str(quoted.pk)
    if who == "voter":
        assert first["viewer"]["reacted"] is True
        assert first["poll"]["viewer_vote"] == str(post.poll.options.order_by("position")[1].pk)
        assert first["quoted_post"]["viewer"]["bookmarked"] is True
        assert first["quoted_post"]["poll"]["viewer_vote"] == str(quoted.poll.options.order_by("position")[0].pk)


def test_a_cached_body_costs_no_query_and_a_change_to_post_or_author_shows_at_once(scene):
    post, _, _ = scene["posts"]
    author, voter = scene["author"], scene["voter"]
    request = _request(voter)
    render_posts(request, [post])

    with CaptureQueriesContext(connection) as cached:
        shown = render_posts(request, [post])[0]
    assert len(cached.captured_queries) == 1  # the states; the bodies came from the cache

    profile_update(user=author, display_name="Renamed Trader")
    post_reaction_toggle(user=author, post_id=post.pk)
    again = render_posts(request, [post])[0]
    assert again["author"]["display_name"] == "Renamed Trader"
    assert again["stats"]["reactions"] == shown["stats"]["reactions"] + 1
    assert again == _serialized(voter, [post])[0]

    Post.objects.filter(pk=post.pk).update(content="Edited by staff", updated_at=post.updated_at.replace(year=2099))
    assert render_posts(request, [post])[0]["content"] == "Edited by staff"


def test_a_post_gone_since_its_page_was_read_is_left_out(scene):
    post, quoted, plain = scene["posts"]
    post_soft_delete(post=plain)
    shown = render_posts(_request(scene["voter"]), [post, plain, quoted])
    assert [item["id"] for item in shown] == [str(post.pk), str(quoted.pk)]
    post_soft_delete(post=quoted)
    assert render_posts(_request(scene["voter"]), [post])[0]["quoted_post"] is None
