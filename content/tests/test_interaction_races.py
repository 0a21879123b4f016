"""Concurrent likes, reposts and bookmarks: the unique constraints decide, nothing 500s, counts stay exact.

PostgreSQL only: SQLite serialises every write, so nothing would race.
"""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from content.models import Bookmark, CommentReaction, PostReaction, Repost
from content.tests.factories import PostFactory
from content.tests.factories_interactions import CommentFactory, PostReactionFactory
from core.testing import postgres_only, race

pytestmark = postgres_only

USERS = 8
# As many parallel toggles by one user as the issue saw.
TOGGLES = 20


def like_url(post) -> str:
    return f"/api/v1/posts/{post.pk}/reactions"


def comment_like_url(comment) -> str:
    return f"/api/v1/comments/{comment.pk}/reactions"


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

    responses = race(lambda: waiting.pop().post(comment_like_url(comment)), threads=USERS)

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


def test_the_same_user_toggling_a_like_twice_at_once_unlikes_then_likes_again(client_for):
    post = PostFactory()
    user = UserFactory()
    PostReactionFactory(post=post, user=user)
    client = client_for(user)

    responses = race(lambda: client.post(like_url(post)))

    assert [r.status_code for r in responses] == [200, 200]
    # Two toggles are two changes: never two "unliked" for one like removed.
    assert sorted(r.json()["reacted"] for r in responses) == [False, True]
    assert PostReaction.objects.filter(post=post, user=user).count() == 1


@pytest.fixture
def row_changes():
    """``row_changes(model)``: how many rows of ``model`` were really inserted and deleted (committed), as
    (inserts, deletes), counted by a trigger; the answers of the API can then be checked against them."""
    tables = [PostReaction._meta.db_table, CommentReaction._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE test_row_changes (tbl text, op text);"
            "CREATE FUNCTION test_row_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO test_row_changes VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$;"
        )
        for table in tables:
            cursor.execute(
                f"CREATE TRIGGER test_row_change AFTER INSERT OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_row_change()"
            )

    def counts(model) -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE op = 'INSERT'), count(*) FILTER (WHERE op = 'DELETE') "
                "FROM test_row_changes WHERE tbl = %s",
                [model._meta.db_table],
            )
            return cursor.fetchone()

    yield counts
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TRIGGER test_row_change ON {table}")
        cursor.execute("DROP FUNCTION test_row_change() CASCADE; DROP TABLE test_row_changes")


@pytest.mark.parametrize("kind", ["post", "comment"])
@pytest.mark.parametrize("liked_before", [False, True])
def test_parallel_toggles_by_one_user_each_answer_the_change_they_made(client_for, row_changes, kind, liked_before):
    user = UserFactory()
    if kind == "post":
        target, model, url = PostFactory(), PostReaction, like_url
    else:
        target, model, url = (
            CommentFactory(),
            CommentReaction,
            lambda comment: f"/api/v1/comments/{comment.pk}/reactions",
        )
    if liked_before:
        model.objects.create(user=user, **{kind: target})
    client = client_for(user)

    responses = race(lambda: client.post(url(target)), threads=TOGGLES)

    assert [r.status_code for r in responses] == [200] * TOGGLES
    liked = [r.json()["reacted"] for r in responses].count(True)
    unliked = TOGGLES - liked
    final = model.objects.filter(user=user, **{kind: target}).count()
    # Each toggle made one change of its own, and answered it: as if they ran one after another.
    assert final == (liked_before + TOGGLES) % 2
    assert liked - unliked == final - liked_before
    # Every "liked" is a row inserted, every "unliked" a row deleted, by that request.
    assert row_changes(model) == (liked + liked_before, unliked)


def test_parallel_explicit_likes_by_one_user_all_end_liked(client_for, row_changes):
    post = PostFactory()
    client = client_for(UserFactory())

    responses = race(lambda: client.post(like_url(post), {"reacted": True}, format="json"), threads=USERS)

    assert [r.status_code for r in responses] == [200] * USERS
    assert all(r.json() == {"reacted": True, "count": 1} for r in responses)
    assert row_changes(PostReaction) == (1, 0)


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
