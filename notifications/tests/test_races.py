"""Races the fan-out must win, on real concurrent PostgreSQL transactions."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from accounts.tests.factories import UserFactory
from content.tests.factories import PostFactory
from core.testing import postgres_only
from notifications import tasks
from notifications.models import NotificationAct, NotificationGroup
from social import signals as social_signals
from social.services import block_create, mute_create

pytestmark = postgres_only


@pytest.fixture
def without_cleanup_tasks():
    """The block's and mute's own clean-up tasks off: what is left is the fan-out's own rule."""
    from notifications import receivers

    social_signals.block_created.disconnect(dispatch_uid="notifications")
    social_signals.mute_created.disconnect(dispatch_uid="notifications")
    yield
    social_signals.block_created.connect(receivers._on_block_created, dispatch_uid="notifications")
    social_signals.mute_created.connect(receivers._on_mute_created, dispatch_uid="notifications")


def _in_thread(target) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("blocker", ["recipient", "actor"])
def test_a_block_committed_while_the_fan_out_runs_is_respected(without_cleanup_tasks, blocker):
    author, fan = UserFactory(), UserFactory()
    post = PostFactory(author=author)
    post.reactions.create(user=fan)
    block_holds_its_locks = threading.Event()

    def block() -> None:
        with transaction.atomic():
            if blocker == "recipient":
                block_create(user=author, target=fan)
            else:
                block_create(user=fan, target=author)
            block_holds_its_locks.set()
            time.sleep(0.5)  # the fan-out starts now, and must wait for this commit

    thread = _in_thread(block)
    assert block_holds_its_locks.wait(10)
    started = time.monotonic()
    tasks.notify_post_reaction.apply(kwargs={"user_id": fan.pk, "post_id": post.pk, "reacted": True})
    waited = time.monotonic() - started
    thread.join(10)

    assert waited > 0.2  # it waited for the block's locks...
    assert NotificationAct.objects.count() == 0  # ...and then saw the block
    assert NotificationGroup.objects.count() == 0


def test_concurrent_acts_on_one_group_count_exactly():
    author = UserFactory()
    post = PostFactory(author=author)
    fans = UserFactory.create_batch(6)
    for fan in fans:
        post.reactions.create(user=fan)
    barrier = threading.Barrier(len(fans) * 2)

    def like(fan_id: int) -> None:
        barrier.wait(10)
        tasks.notify_post_reaction.apply(kwargs={"user_id": fan_id, "post_id": post.pk, "reacted": True})

    # Each fan's task twice at once (a retry racing the first run), all fans together.
    threads = [_in_thread(lambda fan_id=fan.pk: like(fan_id)) for fan in fans for _ in range(2)]
    for thread in threads:
        thread.join(20)

    group = NotificationGroup.objects.get(recipient=author)
    assert group.count == 6
    assert NotificationAct.objects.count() == 6


def test_a_mute_during_the_fan_out_is_hidden_at_read_time(without_cleanup_tasks, client_for):
    author, fan = UserFactory(), UserFactory()
    post = PostFactory(author=author)
    post.reactions.create(user=fan)
    tasks.notify_post_reaction.apply(kwargs={"user_id": fan.pk, "post_id": post.pk, "reacted": True})
    mute_create(user=author, target=fan)  # its clean-up task is off: as if it ran before the act was written

    assert client_for(author).get("/api/v1/notifications").json()["results"] == []


def test_two_runs_of_notify_ended_polls_at_once_notify_each_poll_once():
    import time_machine

    from core.testing import race
    from notifications.models import EndedPollNotice
    from polls.tests.factories import PollFactory

    author, voter = UserFactory(), UserFactory()
    poll = PollFactory()
    PostFactory(author=author, poll=poll)
    poll.votes.create(user=voter, option=poll.options.first())

    with time_machine.travel(poll.expires_at + timedelta(minutes=1)):
        notified = race(lambda: tasks.notify_ended_polls.apply().get(), threads=3)

    assert sorted(notified) == [0, 0, 1]
    assert EndedPollNotice.objects.count() == 1
    for user in (author, voter):
        assert NotificationGroup.objects.get(recipient=user).count == 1


def test_overlapping_runs_of_notify_calls_scored_notify_each_call_once(signals_seen):
    from core.testing import race
    from notifications.tests.factories import make_call

    calls = [make_call(UserFactory()) for _ in range(6)]
    post_ids = [call.post_id for call in calls]
    runs = iter([post_ids, list(reversed(post_ids)), post_ids[2:], post_ids[:4]])

    notified = race(lambda: tasks.notify_calls_scored.apply(kwargs={"post_ids": next(runs)}).get(), threads=4)

    assert sum(notified) == 6  # each call notified by exactly one run
    assert NotificationAct.objects.count() == 6
    assert sorted(NotificationGroup.objects.values_list("post_id", "count")) == [(pk, 1) for pk in sorted(post_ids)]
    assert sorted(kwargs["group_id"] for _, kwargs in signals_seen) == sorted(
        NotificationGroup.objects.values_list("pk", flat=True)
    )
