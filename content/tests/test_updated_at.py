"""``updated_at`` on posts and comments: moved by changes to the row, never by likes, reposts or bookmarks."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from content.models import Comment, Post
from content.services.interactions import comment_set_hidden, comment_soft_delete
from content.services.posts import post_set_hidden, post_soft_delete
from content.services.purge import deleted_content_purge
from content.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

# Near the real time: access tokens are checked against it.
CREATED = timezone.now().replace(microsecond=0) - timedelta(hours=1)
LATER = CREATED + timedelta(minutes=30)


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def post():
    with time_machine.travel(CREATED, tick=False):
        return PostFactory(author=UserFactory(posts_count=1))


@pytest.fixture
def comment(post):
    with time_machine.travel(CREATED, tick=False):
        return Comment.objects.create(post=post, author=UserFactory(), content="Agreed.")


def test_a_new_post_and_comment_were_last_changed_when_created(client_for, user, post):
    with time_machine.travel(CREATED, tick=False):
        auth_client = client_for(user)
        body = auth_client.post("/api/v1/posts", {"content": "Earnings $AAPL"}, format="json").json()
        comment = auth_client.post(f"/api/v1/posts/{post.pk}/comments", {"content": "Yes"}, format="json").json()

    assert body["updated_at"] == body["created_at"] == iso(CREATED)
    assert comment["updated_at"] == comment["created_at"] == iso(CREATED)
    assert Post.objects.get(pk=body["id"]).updated_at == CREATED


def test_likes_reposts_and_bookmarks_leave_a_post_unchanged(client_for, post):
    with time_machine.travel(LATER, tick=False):
        auth_client = client_for(UserFactory())
        assert auth_client.post(f"/api/v1/posts/{post.pk}/reactions").status_code == 200
        assert auth_client.post(f"/api/v1/posts/{post.pk}/reposts").status_code == 201
        assert auth_client.post(f"/api/v1/posts/{post.pk}/bookmarks").status_code == 201

    post.refresh_from_db()
    assert post.updated_at == CREATED
    body = APIClient().get(f"/api/v1/posts/{post.pk}").json()
    assert (body["stats"]["reactions"], body["updated_at"]) == (1, iso(CREATED))


def test_a_like_leaves_a_comment_unchanged(client_for, comment):
    with time_machine.travel(LATER, tick=False):
        auth_client = client_for(UserFactory())
        assert auth_client.post(f"/api/v1/comments/{comment.pk}/reactions").status_code == 200

    comment.refresh_from_db()
    assert comment.updated_at == CREATED
    [listed] = APIClient().get(f"/api/v1/posts/{comment.post_id}/comments").json()["results"]
    assert (listed["stats"]["reactions"], listed["updated_at"]) == (1, iso(CREATED))


def test_hiding_and_deleting_a_post_move_it(post):
    with time_machine.travel(LATER, tick=False):
        assert post_set_hidden(post=post, hidden=True)
    assert Post.objects.get(pk=post.pk).updated_at == post.updated_at == LATER

    with time_machine.travel(LATER + timedelta(hours=1), tick=False):
        assert post_soft_delete(post=post)
    assert Post.objects.get(pk=post.pk).updated_at == LATER + timedelta(hours=1)


def test_hiding_deleting_and_erasing_a_comment_move_it(comment):
    with time_machine.travel(LATER, tick=False):
        assert comment_set_hidden(comment=comment, hidden=True)
    assert Comment.objects.get(pk=comment.pk).updated_at == comment.updated_at == LATER

    with time_machine.travel(LATER + timedelta(hours=1), tick=False):
        assert comment_soft_delete(comment=comment)
    assert Comment.objects.get(pk=comment.pk).updated_at == LATER + timedelta(hours=1)

    # Kept because a reply still hangs off it: the purge erases its text, which is a change.
    with time_machine.travel(CREATED, tick=False):
        Comment.objects.create(post=comment.post, parent=comment, author=UserFactory(), content="Reply")
    with time_machine.travel(LATER + timedelta(hours=2), tick=False):
        deleted_content_purge(older_than=LATER + timedelta(hours=2))
    erased = Comment.objects.get(pk=comment.pk)
    assert erased.content != "Agreed."
    assert erased.updated_at == LATER + timedelta(hours=2)


def test_saving_a_post_moves_it(post):
    with time_machine.travel(LATER, tick=False):
        post.content = "Edited in the admin."
        post.save()

    assert Post.objects.get(pk=post.pk).updated_at == LATER
