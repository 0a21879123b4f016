"""posts/{id}/reposts: plain reposts (add, remove) and quotes (a new post)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import Post, Repost
from content.querysets import post_viewer_flags
from content.tests.factories import PostFactory
from content.tests.factories_interactions import RepostFactory, assert_problem
from content.tests.helpers_posts import POST_FIELDS
from social.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db


def url(post_id: int) -> str:
    return f"/api/v1/posts/{post_id}/reposts"


@pytest.fixture
def post(other_user):
    return PostFactory(author=other_user)


def block(blocker: str, user, author) -> None:
    if blocker == "author":
        BlockFactory(user=author, target=user)
    else:
        BlockFactory(user=user, target=author)


INVISIBLE_POSTS = pytest.mark.parametrize(
    "make_post",
    [
        lambda: PostFactory(deleted_at=timezone.now()),
        lambda: PostFactory(is_hidden=True),
        lambda: PostFactory(author=UserFactory(is_active=False, suspended_at=timezone.now())),
    ],
    ids=["deleted", "hidden", "author-suspended"],
)


# Plain reposts


@pytest.mark.parametrize("payload", [{}, {"content": None}])
def test_plain_repost_is_created(auth_client, user, post, payload):
    RepostFactory(post=post)

    response = auth_client.post(url(post.pk), payload)

    assert response.status_code == 201, response.content
    assert response.json() == {"reposted": True, "count": 2}
    assert Repost.objects.filter(post=post, user=user).exists()
    assert Post.objects.count() == 1  # no new post
    assert post_viewer_flags(user, [post.pk])[post.pk]["reposted"] is True


def test_a_second_plain_repost_is_409(auth_client, user, post):
    RepostFactory(post=post, user=user)

    response = auth_client.post(url(post.pk))

    assert_problem(response, 409)
    assert Repost.objects.filter(post=post, user=user).count() == 1


def test_one_may_repost_ones_own_post(auth_client, user):
    own = PostFactory(author=user)

    assert auth_client.post(url(own.pk)).json() == {"reposted": True, "count": 1}


def test_anonymous_cannot_repost(api_client, post):
    assert_problem(api_client.post(url(post.pk)), 401)
    assert_problem(api_client.post(url(post.pk), {"content": "Look"}), 401)
    assert not Repost.objects.exists()
    assert Post.objects.count() == 1


@pytest.mark.parametrize("blocker", ["author", "viewer"])
@pytest.mark.parametrize("payload", [{}, {"content": "Look at this"}], ids=["plain", "quote"])
def test_repost_is_refused_when_either_blocked_the_other(auth_client, user, post, blocker, payload):
    block(blocker, user, post.author)

    assert_problem(auth_client.post(url(post.pk), payload), 404)
    assert not Repost.objects.exists()
    assert Post.objects.count() == 1


@INVISIBLE_POSTS
@pytest.mark.parametrize("payload", [{}, {"content": "Look at this"}], ids=["plain", "quote"])
def test_reposting_an_invisible_post_is_404(auth_client, make_post, payload):
    target = make_post()

    assert_problem(auth_client.post(url(target.pk), payload), 404)
    assert not Repost.objects.exists()
    assert Post.objects.count() == 1


@pytest.mark.parametrize("post_id", [99999999, 2**63])
def test_reposting_a_missing_post_is_404(auth_client, post_id):
    assert_problem(auth_client.post(url(post_id)), 404)


# Quotes


def test_quote_is_a_new_post_quoting_this_one(auth_client, user, post):
    response = auth_client.post(url(post.pk), {"content": "  Disagree: $TSLA is overbought.  "})

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == POST_FIELDS
    quote = Post.objects.get(pk=body["id"])
    assert (quote.author_id, quote.quoted_post_id, quote.content) == (
        user.pk,
        post.pk,
        "Disagree: $TSLA is overbought.",
    )
    assert body["author"]["id"] == str(user.pk)
    assert body["content"] == "Disagree: $TSLA is overbought."
    assert body["tickers"] == ["TSLA"]
    assert body["quoted_post"]["id"] == str(post.pk)
    assert not Repost.objects.exists()  # a quote is not a plain repost
    user.refresh_from_db()
    assert user.posts_count == 1


def test_a_post_may_be_quoted_after_a_plain_repost_and_twice(auth_client, user, post):
    RepostFactory(post=post, user=user)

    assert auth_client.post(url(post.pk), {"content": "One"}).status_code == 201
    assert auth_client.post(url(post.pk), {"content": "Two"}).status_code == 201
    assert Post.objects.filter(quoted_post=post).count() == 2


@pytest.mark.parametrize("content", ["", "   ", "x" * 1001, ["a"], {"text": "a"}])
def test_quote_content_must_be_a_valid_post(auth_client, post, content):
    response = auth_client.post(url(post.pk), {"content": content})

    assert_problem(response, 400, "content")
    assert Post.objects.count() == 1


# DELETE


def test_removing_a_repost_deletes_it(auth_client, user, post):
    RepostFactory(post=post, user=user)
    RepostFactory(post=post)

    response = auth_client.delete(url(post.pk))

    assert response.status_code == 204
    assert not Repost.objects.filter(user=user).exists()
    assert Repost.objects.filter(post=post).count() == 1


def test_removing_a_repost_that_is_not_there_is_204(auth_client, post):
    assert auth_client.delete(url(post.pk)).status_code == 204
    assert auth_client.delete(url(99999999)).status_code == 204


def test_removing_a_repost_of_an_id_beyond_a_bigint_is_404_at_the_resolver(auth_client):
    assert_problem(auth_client.delete(url(2**63)), 404)


def test_removing_a_repost_of_a_post_since_deleted_or_blocked_still_works(auth_client, user, post):
    RepostFactory(post=post, user=user)
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())
    BlockFactory(user=post.author, target=user)

    assert auth_client.delete(url(post.pk)).status_code == 204
    assert not Repost.objects.exists()


def test_removing_a_repost_keeps_quotes(auth_client, user, post):
    quote = PostFactory(author=user, quoted_post=post)

    assert auth_client.delete(url(post.pk)).status_code == 204
    assert Post.objects.filter(pk=quote.pk, deleted_at__isnull=True).exists()


def test_another_users_repost_is_untouched(auth_client, other_user, post):
    RepostFactory(post=post, user=other_user)

    assert auth_client.delete(url(post.pk)).status_code == 204
    assert Repost.objects.filter(user=other_user).exists()


def test_anonymous_cannot_remove_a_repost(api_client, post):
    RepostFactory(post=post)

    assert_problem(api_client.delete(url(post.pk)), 401)
    assert Repost.objects.count() == 1
