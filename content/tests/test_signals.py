"""Content's signals: each service sends one per change, with the ids the receivers need, and none
for a write that changed nothing or was refused."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from content import signals
from content.services.interactions import (
    comment_create,
    comment_reaction_toggle,
    comment_set_hidden,
    comment_soft_delete,
    post_reaction_toggle,
    repost_create,
    repost_delete,
    repost_quote,
)
from content.services.posts import post_create, post_set_hidden, post_soft_delete
from content.tests.factories import PostFactory
from content.tests.factories_interactions import CommentFactory
from core.errors import Invalid
from core.testing_signals import signals_recorded

pytestmark = pytest.mark.django_db

ALL = {name: getattr(signals, name) for name in dir(signals) if isinstance(getattr(signals, name), signals.Signal)}


def test_every_signal_is_recorded_here():
    assert len(ALL) == 11


def test_a_post_and_a_quote_are_published():
    author, quoter = UserFactory(), UserFactory()
    with signals_recorded(**ALL) as sent:
        post = post_create(author=author, content="Long $NVDA")
        quote = repost_quote(user=quoter, post_id=post.pk, content="Agreed")
    assert sent == [
        ("post_published", {"post_id": post.pk, "author_id": author.pk, "quoted_post_id": None}),
        ("post_published", {"post_id": quote.pk, "author_id": quoter.pk, "quoted_post_id": post.pk}),
    ]


def test_a_refused_post_publishes_nothing():
    with signals_recorded(**ALL) as sent, pytest.raises(Invalid):
        post_create(author=UserFactory(), content="   ")
    assert sent == []


def test_delete_hide_and_show_again_are_signalled_once():
    post = post_create(author=UserFactory(), content="To be deleted")
    other = PostFactory()
    with signals_recorded(**ALL) as sent:
        post_set_hidden(post=other, hidden=True)
        post_set_hidden(post=other, hidden=True)  # already hidden
        post_set_hidden(post=other, hidden=False)
        post_soft_delete(post=post)
        post_soft_delete(post=post)  # already deleted
    assert sent == [
        ("post_withdrawn", {"post_id": other.pk, "author_id": other.author_id, "reason": "hidden"}),
        ("post_restored", {"post_id": other.pk, "author_id": other.author_id}),
        ("post_withdrawn", {"post_id": post.pk, "author_id": post.author_id, "reason": "deleted"}),
    ]


def test_likes_signal_each_change_and_not_a_like_that_was_already_there():
    post = PostFactory()
    fan = UserFactory()
    with signals_recorded(**ALL) as sent:
        post_reaction_toggle(user=fan, post_id=post.pk)  # toggled on
        post_reaction_toggle(user=fan, post_id=post.pk, reacted=True)  # already liked
        post_reaction_toggle(user=fan, post_id=post.pk)  # toggled off
        post_reaction_toggle(user=fan, post_id=post.pk, reacted=False)  # already not liked
    change = {"user_id": fan.pk, "post_id": post.pk}
    assert sent == [
        ("post_reaction_changed", {**change, "reacted": True}),
        ("post_reaction_changed", {**change, "reacted": False}),
    ]


def test_comment_likes_signal_each_change():
    comment = CommentFactory()
    fan = UserFactory()
    with signals_recorded(**ALL) as sent:
        comment_reaction_toggle(user=fan, comment_id=comment.pk, reacted=True)
        comment_reaction_toggle(user=fan, comment_id=comment.pk, reacted=True)
        comment_reaction_toggle(user=fan, comment_id=comment.pk, reacted=False)
    change = {"user_id": fan.pk, "comment_id": comment.pk}
    assert sent == [
        ("comment_reaction_changed", {**change, "reacted": True}),
        ("comment_reaction_changed", {**change, "reacted": False}),
    ]


def test_comments_replies_and_their_removal():
    post = PostFactory()
    alice, bob = UserFactory(), UserFactory()
    with signals_recorded(**ALL) as sent:
        comment = comment_create(author=alice, post_id=post.pk, content="First")
        reply = comment_create(author=bob, post_id=post.pk, content="Second", parent_id=comment.pk)
        comment_set_hidden(comment=reply, hidden=True)
        comment_set_hidden(comment=reply, hidden=False)
        comment_soft_delete(comment=comment)
        comment_soft_delete(comment=comment)
    first = {"comment_id": comment.pk, "post_id": post.pk, "author_id": alice.pk}
    second = {"comment_id": reply.pk, "post_id": post.pk, "author_id": bob.pk}
    assert sent == [
        ("comment_published", {**first, "parent_id": None}),
        ("comment_published", {**second, "parent_id": comment.pk}),
        ("comment_withdrawn", {**second, "reason": "hidden"}),
        ("comment_restored", second),
        ("comment_withdrawn", {**first, "reason": "deleted"}),
    ]


def test_reposts_signal_their_creation_and_removal_once():
    post = PostFactory()
    fan = UserFactory()
    with signals_recorded(**ALL) as sent:
        repost_create(user=fan, post_id=post.pk)
        repost_delete(user=fan, post_id=post.pk)
        repost_delete(user=fan, post_id=post.pk)
    change = {"user_id": fan.pk, "post_id": post.pk}
    assert sent == [("repost_created", change), ("repost_removed", change)]
