"""posts/{id}/bookmarks (add, remove) and GET bookmarks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import Bookmark, Post
from content.tests.factories import PostFactory
from content.tests.factories_interactions import BookmarkFactory, PostReactionFactory, assert_problem
from social.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/bookmarks"


def url(post_id: int) -> str:
    return f"/api/v1/posts/{post_id}/bookmarks"


@pytest.fixture
def post(other_user):
    return PostFactory(author=other_user)


def bookmark(user, post, *, minutes_ago: int = 0):
    return BookmarkFactory(user=user, post=post, created_at=timezone.now() - timedelta(minutes=minutes_ago))


def ids(response) -> list[str]:
    return [post["id"] for post in response.json()["results"]]


# POST


def test_bookmarking_a_post_is_201(auth_client, user, post):
    BookmarkFactory(post=post)

    response = auth_client.post(url(post.pk))

    assert response.status_code == 201
    assert response.json() == {"bookmarked": True, "count": 2}
    assert Bookmark.objects.filter(user=user, post=post).count() == 1


def test_bookmarking_again_is_200_and_keeps_one_bookmark(auth_client, user, post):
    first = bookmark(user, post, minutes_ago=5)

    response = auth_client.post(url(post.pk))

    assert response.status_code == 200
    assert response.json() == {"bookmarked": True, "count": 1}
    assert list(Bookmark.objects.filter(user=user)) == [first]  # the original time is kept


def test_one_may_bookmark_ones_own_post(auth_client, user):
    own = PostFactory(author=user)

    assert auth_client.post(url(own.pk)).status_code == 201


def test_anonymous_cannot_bookmark(api_client, post):
    assert_problem(api_client.post(url(post.pk)), 401)
    assert not Bookmark.objects.exists()


@pytest.mark.parametrize("blocker", ["author", "viewer"])
def test_bookmarking_is_refused_when_either_blocked_the_other(auth_client, user, post, blocker):
    if blocker == "author":
        BlockFactory(user=post.author, target=user)
    else:
        BlockFactory(user=user, target=post.author)

    assert_problem(auth_client.post(url(post.pk)), 404)
    assert not Bookmark.objects.exists()


@pytest.mark.parametrize(
    "make_post",
    [
        lambda: PostFactory(deleted_at=timezone.now()),
        lambda: PostFactory(is_hidden=True),
        lambda: PostFactory(author=UserFactory(is_active=False, suspended_at=timezone.now())),
    ],
    ids=["deleted", "hidden", "author-suspended"],
)
def test_bookmarking_an_invisible_post_is_404(auth_client, make_post):
    assert_problem(auth_client.post(url(make_post().pk)), 404)
    assert not Bookmark.objects.exists()


@pytest.mark.parametrize("post_id", [99999999, 2**63])
def test_bookmarking_a_missing_post_is_404(auth_client, post_id):
    assert_problem(auth_client.post(url(post_id)), 404)


# DELETE


def test_removing_a_bookmark_deletes_only_yours(auth_client, user, other_user, post):
    bookmark(user, post)
    bookmark(other_user, post)

    response = auth_client.delete(url(post.pk))

    assert response.status_code == 204
    assert list(Bookmark.objects.values_list("user_id", flat=True)) == [other_user.pk]


def test_removing_a_bookmark_that_is_not_there_is_204(auth_client, post):
    assert auth_client.delete(url(post.pk)).status_code == 204
    assert auth_client.delete(url(99999999)).status_code == 204


def test_removing_a_bookmark_of_an_id_beyond_a_bigint_is_404_at_the_resolver(auth_client):
    assert_problem(auth_client.delete(url(2**63)), 404)


def test_removing_a_bookmark_of_a_post_since_deleted_works(auth_client, user, post):
    bookmark(user, post)
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())

    assert auth_client.delete(url(post.pk)).status_code == 204
    assert not Bookmark.objects.exists()


def test_anonymous_cannot_remove_a_bookmark(api_client, user, post):
    bookmark(user, post)

    assert_problem(api_client.delete(url(post.pk)), 401)
    assert Bookmark.objects.count() == 1


# GET bookmarks


def test_bookmarks_list_posts_newest_bookmark_first(auth_client, user, other_user):
    old_post, new_post = PostFactory(created_at=timezone.now() - timedelta(days=2)), PostFactory()
    bookmark(user, new_post, minutes_ago=30)
    bookmark(user, old_post, minutes_ago=1)
    bookmark(other_user, PostFactory())

    response = auth_client.get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert ids(response) == [str(old_post.pk), str(new_post.pk)]
    assert all(post["viewer"]["bookmarked"] for post in body["results"])
    assert body["results"][0]["stats"]["bookmarks"] == 1
    assert body["next"] is None


def test_bookmarks_leave_out_posts_no_longer_visible(auth_client, user):
    kept = PostFactory()
    blocked_by_viewer, blocking_viewer = PostFactory(), PostFactory()
    BlockFactory(user=user, target=blocked_by_viewer.author)
    BlockFactory(user=blocking_viewer.author, target=user)
    for post in [
        kept,
        PostFactory(deleted_at=timezone.now()),
        PostFactory(is_hidden=True),
        PostFactory(author=UserFactory(is_active=False, suspended_at=timezone.now())),
        blocked_by_viewer,
        blocking_viewer,
    ]:
        bookmark(user, post)

    assert ids(auth_client.get(LIST_URL)) == [str(kept.pk)]
    assert Bookmark.objects.filter(user=user).count() == 6  # kept, in case the posts come back


def test_bookmarks_page_by_the_bookmark_time(auth_client, user):
    posts = [PostFactory() for _ in range(5)]
    for age, post in enumerate(posts):
        bookmark(user, post, minutes_ago=age)

    first = auth_client.get(LIST_URL, {"limit": 2})
    second = auth_client.get(first.json()["next"])
    third = auth_client.get(second.json()["next"])

    assert ids(first) + ids(second) + ids(third) == [str(p.pk) for p in posts]
    assert third.json()["next"] is None
    assert ids(auth_client.get(third.json()["previous"])) == ids(second)


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "abc"}, {"cursor": "!!"}])
def test_bookmarks_reject_a_bad_page_request(auth_client, query):
    assert_problem(auth_client.get(LIST_URL, query), 400, *query)


def test_anonymous_has_no_bookmarks(api_client):
    assert_problem(api_client.get(LIST_URL), 401)


@pytest.mark.parametrize("size", [1, 50])
def test_bookmarks_query_count_does_not_grow_with_the_page(client_for, user, size, django_assert_num_queries):
    for age in range(size):
        quoted = PostFactory()
        post = PostFactory(quoted_post=quoted)
        bookmark(user, post, minutes_ago=age)
        PostReactionFactory(post=post, user=user)
    client = client_for(user)

    # The viewer (authentication); the page of bookmarks; the states of the posts and the posts
    # they quote (counters, polls, viewer flags); their bodies (none cached yet).
    with django_assert_num_queries(4):
        response = client.get(LIST_URL, {"limit": 100})

    results = response.json()["results"]
    assert len(results) == size
    assert all(post["viewer"] == {"reacted": True, "reposted": False, "bookmarked": True} for post in results)
    assert all(post["quoted_post"] is not None for post in results)
