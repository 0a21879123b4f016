"""Mentions written with posts and comments, and shown as `mentions[]`."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.services.account import account_delete
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.tests.test_export import export
from content import signals
from content.models import MAX_MENTIONS, CommentMention, PostMention
from content.services.interactions import comment_create
from content.services.posts import post_create
from content.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts"


@pytest.fixture
def alice():
    return UserFactory(username="Alice")


@pytest.fixture
def bob():
    return UserFactory(username="bob_2")


def mentioned(model: type[Any], **target: Any) -> list[int]:
    return list(model.objects.filter(**target).order_by("position").values_list("user_id", flat=True))


def shown(user) -> dict[str, str]:
    return {"id": str(user.pk), "username": user.username}


def suspend(user) -> None:
    type(user).objects.filter(pk=user.pk).update(is_active=False, suspended_at=timezone.now())


# Writing


def test_a_post_stores_its_mentions_in_order_of_first_mention_ignoring_case(user, alice, bob):
    post = post_create(author=user, content="@BOB_2 and @alice, again @bob_2, @nobody_here, mail me@alice.io")

    assert mentioned(PostMention, post=post) == [bob.pk, alice.pk]
    assert list(PostMention.objects.filter(post=post).order_by("position").values_list("position", flat=True)) == [
        0,
        1,
    ]


def test_only_users_in_good_standing_are_mentioned(user, alice, bob):
    suspend(alice)
    type(bob).objects.filter(pk=bob.pk).update(is_active=False)

    post = post_create(author=user, content="@Alice @bob_2")

    assert mentioned(PostMention, post=post) == []


def test_the_authors_own_mention_is_stored(user):
    post = post_create(author=user, content=f"note to self: @{user.username}")

    assert mentioned(PostMention, post=post) == [user.pk]


def test_a_quote_stores_its_mentions(user, alice):
    quoted = PostFactory()

    quote = post_create(author=user, content="what @alice said", quoted_post_id=quoted.pk)

    assert mentioned(PostMention, post=quote) == [alice.pk]


def test_a_comment_and_a_reply_store_their_mentions(user, alice, bob):
    post = PostFactory()

    comment = comment_create(author=user, post_id=post.pk, content="@alice look")
    reply = comment_create(author=alice, post_id=post.pk, content="@bob_2 @USER?", parent_id=comment.pk)

    assert mentioned(CommentMention, comment=comment) == [alice.pk]
    assert mentioned(CommentMention, comment=reply) == [bob.pk]


def test_at_most_the_cap_of_mentions_is_stored(user):
    users = [UserFactory(username=f"member_{index:02}") for index in range(MAX_MENTIONS + 2)]

    post = post_create(author=user, content=" ".join(f"@{member.username}" for member in users))

    assert mentioned(PostMention, post=post) == [member.pk for member in users[:MAX_MENTIONS]]


def test_mentions_are_written_before_the_signals_are_sent(user, alice):
    seen: list[list[int]] = []

    def on_post(sender: Any, post_id: int, **kwargs: Any) -> None:
        seen.append(mentioned(PostMention, post_id=post_id))

    def on_comment(sender: Any, comment_id: int, **kwargs: Any) -> None:
        seen.append(mentioned(CommentMention, comment_id=comment_id))

    signals.post_published.connect(on_post, dispatch_uid="test-mentions-post")
    signals.comment_published.connect(on_comment, dispatch_uid="test-mentions-comment")
    try:
        post = post_create(author=user, content="@alice")
        comment_create(author=user, post_id=post.pk, content="@alice")
    finally:
        signals.post_published.disconnect(dispatch_uid="test-mentions-post")
        signals.comment_published.disconnect(dispatch_uid="test-mentions-comment")

    assert seen == [[alice.pk], [alice.pk]]


# Showing


def test_a_created_post_shows_its_mentions_as_users_spell_their_names(auth_client, alice, bob):
    response = auth_client.post(POSTS, {"content": "@alice and @BOB_2"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["mentions"] == [shown(alice), shown(bob)]


def test_a_post_without_mentions_shows_an_empty_list(api_client, user):
    post = post_create(author=user, content="no one here, mail x@alice.io")

    assert api_client.get(f"{POSTS}/{post.pk}").json()["mentions"] == []


def test_a_quoted_post_shows_its_mentions(api_client, user, alice, bob):
    quoted = post_create(author=user, content="hi @bob_2")
    quote = post_create(author=alice, content="@user?", quoted_post_id=quoted.pk)

    body = api_client.get(f"{POSTS}/{quote.pk}").json()

    assert body["mentions"] == []  # no user is called "user"
    assert body["quoted_post"]["mentions"] == [shown(bob)]


def test_a_mentioned_user_suspended_later_drops_out_and_comes_back(api_client, user, alice, bob):
    post = post_create(author=user, content="@alice @bob_2")

    suspend(alice)
    assert api_client.get(f"{POSTS}/{post.pk}").json()["mentions"] == [shown(bob)]

    type(alice).objects.filter(pk=alice.pk).update(is_active=True, suspended_at=None)
    assert api_client.get(f"{POSTS}/{post.pk}").json()["mentions"] == [shown(alice), shown(bob)]


def test_comments_show_their_mentions(api_client, auth_client, user, alice, bob):
    post = PostFactory()
    created = auth_client.post(f"{POSTS}/{post.pk}/comments", {"content": "@bob_2 cc @alice"}, format="json")
    comment_create(author=alice, post_id=post.pk, content="plain")

    assert created.status_code == 201, created.content
    assert created.json()["mentions"] == [shown(bob), shown(alice)]
    listed = api_client.get(f"{POSTS}/{post.pk}/comments").json()["results"]
    assert [comment["mentions"] for comment in listed] == [[shown(bob), shown(alice)], []]


# Deleting and exporting


def test_deleting_an_account_removes_the_rows_mentioning_it(user, alice, bob):
    post = post_create(author=user, content="@alice @bob_2")
    comment = comment_create(author=user, post_id=post.pk, content="@alice")

    account_delete(user=alice, password=DEFAULT_PASSWORD)

    assert mentioned(PostMention, post=post) == [bob.pk]
    assert mentioned(CommentMention, comment=comment) == []


def test_deleting_a_user_row_cascades_to_its_mentions(user, alice):
    post = post_create(author=user, content="@alice")
    comment_create(author=user, post_id=post.pk, content="@alice")

    alice.delete()

    assert not PostMention.objects.exists()
    assert not CommentMention.objects.exists()


def test_the_export_carries_the_mentions_of_posts_and_comments(auth_client, user, alice):
    post = post_create(author=user, content="@alice")
    comment_create(author=user, post_id=post.pk, content="@alice @nobody_here")

    data = export(auth_client)

    assert [p["mentions"] for p in data["posts"]] == [[shown(alice)]]
    assert [c["mentions"] for c in data["comments"]] == [[shown(alice)]]
