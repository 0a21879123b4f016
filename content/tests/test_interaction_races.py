"""Concurrent likes, reposts and bookmarks: the unique constraints decide, nothing 500s, counts stay exact.

PostgreSQL only: SQLite serialises every write, so nothing would race.
"""

from __future__ import annotations

from accounts.tests.factories import UserFactory
from content.models import Bookmark, CommentReaction, PostReaction, Repost
from content.tests.factories import PostFactory
from content.tests.factories_interactions import CommentFactory
from core.testing import postgres_only, race

pytestmark = postgres_only

USERS = 8


def like_url(post) -> str:
    return f"/api/v1/posts/{post.pk}/reactions"


def clients(client_for, count: int) -> list:
    return [client_for(UserFactory()) for _ in range(count)]


def test_parallel_likes_by_many_users_are_each_counted_once(client_for):
    post = PostFactory()
    waiting = clients(client_for, USERS)

    responses = race(lambda: waiting.pop().post(like_url(post)), threads=USERS)

    assert [r.status_code for r in responses] == [200] * USERS
    assert all(r.json()["reacted"] for r in responses)
    # Each answer counts its own like and those committed before it read (READ COMMITTED).
    assert all(1 <= r.json()["count"] <= USERS for r in responses)
    assert PostReaction.objects.filter(post=post).count() == USERS


def test_parallel_comment_likes_by_many_users_are_each_counted_once(client_for):
    comment = CommentFactory()
    waiting = clients(client_for, USERS)

    responses = race(lambda: waiting.pop().post(f"/api/v1/comments/{comment.pk}/reactions"), threads=USERS)

    assert [r.status_code for r in responses] == [200] * USERS
    assert CommentReaction.objects.filter(comment=comment).count() == USERS


def test_the_same_user_liking_twice_at_once_toggles_twice(client_for):
    post = PostFactory()
    client = client_for(UserFactory())

    responses = race(lambda: client.post(like_url(post)))

    assert [r.status_code for r in responses] == [200, 200]
    # Serialised on the unique index: one like, then one unlike.
    assert sorted((r.json()["reacted"], r.json()["count"]) for r in responses) == [(False, 0), (True, 1)]
    assert not PostReaction.objects.exists()


def test_the_same_user_unliking_twice_at_once_leaves_no_like(client_for):
    post = PostFactory()
    user = UserFactory()
    PostReaction.objects.create(post=post, user=user)
    client = client_for(user)

    responses = race(lambda: client.post(like_url(post)))

    assert [r.status_code for r in responses] == [200, 200]
    reacted = sorted(r.json()["reacted"] for r in responses)
    # Both saw the like and removed it, or the second one liked again after the first unliked.
    assert reacted in ([False, False], [False, True])
    assert PostReaction.objects.filter(post=post, user=user).count() == reacted.count(True)


def test_parallel_plain_reposts_by_one_user_make_one_repost(client_for):
    post = PostFactory()
    client = client_for(UserFactory())

    responses = race(lambda: client.post(f"/api/v1/posts/{post.pk}/reposts"), threads=3)

    assert sorted(r.status_code for r in responses) == [201, 409, 409]
    assert next(r.json() for r in responses if r.status_code == 201) == {"reposted": True, "count": 1}
    assert Repost.objects.filter(post=post).count() == 1


def test_parallel_plain_reposts_by_many_users_are_each_counted(client_for):
    post = PostFactory()
    waiting = clients(client_for, USERS)

    responses = race(lambda: waiting.pop().post(f"/api/v1/posts/{post.pk}/reposts"), threads=USERS)

    assert [r.status_code for r in responses] == [201] * USERS
    assert Repost.objects.filter(post=post).count() == USERS


def test_parallel_bookmarks_by_one_user_make_one_bookmark(client_for):
    post = PostFactory()
    client = client_for(UserFactory())

    responses = race(lambda: client.post(f"/api/v1/posts/{post.pk}/bookmarks"), threads=3)

    assert sorted(r.status_code for r in responses) == [200, 200, 201]
    assert all(r.json() == {"bookmarked": True, "count": 1} for r in responses)
    assert Bookmark.objects.filter(post=post).count() == 1
