"""The content and poll services speak the domain: their refusals are ``core.errors``, never DRF's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import Comment, Post
from content.moderation_hooks import content_remove
from content.querysets import publicly_visible
from content.services.interactions import NO_SUCH_POST, comment_create, repost_create
from content.services.posts import post_create
from content.services.watchlist import INVALID_SYMBOL, watchlist_add
from content.tests.factories import PostFactory
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.ids import MAX_ID
from moderation.tests.factories import CommentFactory
from polls.models import Poll
from polls.services import poll_vote
from polls.tests.factories import PollFactory

pytestmark = pytest.mark.django_db


def test_a_bad_poll_is_invalid_under_poll_naming_its_own_fields(user):
    with pytest.raises(Invalid) as caught:
        post_create(author=user, content="Where next?", poll={"options": ["Only one"], "duration_hours": 0})

    assert set(caught.value.errors) == {"poll"}
    assert set(caught.value.errors["poll"]) == {"options", "duration_hours"}
    assert caught.value.messages()[0] == str(caught.value) == "A poll has 2 to 4 options."
    assert not Post.objects.exists()
    assert not Poll.objects.exists()


@pytest.mark.parametrize("post_id", [0, MAX_ID, MAX_ID + 1])
def test_commenting_on_a_missing_post_is_not_found(user, post_id):
    with pytest.raises(NotFound, match=NO_SUCH_POST):
        comment_create(author=user, post_id=post_id, content="Hello")

    assert not Comment.objects.exists()


def test_reposting_twice_is_a_conflict(user):
    post = PostFactory()
    repost_create(user=user, post_id=post.pk)

    with pytest.raises(Conflict, match="already reposted"):
        repost_create(user=user, post_id=post.pk)


def test_a_bad_symbol_is_invalid_naming_symbol(user):
    with pytest.raises(Invalid) as caught:
        watchlist_add(user=user, symbol="not a symbol")

    assert caught.value.errors == {"symbol": [INVALID_SYMBOL]}


def test_a_vote_in_a_closed_poll_is_a_conflict(user):
    poll = PollFactory(created_at=timezone.now() - timedelta(days=2))

    with pytest.raises(Conflict) as caught:
        poll_vote(poll=poll, option_id=poll.options.first().pk, user=user)

    assert caught.value.code == "poll_expired"


def test_without_a_moderation_service_only_authors_remove_content(user, monkeypatch):
    monkeypatch.setattr("content.moderation_hooks._remover", None)

    with pytest.raises(Forbidden, match="Only the author"):
        content_remove(moderator=user, target=PostFactory(), reason="Spam.")


def test_publicly_visible_is_the_visibility_rule_of_posts_comments_and_mentions():
    shown = PostFactory()
    PostFactory(is_hidden=True)
    PostFactory(deleted_at=timezone.now())
    PostFactory(author=UserFactory(suspended_at=timezone.now(), is_active=False))
    PostFactory(author=UserFactory(is_active=False))
    comment = CommentFactory(post=shown)
    CommentFactory(post=shown, is_hidden=True)
    CommentFactory(post=shown, author=UserFactory(suspended_at=timezone.now()))

    assert list(Post.objects.filter(publicly_visible())) == [shown]
    assert list(Post.objects.visible_to(None)) == [shown]
    assert list(Comment.objects.filter(publicly_visible())) == [comment]
    assert list(Comment.objects.filter(publicly_visible("post__"), pk=comment.pk)) == [comment]
