"""The counters on post and user rows (content.counters): moved by the services, equal to a recount
after every write, repaired by ``recount_counters``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.services.account import account_delete
from accounts.tests.factories import UserFactory
from content.counters import POST_COUNTERS, counters_repair_all, post_counter_expressions
from content.models import Post, PostReaction
from content.services.interactions import (
    bookmark_add,
    bookmark_remove,
    comment_create,
    comment_delete,
    comment_set_hidden,
    post_reaction_toggle,
    repost_create,
    repost_delete,
    repost_quote,
)
from content.services.posts import post_create, post_set_hidden, post_soft_delete
from content.tests.factories import PostFactory
from social.models import Follow
from social.services import follow_create

pytestmark = pytest.mark.django_db


def stored(post: Post) -> tuple[int, ...]:
    return tuple(Post.objects.filter(pk=post.pk).values_list(*POST_COUNTERS).get())


def recounted(post: Post) -> tuple[int, ...]:
    row = Post.objects.filter(pk=post.pk).annotate(**{f"n_{k}": v for k, v in post_counter_expressions().items()})
    return tuple(row.values_list(*(f"n_{name}" for name in POST_COUNTERS)).get())


def no_drift() -> bool:
    return not any(any(drift.wrong.values()) for drift in counters_repair_all(dry_run=True).values())


def test_every_write_moves_its_counter_as_a_recount_would():
    author, b, c = UserFactory(), UserFactory(), UserFactory()
    post = post_create(author=author, content="Earnings next week for $AAPL")
    # (reactions, comments, reposts, quotes, bookmarks) after each step, in POST_COUNTERS' order
    assert POST_COUNTERS == ("reactions_count", "comments_count", "reposts_count", "quotes_count", "bookmarks_count")
    steps = [
        (lambda: post_reaction_toggle(user=b, post_id=post.pk), (1, 0, 0, 0, 0)),
        (lambda: post_reaction_toggle(user=c, post_id=post.pk, reacted=True), (2, 0, 0, 0, 0)),
        (lambda: post_reaction_toggle(user=c, post_id=post.pk, reacted=True), (2, 0, 0, 0, 0)),  # idempotent
        (lambda: post_reaction_toggle(user=b, post_id=post.pk), (1, 0, 0, 0, 0)),
        (lambda: repost_create(user=c, post_id=post.pk), (1, 0, 1, 0, 0)),
        (lambda: bookmark_add(user=b, post_id=post.pk), (1, 0, 1, 0, 1)),
        (lambda: bookmark_add(user=b, post_id=post.pk), (1, 0, 1, 0, 1)),  # already there
        (lambda: bookmark_add(user=c, post_id=post.pk), (1, 0, 1, 0, 2)),
        (lambda: bookmark_remove(user=c, post_id=post.pk), (1, 0, 1, 0, 1)),
        (lambda: bookmark_remove(user=c, post_id=post.pk), (1, 0, 1, 0, 1)),  # not there
        (lambda: repost_delete(user=c, post_id=post.pk), (1, 0, 0, 0, 1)),
    ]
    for step, expected in steps:
        step()
        assert stored(post) == recounted(post) == expected

    first = comment_create(author=b, post_id=post.pk, content="Agreed")
    second = comment_create(author=c, post_id=post.pk, content="Not so sure", parent_id=first.pk)
    assert stored(post) == recounted(post) == (1, 2, 0, 0, 1)
    assert comment_set_hidden(comment=second, hidden=True)
    assert stored(post) == recounted(post) == (1, 1, 0, 0, 1)
    comment_delete(user=c, comment_id=second.pk)  # a hidden comment deleted: already uncounted
    assert stored(post) == recounted(post) == (1, 1, 0, 0, 1)
    comment_delete(user=b, comment_id=first.pk)
    assert stored(post) == recounted(post) == (1, 0, 0, 0, 1)

    quote = repost_quote(user=b, post_id=post.pk, content="Worth a read")
    assert stored(post) == recounted(post) == (1, 0, 0, 1, 1)
    assert post_set_hidden(post=quote, hidden=True)
    assert stored(post) == recounted(post) == (1, 0, 0, 0, 1)
    assert post_soft_delete(post=quote)  # a hidden quote deleted: already uncounted
    assert stored(post) == recounted(post) == (1, 0, 0, 0, 1)
    other = repost_quote(user=c, post_id=post.pk, content="Same here")
    assert post_set_hidden(post=other, hidden=True)
    assert post_set_hidden(post=other, hidden=False)
    assert stored(post) == recounted(post) == (1, 0, 0, 1, 1)
    assert post_soft_delete(post=other)
    assert stored(post) == recounted(post) == (1, 0, 0, 0, 1)
    assert no_drift()


def test_the_feed_serves_the_counters_from_the_row(client):
    post = PostFactory()
    Post.objects.filter(pk=post.pk).update(reactions_count=7, quotes_count=3)

    body = client.get(f"/api/v1/posts/{post.pk}").json()

    assert (body["stats"]["reactions"], body["stats"]["quotes"], body["stats"]["comments"]) == (7, 3, 0)


def test_deleting_an_account_uncounts_everything_it_did():
    author, leaver = UserFactory(), UserFactory(password="pw-of-the-leaver")
    post = post_create(author=author, content="A long thesis on $MSFT")
    post_reaction_toggle(user=leaver, post_id=post.pk)
    repost_create(user=leaver, post_id=post.pk)
    bookmark_add(user=leaver, post_id=post.pk)
    comment_create(author=leaver, post_id=post.pk, content="Great read")
    repost_quote(user=leaver, post_id=post.pk, content="Quoting this")
    follow_create(follower=leaver, target=author)
    assert stored(post) == (1, 1, 1, 1, 1)

    account_delete(user=leaver, password="pw-of-the-leaver")

    assert stored(post) == recounted(post) == (0, 0, 0, 0, 0)
    assert no_drift()


def test_recount_counters_reports_the_drift_and_fixes_it():
    author, fan = UserFactory(), UserFactory()
    post = post_create(author=author, content="Rates are going up")
    post_reaction_toggle(user=fan, post_id=post.pk)
    follow_create(follower=fan, target=author)
    # Rows removed behind the services' back, as a bulk delete in the admin or SQL would.
    PostReaction.objects.filter(post=post).delete()
    Follow.objects.all().delete()

    out = StringIO()
    call_command("recount_counters", "--dry-run", stdout=out)
    report = out.getvalue()
    assert "posts: 1 checked, drift: reactions_count on 1 (net -1)" in report
    assert "users: 2 checked, drift: followers_count on 1 (net -1), following_count on 1 (net -1)" in report
    assert stored(post) == (1, 0, 0, 0, 0)  # a dry run changes nothing

    with pytest.raises(CommandError, match="drifted"):
        call_command("recount_counters", "--fail-on-drift", "--batch-size=1", stdout=StringIO())
    assert stored(post) == (0, 0, 0, 0, 0)
    author.refresh_from_db()
    fan.refresh_from_db()
    assert (author.followers_count, fan.following_count) == (0, 0)

    out = StringIO()
    call_command("recount_counters", "--fail-on-drift", stdout=out)
    assert "posts: 1 checked, no drift" in out.getvalue()
    assert "users: 2 checked, no drift" in out.getvalue()


def test_recount_counters_refuses_a_silly_batch_size():
    with pytest.raises(CommandError, match="--batch-size"):
        call_command("recount_counters", "--batch-size=0")
