"""posts/{id}/comments (list, create) and comments/{id} (delete)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import Comment, CommentMention
from content.tests.factories import PostFactory
from content.tests.factories_interactions import CommentFactory, CommentReactionFactory, assert_problem
from moderation.models import ModerationAction
from social.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db

COMMENT_FIELDS = {
    "id",
    "post_id",
    "parent_id",
    "author",
    "content",
    "mentions",
    "created_at",
    "updated_at",
    "stats",
    "viewer",
}
AUTHOR_FIELDS = {"id", "username", "display_name", "profile_picture_url"}


def comments_url(post_id: int) -> str:
    return f"/api/v1/posts/{post_id}/comments"


def comment_url(comment_id: int) -> str:
    return f"/api/v1/comments/{comment_id}"


@pytest.fixture
def post(other_user):
    return PostFactory(author=other_user)


def thread(post, count: int, **fields) -> list:
    """``count`` comments on ``post``, a minute apart, oldest first."""
    start = timezone.now() - timedelta(hours=1)
    return [CommentFactory(post=post, created_at=start + timedelta(minutes=index), **fields) for index in range(count)]


def ids(response) -> list[str]:
    return [comment["id"] for comment in response.json()["results"]]


# POST posts/{id}/comments


def test_comment_is_created_with_trimmed_content(auth_client, user, post):
    response = auth_client.post(comments_url(post.pk), {"content": "  Great call on $AAPL.  "})

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == COMMENT_FIELDS
    comment = Comment.objects.get()
    assert body["id"] == str(comment.pk)
    assert body["post_id"] == str(post.pk)
    assert body["parent_id"] is None
    assert set(body["author"]) == AUTHOR_FIELDS
    assert body["author"]["id"] == str(user.pk)
    assert body["content"] == "Great call on $AAPL."
    assert body["stats"] == {"reactions": 0}
    assert body["viewer"] == {"reacted": False}
    assert (comment.post_id, comment.author_id, comment.content, comment.parent_id) == (
        post.pk,
        user.pk,
        "Great call on $AAPL.",
        None,
    )


def test_reply_names_its_parent(auth_client, post):
    parent = CommentFactory(post=post)

    response = auth_client.post(comments_url(post.pk), {"content": "Agreed.", "parent_id": str(parent.pk)})

    assert response.status_code == 201, response.content
    assert response.json()["parent_id"] == str(parent.pk)
    assert Comment.objects.get(pk=response.json()["id"]).parent_id == parent.pk


def test_a_reply_may_answer_a_reply(auth_client, post):
    root = CommentFactory(post=post)
    reply = CommentFactory(post=post, parent=root)

    response = auth_client.post(comments_url(post.pk), {"content": "Deeper.", "parent_id": reply.pk})

    assert response.status_code == 201
    assert response.json()["parent_id"] == str(reply.pk)


def test_comment_of_exactly_the_maximum_length_after_trimming_is_accepted(auth_client, post):
    response = auth_client.post(comments_url(post.pk), {"content": "  " + "x" * 1000 + "\n"})

    assert response.status_code == 201
    assert len(Comment.objects.get().content) == 1000


@pytest.mark.parametrize(
    "payload",
    [{}, {"content": ""}, {"content": "   \n\t "}, {"content": "x" * 1001}, {"content": None}, {"content": "a\x00b"}],
)
def test_comment_content_must_be_1_to_1000_characters(auth_client, post, payload):
    response = auth_client.post(comments_url(post.pk), payload)

    assert_problem(response, 400, "content")
    assert not Comment.objects.exists()


@pytest.mark.parametrize("parent_id", ["abc", 0, -1, 2**63, 99999999])
def test_reply_to_a_missing_comment_is_refused_naming_parent_id(auth_client, post, parent_id):
    response = auth_client.post(comments_url(post.pk), {"content": "Hi", "parent_id": parent_id})

    assert_problem(response, 400, "parent_id")
    assert not Comment.objects.exists()


def test_reply_to_a_comment_of_another_post_is_refused(auth_client, post):
    elsewhere = CommentFactory()

    response = auth_client.post(comments_url(post.pk), {"content": "Hi", "parent_id": elsewhere.pk})

    assert_problem(response, 400, "parent_id")
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "parent_fields",
    [{"deleted_at": timezone.now()}, {"is_hidden": True}],
    ids=["deleted", "hidden"],
)
def test_reply_to_an_invisible_comment_is_refused(auth_client, post, parent_fields):
    parent = CommentFactory(post=post, **parent_fields)

    response = auth_client.post(comments_url(post.pk), {"content": "Hi", "parent_id": parent.pk})

    assert_problem(response, 400, "parent_id")
    assert Comment.objects.count() == 1


def test_reply_to_a_comment_by_a_user_blocked_either_way_is_refused(auth_client, user, post):
    parent = CommentFactory(post=post)
    BlockFactory(user=parent.author, target=user)

    response = auth_client.post(comments_url(post.pk), {"content": "Hi", "parent_id": parent.pk})

    assert_problem(response, 400, "parent_id")


def test_anonymous_cannot_comment(api_client, post):
    response = api_client.post(comments_url(post.pk), {"content": "Hi"})

    assert_problem(response, 401)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("blocker", ["post_author", "viewer"])
def test_comment_is_refused_when_either_blocked_the_other(auth_client, user, post, blocker):
    if blocker == "post_author":
        BlockFactory(user=post.author, target=user)
    else:
        BlockFactory(user=user, target=post.author)

    response = auth_client.post(comments_url(post.pk), {"content": "Hi"})

    assert_problem(response, 404)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "make_post",
    [
        lambda: PostFactory(deleted_at=timezone.now()),
        lambda: PostFactory(is_hidden=True),
        lambda: PostFactory(author=UserFactory(is_active=False, suspended_at=timezone.now())),
    ],
    ids=["deleted", "hidden", "author-suspended"],
)
def test_comment_on_an_invisible_post_is_404(auth_client, make_post):
    response = auth_client.post(comments_url(make_post().pk), {"content": "Hi"})

    assert_problem(response, 404)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("post_id", [99999999, 2**63])
def test_comment_on_a_missing_post_is_404(auth_client, post_id):
    assert_problem(auth_client.post(comments_url(post_id), {"content": "Hi"}), 404)


def test_one_may_comment_on_ones_own_post(auth_client, user):
    own = PostFactory(author=user)

    assert auth_client.post(comments_url(own.pk), {"content": "Update: sold."}).status_code == 201


# GET posts/{id}/comments


def test_comments_are_listed_oldest_first_with_replies_flat(api_client, post):
    first, second = thread(post, 2)
    reply = CommentFactory(post=post, parent=first, created_at=second.created_at + timedelta(minutes=1))
    CommentFactory()  # on another post

    response = api_client.get(comments_url(post.pk))

    assert response.status_code == 200
    body = response.json()
    assert ids(response) == [str(first.pk), str(second.pk), str(reply.pk)]
    assert [comment["parent_id"] for comment in body["results"]] == [None, None, str(first.pk)]
    assert body["next"] is None
    assert body["previous"] is None


def test_comments_show_their_likes_and_whether_the_viewer_liked_them(client_for, user, post):
    liked, other = thread(post, 2)
    CommentReactionFactory(comment=liked, user=user)
    CommentReactionFactory(comment=liked)
    CommentReactionFactory(comment=other)

    response = client_for(user).get(comments_url(post.pk))

    results = response.json()["results"]
    assert [(c["stats"], c["viewer"]) for c in results] == [
        ({"reactions": 2}, {"reacted": True}),
        ({"reactions": 1}, {"reacted": False}),
    ]


def test_anonymous_viewers_see_no_viewer_flags(api_client, user, post):
    comment = CommentFactory(post=post)
    CommentReactionFactory(comment=comment, user=user)

    result = api_client.get(comments_url(post.pk)).json()["results"][0]

    assert result["stats"] == {"reactions": 1}
    assert result["viewer"] == {"reacted": False}


def test_deleted_hidden_and_suspended_authors_comments_are_left_out(api_client, post):
    kept = CommentFactory(post=post)
    CommentFactory(post=post, deleted_at=timezone.now())
    CommentFactory(post=post, is_hidden=True)
    CommentFactory(post=post, author=UserFactory(is_active=False, suspended_at=timezone.now()))
    CommentFactory(post=post, author=UserFactory(is_active=False))

    assert ids(api_client.get(comments_url(post.pk))) == [str(kept.pk)]


def test_comments_by_users_blocked_either_way_are_left_out_for_the_viewer_only(api_client, auth_client, user, post):
    kept, blocked_by_viewer, blocking_viewer = thread(post, 3)
    BlockFactory(user=user, target=blocked_by_viewer.author)
    BlockFactory(user=blocking_viewer.author, target=user)

    assert ids(auth_client.get(comments_url(post.pk))) == [str(kept.pk)]
    assert len(ids(api_client.get(comments_url(post.pk)))) == 3


def test_a_reply_stays_listed_when_its_parent_is_deleted(api_client, post):
    parent = CommentFactory(post=post, deleted_at=timezone.now())
    reply = CommentFactory(post=post, parent=parent)

    results = api_client.get(comments_url(post.pk)).json()["results"]

    assert [(c["id"], c["parent_id"]) for c in results] == [(str(reply.pk), str(parent.pk))]


def test_comments_page_oldest_first_with_cursors(api_client, post):
    comments = thread(post, 5)

    first = api_client.get(comments_url(post.pk), {"limit": 2})
    second = api_client.get(first.json()["next"])
    third = api_client.get(second.json()["next"])
    back = api_client.get(third.json()["previous"])

    assert ids(first) == [str(c.pk) for c in comments[:2]]
    assert ids(second) == [str(c.pk) for c in comments[2:4]]
    assert ids(third) == [str(comments[4].pk)]
    assert third.json()["next"] is None
    assert ids(back) == ids(second)


def test_comments_with_the_same_time_are_ordered_by_id(api_client, post):
    at = timezone.now()
    comments = [CommentFactory(post=post, created_at=at) for _ in range(3)]

    first = api_client.get(comments_url(post.pk), {"limit": 2})
    second = api_client.get(first.json()["next"])

    assert ids(first) + ids(second) == [str(c.pk) for c in comments]


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "101"}, {"cursor": "nonsense"}])
def test_comments_reject_a_bad_page_request(api_client, post, query):
    response = api_client.get(comments_url(post.pk), query)

    assert_problem(response, 400, *query)


@pytest.mark.parametrize(
    "post_fields",
    [{"deleted_at": timezone.now()}, {"is_hidden": True}],
    ids=["deleted", "hidden"],
)
def test_comments_of_an_invisible_post_are_404(api_client, post_fields):
    post = PostFactory(**post_fields)
    CommentFactory(post=post)

    assert_problem(api_client.get(comments_url(post.pk)), 404)


def test_comments_of_a_post_by_a_user_who_blocked_the_viewer_are_404(auth_client, user, post):
    BlockFactory(user=post.author, target=user)

    assert_problem(auth_client.get(comments_url(post.pk)), 404)


@pytest.mark.parametrize("post_id", [99999999, 2**63])
def test_comments_of_a_missing_post_are_404(api_client, post_id):
    assert_problem(api_client.get(comments_url(post_id)), 404)


@pytest.mark.parametrize("size", [1, 50])
def test_comments_query_count_does_not_grow_with_the_page(
    api_client, client_for, user, post, size, django_assert_max_num_queries
):
    for comment in thread(post, size):
        CommentReactionFactory(comment=comment, user=user)
        CommentMention.objects.create(comment=comment, user=user, position=0)
    client = client_for(user)

    # The post's visibility; the page of comments with authors and like counts.
    with django_assert_max_num_queries(2):
        anonymous = api_client.get(comments_url(post.pk), {"limit": 100})
    # The viewer (authentication); the post; the page; the viewer's likes on the page.
    with django_assert_max_num_queries(4):
        signed_in = client.get(comments_url(post.pk), {"limit": 100})

    assert len(anonymous.json()["results"]) == len(signed_in.json()["results"]) == size
    assert all(c["viewer"]["reacted"] for c in signed_in.json()["results"])
    assert all(c["mentions"] == [{"id": str(user.pk), "username": user.username}] for c in anonymous.json()["results"])


# DELETE comments/{id}


def test_author_deletes_their_comment(auth_client, api_client, user, post):
    comment = CommentFactory(post=post, author=user)
    reply = CommentFactory(post=post, parent=comment)

    response = auth_client.delete(comment_url(comment.pk))

    assert response.status_code == 204
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert Comment.objects.filter(pk=reply.pk, deleted_at__isnull=True).exists()
    assert ids(api_client.get(comments_url(post.pk))) == [str(reply.pk)]


def test_staff_without_the_moderation_permission_cannot_delete_someone_elses_comment(client_for, staff_user, post):
    comment = CommentFactory(post=post)

    response = client_for(staff_user).delete(comment_url(comment.pk), {"reason": "I say so."}, format="json")

    assert_problem(response, 403)
    comment.refresh_from_db()
    assert comment.deleted_at is None
    assert not ModerationAction.objects.exists()


def test_staff_get_404_for_a_hidden_comment_of_someone_else(client_for, staff_user, post):
    comment = CommentFactory(post=post, is_hidden=True)

    assert_problem(client_for(staff_user).delete(comment_url(comment.pk), {"reason": "Spam."}, format="json"), 404)
    comment.refresh_from_db()
    assert comment.deleted_at is None


def test_the_author_deletes_their_hidden_comment(auth_client, user, post):
    comment = CommentFactory(post=post, author=user, is_hidden=True)

    assert auth_client.delete(comment_url(comment.pk)).status_code == 204
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert not ModerationAction.objects.exists()


def test_another_user_cannot_delete_a_comment(auth_client, other_user, post):
    comment = CommentFactory(post=post, author=other_user)

    assert_problem(auth_client.delete(comment_url(comment.pk), {"reason": "Spam."}, format="json"), 403)
    comment.refresh_from_db()
    assert comment.deleted_at is None


def test_the_posts_author_cannot_delete_someone_elses_comment(client_for, post):
    comment = CommentFactory(post=post)

    assert_problem(client_for(post.author).delete(comment_url(comment.pk)), 403)


def test_another_user_gets_404_for_a_comment_they_cannot_see(auth_client, post):
    comment = CommentFactory(post=post, is_hidden=True)

    assert_problem(auth_client.delete(comment_url(comment.pk)), 404)


def test_anonymous_cannot_delete_a_comment(api_client, post):
    comment = CommentFactory(post=post)

    assert_problem(api_client.delete(comment_url(comment.pk)), 401)
    comment.refresh_from_db()
    assert comment.deleted_at is None


def test_deleting_a_deleted_comment_is_404(auth_client, user, post):
    comment = CommentFactory(post=post, author=user, deleted_at=timezone.now())

    assert_problem(auth_client.delete(comment_url(comment.pk)), 404)


@pytest.mark.parametrize("comment_id", [99999999, 2**63])
def test_deleting_a_missing_comment_is_404(auth_client, comment_id):
    assert_problem(auth_client.delete(comment_url(comment_id)), 404)
