"""The fan-out: which domain events notify whom, how acts group, and how undoing removes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.tests.factories import UserFactory
from content.models import CommentMention, PostMention
from content.services.interactions import (
    comment_create,
    comment_delete,
    comment_reaction_toggle,
    post_reaction_toggle,
    repost_create,
    repost_delete,
    repost_quote,
)
from content.services.posts import post_create, post_delete, post_set_hidden
from content.tests.factories import PostFactory
from notifications import tasks
from notifications.models import NotificationAct, NotificationGroup
from social.services import block_create, follow_create, follow_delete, mute_create

pytestmark = pytest.mark.django_db


def groups_of(user):
    return list(NotificationGroup.objects.filter(recipient=user).order_by("-latest_at", "-id"))


def test_likes_on_one_post_group_together_and_unlike_removes_one(committed, signals_seen):
    author = UserFactory()
    post = PostFactory(author=author)
    fans = UserFactory.create_batch(3)
    with committed():
        for fan in fans:
            post_reaction_toggle(user=fan, post_id=post.pk, reacted=True)

    [group] = groups_of(author)
    assert (group.type, group.group_key, group.count, group.post_id, group.read) == (
        "reaction",
        f"reaction:post:{post.pk}",
        3,
        post.pk,
        False,
    )
    assert [name for name, _ in signals_seen] == ["grouped"] * 3
    assert signals_seen[0][1] == {"user_id": author.pk, "group_id": group.pk}

    with committed():
        post_reaction_toggle(user=fans[0], post_id=post.pk, reacted=False)
    group.refresh_from_db()
    assert group.count == 2
    assert signals_seen[-1] == ("removed", {"user_id": author.pk, "group_id": group.pk, "removed": False})

    with committed():
        for fan in fans[1:]:
            post_reaction_toggle(user=fan, post_id=post.pk, reacted=False)
    assert groups_of(author) == []
    assert NotificationAct.objects.count() == 0
    assert signals_seen[-1] == ("removed", {"user_id": author.pk, "group_id": group.pk, "removed": True})


def test_your_own_acts_never_notify(committed):
    author = UserFactory()
    post = PostFactory(author=author)
    with committed():
        post_reaction_toggle(user=author, post_id=post.pk, reacted=True)
        comment_create(author=author, post_id=post.pk, content="me again")
    assert groups_of(author) == []


def test_a_retried_task_records_the_act_once():
    author, fan = UserFactory(), UserFactory()
    post = PostFactory(author=author)
    post.reactions.create(user=fan)
    for _ in range(3):
        tasks.notify_post_reaction.apply(kwargs={"user_id": fan.pk, "post_id": post.pk, "reacted": True})
    [group] = groups_of(author)
    assert group.count == 1
    assert NotificationAct.objects.count() == 1


def test_follows_group_per_utc_day_and_unfollow_removes(committed):
    target = UserFactory()
    a, b, c = UserFactory.create_batch(3)
    with time_machine.travel(datetime(2026, 3, 1, 23, 0, tzinfo=UTC), tick=False), committed():
        follow_create(follower=a, target=target)
        follow_create(follower=b, target=target)
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False), committed():
        follow_create(follower=c, target=target)

    day2, day1 = groups_of(target)
    assert (day1.group_key, day1.count) == ("follow:2026-03-01", 2)
    assert (day2.group_key, day2.count) == ("follow:2026-03-02", 1)

    with committed():
        follow_delete(follower=a, target=target)
    day1.refresh_from_db()
    assert day1.count == 1


def test_comment_notifies_the_post_author_and_reply_the_parent_author(committed):
    author, commenter, replier = UserFactory(), UserFactory(), UserFactory()
    post = PostFactory(author=author)
    with committed():
        parent = comment_create(author=commenter, post_id=post.pk, content="first")
        reply = comment_create(author=replier, post_id=post.pk, content="answer", parent_id=parent.pk)

    [reply_group] = groups_of(commenter)
    assert (reply_group.type, reply_group.comment_id, reply_group.post_id) == ("reply", parent.pk, post.pk)
    [comment_group] = groups_of(author)
    assert (comment_group.type, comment_group.count, comment_group.comment_id) == ("comment", 2, None)

    with committed():
        comment_delete(user=replier, comment_id=reply.pk)
    assert groups_of(commenter) == []
    comment_group.refresh_from_db()
    assert comment_group.count == 1


def test_a_reply_to_the_post_authors_own_comment_is_one_reply(committed):
    author, replier = UserFactory(), UserFactory()
    post = PostFactory(author=author)
    own = comment_create(author=author, post_id=post.pk, content="mine")
    with committed():
        comment_create(author=replier, post_id=post.pk, content="re", parent_id=own.pk)
    assert [group.type for group in groups_of(author)] == ["reply"]


def test_comment_like_reposts_and_quotes(committed):
    author, fan = UserFactory(), UserFactory()
    post = PostFactory(author=author)
    comment = comment_create(author=author, post_id=post.pk, content="hi")
    with committed():
        comment_reaction_toggle(user=fan, comment_id=comment.pk, reacted=True)
        repost_create(user=fan, post_id=post.pk)
        quote = repost_quote(user=fan, post_id=post.pk, content="look")
    kinds = {group.type: group for group in groups_of(author)}
    assert set(kinds) == {"reaction", "repost", "quote"}
    assert kinds["reaction"].comment_id == comment.pk
    assert kinds["quote"].group_key == f"quote:post:{post.pk}"

    with committed():
        repost_delete(user=fan, post_id=post.pk)
        post_delete(post=quote, actor=fan)
    assert {group.type for group in groups_of(author)} == {"reaction"}


def test_mentions_notify_each_mentioned_user_once_per_post_and_comment():
    author, bob, carol = UserFactory(), UserFactory(), UserFactory()
    post = PostFactory(author=author)
    PostMention.objects.create(post=post, user=bob, position=0)
    PostMention.objects.create(post=post, user=carol, position=1)
    PostMention.objects.create(post=post, user=author, position=2)
    tasks.notify_post_published.apply(kwargs={"post_id": post.pk, "author_id": author.pk, "quoted_post_id": None})
    tasks.notify_post_published.apply(kwargs={"post_id": post.pk, "author_id": author.pk, "quoted_post_id": None})
    assert [(g.type, g.post_id, g.count) for g in groups_of(bob)] == [("mention", post.pk, 1)]
    assert len(groups_of(carol)) == 1
    assert groups_of(author) == []

    comment = comment_create(author=carol, post_id=post.pk, content="cc @bob")
    CommentMention.objects.create(comment=comment, user=bob, position=0)
    tasks.notify_comment_published.apply(
        kwargs={"comment_id": comment.pk, "post_id": post.pk, "author_id": carol.pk, "parent_id": None}
    )
    mention = NotificationGroup.objects.get(recipient=bob, comment=comment)
    assert (mention.type, mention.group_key) == ("mention", f"mention:comment:{comment.pk}")


def test_muted_or_blocked_actors_never_notify(committed):
    author, muted, blocked, blocker = UserFactory.create_batch(4)
    post = PostFactory(author=author)
    mute_create(user=author, target=muted)
    block_create(user=author, target=blocked)
    block_create(user=blocker, target=author)
    with committed():
        post_reaction_toggle(user=muted, post_id=post.pk, reacted=True)
    # A block hides the post from the other side: the services refuse, so run the tasks as a race would.
    for user in (blocked, blocker):
        tasks.notify_post_reaction.apply(kwargs={"user_id": user.pk, "post_id": post.pk, "reacted": True})
    tasks.notify_follow.apply(kwargs={"follower_id": blocker.pk, "following_id": author.pk})
    tasks.notify_post_reaction.apply(kwargs={"user_id": blocker.pk, "post_id": post.pk, "reacted": True})
    assert groups_of(author) == []


def test_a_later_mute_or_block_removes_that_actors_acts(committed):
    author, muted, blocked, other = UserFactory.create_batch(4)
    post = PostFactory(author=author)
    with committed():
        for user in (muted, blocked, other):
            post_reaction_toggle(user=user, post_id=post.pk, reacted=True)
    with committed():
        mute_create(user=author, target=muted)
        block_create(user=blocked, target=author)
    [group] = groups_of(author)
    assert group.count == 1
    assert list(group.acts.values_list("actor_id", flat=True)) == [other.pk]


@pytest.mark.parametrize("withdraw", ["deleted", "hidden", "author suspended"])
def test_notifications_about_a_withdrawn_post_disappear(committed, withdraw):
    author, fan = UserFactory(), UserFactory()
    post = post_create(author=author, content="hello")
    with committed():
        post_reaction_toggle(user=fan, post_id=post.pk, reacted=True)
        comment_create(author=fan, post_id=post.pk, content="nice")
    assert len(groups_of(author)) == 2
    with committed():
        if withdraw == "deleted":
            post_delete(post=post, actor=author)
        elif withdraw == "hidden":
            post_set_hidden(post=post, hidden=True)
        else:
            author.suspended_at = datetime.now(UTC)
            author.save()
    if withdraw == "author suspended":
        # The author cannot see their own post any more: nothing new arrives either.
        tasks.notify_post_reaction.apply(kwargs={"user_id": UserFactory().pk, "post_id": post.pk, "reacted": True})
        assert NotificationGroup.objects.filter(recipient=author).count() == 2  # kept, hidden at read time
    else:
        assert groups_of(author) == []


def test_no_notification_about_a_post_the_recipient_cannot_see():
    author, fan = UserFactory(), UserFactory()
    post = PostFactory(author=author, deleted_at=datetime.now(UTC))
    tasks.notify_post_reaction.apply(kwargs={"user_id": fan.pk, "post_id": post.pk, "reacted": True})
    assert groups_of(author) == []


def test_a_suspended_actors_acts_go_away(committed):
    from accounts.signals import user_deactivated

    author, fan = UserFactory(), UserFactory()
    post = PostFactory(author=author)
    with committed():
        post_reaction_toggle(user=fan, post_id=post.pk, reacted=True)
    with committed():
        user_deactivated.send(type(fan), user_id=fan.pk, reason="suspended")
    assert groups_of(author) == []


def test_ended_polls_notify_voters_and_author_exactly_once():
    from polls.tests.factories import PollFactory

    author, voter, other_voter = UserFactory.create_batch(3)
    poll = PollFactory()
    post = PostFactory(author=author, poll=poll)
    option = poll.options.first()
    for user in (voter, other_voter):
        poll.votes.create(user=user, option=option)

    assert tasks.notify_ended_polls.apply().get() == 0  # not ended yet
    with time_machine.travel(poll.expires_at + timedelta(minutes=1)):
        assert tasks.notify_ended_polls.apply().get() == 1
        assert tasks.notify_ended_polls.apply().get() == 0
    for user in (author, voter, other_voter):
        [group] = groups_of(user)
        assert (group.type, group.post_id, group.count) == ("poll_ended", post.pk, 1)


def test_writing_at_username_in_a_post_or_comment_notifies_that_user(committed):
    author = UserFactory()
    bob = UserFactory(username="bob")
    with committed():
        post = post_create(author=author, content="ask @bob about $NVDA")
        comment = comment_create(author=author, post_id=post.pk, content="@bob and again")
    kinds = sorted((group.type, group.group_key) for group in groups_of(bob))
    assert kinds == [("mention", f"mention:comment:{comment.pk}"), ("mention", f"mention:post:{post.pk}")]
