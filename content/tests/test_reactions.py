"""posts/{id}/reactions and comments/{id}/reactions: a toggled like."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import CommentReaction, Post, PostReaction
from content.querysets import post_viewer_flags
from content.services import interactions
from content.tests.factories import PostFactory
from content.tests.factories_interactions import (
    CommentFactory,
    CommentReactionFactory,
    PostReactionFactory,
    assert_problem,
)
from social.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db


def post_url(post_id: int) -> str:
    return f"/api/v1/posts/{post_id}/reactions"


def comment_url(comment_id: int) -> str:
    return f"/api/v1/comments/{comment_id}/reactions"


@pytest.fixture
def post(other_user):
    return PostFactory(author=other_user)


@pytest.fixture
def comment(post):
    return CommentFactory(post=post)


def block(blocker: str, user, author) -> None:
    if blocker == "author":
        BlockFactory(user=author, target=user)
    else:
        BlockFactory(user=user, target=author)


# Posts


def test_liking_a_post_adds_a_like_and_answers_the_new_count(auth_client, user, post):
    PostReactionFactory(post=post)

    response = auth_client.post(post_url(post.pk))

    assert response.status_code == 200
    assert response.json() == {"reacted": True, "count": 2}
    assert PostReaction.objects.filter(post=post, user=user).exists()


def test_liking_a_liked_post_removes_the_like(auth_client, user, post):
    PostReactionFactory(post=post, user=user)
    PostReactionFactory(post=post)

    response = auth_client.post(post_url(post.pk))

    assert response.status_code == 200
    assert response.json() == {"reacted": False, "count": 1}
    assert not PostReaction.objects.filter(post=post, user=user).exists()
    assert PostReaction.objects.filter(post=post).count() == 1


def test_toggling_twice_returns_to_the_start(auth_client, user, post):
    assert auth_client.post(post_url(post.pk)).json() == {"reacted": True, "count": 1}
    assert auth_client.post(post_url(post.pk)).json() == {"reacted": False, "count": 0}
    assert not PostReaction.objects.exists()


def test_one_may_like_ones_own_post(auth_client, user):
    own = PostFactory(author=user)

    assert auth_client.post(post_url(own.pk)).json() == {"reacted": True, "count": 1}


def test_a_body_cannot_set_the_count(auth_client, post):
    response = auth_client.post(post_url(post.pk), {"count": 99, "user": 1})

    assert response.json() == {"reacted": True, "count": 1}


@pytest.mark.parametrize("liked_before", [False, True])
@pytest.mark.parametrize("wanted", [True, False])
def test_an_explicit_like_or_unlike_is_idempotent(auth_client, user, post, liked_before, wanted):
    if liked_before:
        PostReactionFactory(post=post, user=user)

    answers = [auth_client.post(post_url(post.pk), {"reacted": wanted}, format="json") for _ in range(2)]

    assert [r.status_code for r in answers] == [200, 200]
    assert [r.json() for r in answers] == [{"reacted": wanted, "count": int(wanted)}] * 2
    assert PostReaction.objects.filter(post=post, user=user).count() == int(wanted)


def test_an_explicit_comment_like_is_idempotent(auth_client, user, comment):
    answers = [auth_client.post(comment_url(comment.pk), {"reacted": True}, format="json") for _ in range(2)]

    assert [r.json() for r in answers] == [{"reacted": True, "count": 1}] * 2
    assert CommentReaction.objects.filter(comment=comment, user=user).count() == 1


@pytest.mark.parametrize("reacted", [None, "maybe", [True]])
def test_a_bad_reacted_is_400_naming_it(auth_client, post, reacted):
    assert_problem(auth_client.post(post_url(post.pk), {"reacted": reacted}, format="json"), 400, "reacted")
    assert not PostReaction.objects.exists()


def test_a_toggle_that_never_gets_its_turn_gives_up_with_409(auth_client, post, monkeypatch):
    # As if another toggle of the same user always removed the like between this one's insert and delete.
    monkeypatch.setattr(interactions, "_insert_once", lambda model, **fields: False)

    assert_problem(auth_client.post(post_url(post.pk)), 409)
    assert not PostReaction.objects.exists()


def test_anonymous_cannot_like_a_post(api_client, post):
    assert_problem(api_client.post(post_url(post.pk)), 401)
    assert not PostReaction.objects.exists()


@pytest.mark.parametrize("blocker", ["author", "viewer"])
def test_liking_a_post_is_refused_when_either_blocked_the_other(auth_client, user, post, blocker):
    block(blocker, user, post.author)

    assert_problem(auth_client.post(post_url(post.pk)), 404)
    assert not PostReaction.objects.exists()


@pytest.mark.parametrize(
    "make_post",
    [
        lambda: PostFactory(deleted_at=timezone.now()),
        lambda: PostFactory(is_hidden=True),
        lambda: PostFactory(author=UserFactory(is_active=False, suspended_at=timezone.now())),
    ],
    ids=["deleted", "hidden", "author-suspended"],
)
def test_liking_an_invisible_post_is_404(auth_client, make_post):
    assert_problem(auth_client.post(post_url(make_post().pk)), 404)
    assert not PostReaction.objects.exists()


@pytest.mark.parametrize("post_id", [99999999, 2**63])
def test_liking_a_missing_post_is_404(auth_client, post_id):
    assert_problem(auth_client.post(post_url(post_id)), 404)


def test_post_likes_show_in_the_post_stats_and_viewer_flags(auth_client, user, post):
    auth_client.post(post_url(post.pk))

    assert Post.objects.for_display(user).get(pk=post.pk).reactions_count == 1
    assert post_viewer_flags(user, [post.pk])[post.pk]["reacted"] is True


# Comments


def test_liking_a_comment_adds_a_like_and_answers_the_new_count(auth_client, user, comment):
    CommentReactionFactory(comment=comment)

    response = auth_client.post(comment_url(comment.pk))

    assert response.status_code == 200
    assert response.json() == {"reacted": True, "count": 2}
    assert CommentReaction.objects.filter(comment=comment, user=user).exists()


def test_liking_a_liked_comment_removes_the_like(auth_client, user, comment):
    CommentReactionFactory(comment=comment, user=user)

    response = auth_client.post(comment_url(comment.pk))

    assert response.status_code == 200
    assert response.json() == {"reacted": False, "count": 0}
    assert not CommentReaction.objects.exists()


def test_comment_likes_show_in_the_comment_list(auth_client, user, comment):
    auth_client.post(comment_url(comment.pk))

    listed = auth_client.get(f"/api/v1/posts/{comment.post_id}/comments").json()["results"][0]

    assert listed["stats"] == {"reactions": 1}
    assert listed["viewer"] == {"reacted": True}


def test_anonymous_cannot_like_a_comment(api_client, comment):
    assert_problem(api_client.post(comment_url(comment.pk)), 401)
    assert not CommentReaction.objects.exists()


@pytest.mark.parametrize("blocker", ["author", "viewer"])
def test_liking_a_comment_is_refused_when_either_blocked_its_author(auth_client, user, comment, blocker):
    block(blocker, user, comment.author)

    assert_problem(auth_client.post(comment_url(comment.pk)), 404)
    assert not CommentReaction.objects.exists()


@pytest.mark.parametrize("blocker", ["author", "viewer"])
def test_liking_a_comment_is_refused_when_either_blocked_the_posts_author(auth_client, user, comment, blocker):
    block(blocker, user, comment.post.author)

    assert_problem(auth_client.post(comment_url(comment.pk)), 404)
    assert not CommentReaction.objects.exists()


@pytest.mark.parametrize(
    "make_comment",
    [
        lambda: CommentFactory(deleted_at=timezone.now()),
        lambda: CommentFactory(is_hidden=True),
        lambda: CommentFactory(author=UserFactory(is_active=False, suspended_at=timezone.now())),
        lambda: CommentFactory(post=PostFactory(deleted_at=timezone.now())),
        lambda: CommentFactory(post=PostFactory(is_hidden=True)),
    ],
    ids=["deleted", "hidden", "author-suspended", "post-deleted", "post-hidden"],
)
def test_liking_an_invisible_comment_is_404(auth_client, make_comment):
    assert_problem(auth_client.post(comment_url(make_comment().pk)), 404)
    assert not CommentReaction.objects.exists()


@pytest.mark.parametrize("comment_id", [99999999, 2**63])
def test_liking_a_missing_comment_is_404(auth_client, comment_id):
    assert_problem(auth_client.post(comment_url(comment_id)), 404)
