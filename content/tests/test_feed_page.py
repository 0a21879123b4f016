"""content.feed.feed_page, the feed selector the view calls: pages, cursors and their errors."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from content.feed import feed_page
from content.tests.factories import PostFactory
from content.tests.factories_interactions import RepostFactory
from content.tests.helpers_posts import minutes_ago
from core.errors import Invalid
from core.keyset import Cursor
from social.tests.factories import FollowFactory, MuteFactory

pytestmark = pytest.mark.django_db


def walk(viewer, scope, limit):
    """Every page of the feed from the top, following ``next``: [(post id, reposter id or None), ...] per page."""
    pages, cursor = [], None
    while True:
        page = feed_page(viewer, scope=scope, cursor=cursor, limit=limit)
        pages.append([(post.pk, getattr(getattr(post, "reposted_by", None), "pk", None)) for post in page.rows])
        if page.next is None:
            return pages, page
        cursor = page.next.encode()


@pytest.fixture
def following_world(user, other_user):
    """Five followed posts and two reposts by a followee, interleaved in time; plus posts the viewer never sees."""
    reposter, stranger, muted = UserFactory(), UserFactory(), UserFactory()
    FollowFactory(follower=user, following=other_user)
    FollowFactory(follower=user, following=reposter)
    MuteFactory(user=user, target=muted)
    posts = [PostFactory(author=other_user, created_at=minutes_ago(100 - 10 * index)) for index in range(5)]
    reposted = [PostFactory(author=stranger, created_at=minutes_ago(500 + index)) for index in range(2)]
    for index, post in enumerate(reposted):
        RepostFactory(post=post, user=reposter, created_at=minutes_ago(95 - 20 * index))
    PostFactory(author=stranger)  # not followed
    PostFactory(author=muted)
    return posts, reposted, reposter


def test_following_pages_round_trip_through_their_cursors(user, following_world):
    posts, reposted, reposter = following_world

    pages, last = walk(user, "following", limit=3)

    # Newest first: post 4 (60 min ago), post 3 (70), repost 1 (75), post 2 (80), post 1 (90), repost 0 (95), post 0.
    assert pages == [
        [(posts[4].pk, None), (posts[3].pk, None), (reposted[1].pk, reposter.pk)],
        [(posts[2].pk, None), (posts[1].pk, None), (reposted[0].pk, reposter.pk)],
        [(posts[0].pk, None)],
    ]
    assert last.next is None
    assert last.previous is not None


def test_following_previous_cursor_returns_the_page_before(user, following_world):
    first = feed_page(user, scope="following", cursor=None, limit=3)
    second = feed_page(user, scope="following", cursor=first.next.encode(), limit=3)

    back = feed_page(user, scope="following", cursor=second.previous.encode(), limit=3)

    assert [(post.pk, post.reposted_by) for post in back.rows] == [(post.pk, post.reposted_by) for post in first.rows]
    assert first.previous is None
    assert back.previous is None
    assert back.next == first.next


def test_all_pages_round_trip_and_the_last_has_no_next(user, other_user):
    posts = [PostFactory(author=other_user, created_at=minutes_ago(50 - index)) for index in range(5)]
    muted = UserFactory()
    MuteFactory(user=user, target=muted)
    PostFactory(author=muted)

    pages, last = walk(user, "all", limit=2)

    assert pages == [
        [(posts[4].pk, None), (posts[3].pk, None)],
        [(posts[2].pk, None), (posts[1].pk, None)],
        [(posts[0].pk, None)],
    ]
    assert last.next is None
    assert last.previous == Cursor((posts[0].created_at, posts[0].pk), forward=False)


def test_a_page_that_fits_has_no_cursors(user):
    post = PostFactory(author=user)

    page = feed_page(user, scope="following", cursor=None, limit=20)

    assert [entry.pk for entry in page.rows] == [post.pk]
    assert page.next is None
    assert page.previous is None


@pytest.mark.parametrize("scope", ["all", "following"])
@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        Cursor((1, 2, 3)).encode(),  # neither feed's key types
        Cursor(("a", 2)).encode(),
        Cursor((10**30, 1)).encode(),  # beyond a bigint
    ],
)
def test_a_bad_cursor_is_invalid_naming_cursor(user, scope, cursor):
    with pytest.raises(Invalid) as error:
        feed_page(user, scope=scope, cursor=cursor, limit=20)

    assert set(error.value.errors) == {"cursor"}


def test_one_feeds_cursor_is_refused_by_the_other(user):
    post = PostFactory(author=user, created_at=minutes_ago(5))
    PostFactory(author=user, created_at=minutes_ago(10))
    all_next = feed_page(user, scope="all", cursor=None, limit=1).next
    following_next = feed_page(user, scope="following", cursor=None, limit=1).next
    assert all_next == Cursor((post.created_at, post.pk))

    for scope, cursor in (("following", all_next), ("all", following_next)):
        with pytest.raises(Invalid) as error:
            feed_page(user, scope=scope, cursor=cursor.encode(), limit=1)
        assert set(error.value.errors) == {"cursor"}


def test_an_unknown_scope_is_invalid_naming_scope(user):
    with pytest.raises(Invalid) as error:
        feed_page(user, scope="friends", cursor=None, limit=20)

    assert set(error.value.errors) == {"scope"}
