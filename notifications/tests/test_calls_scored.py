"""``call_scored``: a call scored at 1m tells its author, once, set-based, as the preferences say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import Call, CallStatus
from content.services.posts import post_delete
from content.signals import calls_scored
from notifications import receivers, tasks
from notifications.api.rendering import group_payload
from notifications.models import NotificationAct, NotificationGroup
from notifications.preferences import preferences_update
from notifications.tests.factories import make_call

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


def scored(committed: Any, *calls: Call) -> None:
    """What the scorer does: ``calls_scored`` inside its transaction; the task runs after the commit."""
    with committed():
        calls_scored.send(sender=Call, post_ids=[call.post_id for call in calls])


def test_a_scored_call_notifies_its_author_with_the_post_and_no_accounts(auth_client, user, committed, signals_seen):
    call = make_call(user)

    scored(committed, call)

    [item] = auth_client.get(URL).json()["results"]
    assert item["type"] == "call_scored"
    assert item["group_key"] == f"call_scored:post:{call.post_id}"
    assert item["count"] == 1
    assert item["accounts"] == []  # nobody did it
    assert item["post"]["id"] == str(call.post_id)
    assert item["comment"] is None
    assert item["read"] is False
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 1}
    group = NotificationGroup.objects.get()
    assert (group.recipient_id, group.post_id) == (user.pk, call.post_id)
    assert signals_seen == [("grouped", {"user_id": user.pk, "group_id": group.pk})]


def test_each_call_is_its_own_group_and_each_author_hears_of_their_own(committed):
    ana, bob = UserFactory(), UserFactory()
    calls = [make_call(ana), make_call(ana, symbol="TSLA", direction="bearish"), make_call(bob)]

    scored(committed, *calls)

    assert sorted(NotificationGroup.objects.values_list("recipient_id", "post_id", "count")) == sorted(
        [(ana.pk, calls[0].post_id, 1), (ana.pk, calls[1].post_id, 1), (bob.pk, calls[2].post_id, 1)]
    )
    assert list(NotificationAct.objects.values_list("type", flat=True).distinct()) == ["call_scored"]


def test_only_calls_still_scored_and_visible_notify(committed):
    author = UserFactory()
    notified = make_call(author)
    pending = make_call(author, status=CallStatus.PENDING)
    void = make_call(author, status=CallStatus.VOID)
    hidden = make_call(author, is_hidden=True)
    deleted = make_call(author, deleted_at=timezone.now())
    suspended = make_call(UserFactory(suspended_at=timezone.now(), is_active=False))
    missing_post_id = notified.post_id + 1000

    with committed():
        calls_scored.send(
            sender=Call,
            post_ids=[c.post_id for c in (notified, pending, void, hidden, deleted, suspended)] + [missing_post_id],
        )

    assert list(NotificationGroup.objects.values_list("post_id", flat=True)) == [notified.post_id]


def test_the_same_calls_scored_again_notify_once(auth_client, user, committed, signals_seen):
    first, second = make_call(user), make_call(user, symbol="AAPL")
    scored(committed, first)
    auth_client.post(f"{URL}/read", {}, format="json")

    scored(committed, first, second)  # a rerun of the scorer, or a retried task
    scored(committed, first, second)

    assert NotificationAct.objects.count() == 2
    assert sorted(NotificationGroup.objects.values_list("post_id", "count", "read")) == sorted(
        [(first.post_id, 1, True), (second.post_id, 1, False)]
    )
    assert [kwargs["group_id"] for _, kwargs in signals_seen] == list(
        NotificationGroup.objects.order_by("pk").values_list("pk", flat=True)
    )


def test_a_repeated_task_writes_nothing_twice():
    call = make_call(UserFactory())

    assert tasks.notify_calls_scored.apply(kwargs={"post_ids": [call.post_id]}).get() == 1
    assert tasks.notify_calls_scored.apply(kwargs={"post_ids": [call.post_id]}).get() == 0
    assert (NotificationGroup.objects.count(), NotificationAct.objects.count()) == (1, 1)


def test_switched_off_in_the_app_it_is_neither_listed_nor_counted(auth_client, user, committed):
    preferences_update(user=user, types={"call_scored": {"in_app": False}})
    scored(committed, make_call(user))

    assert auth_client.get(URL).json()["results"] == []
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 0}
    # Recorded all the same, as every type is: switched back on, it shows.
    preferences_update(user=user, types={"call_scored": {"in_app": True}})
    assert [item["type"] for item in auth_client.get(URL).json()["results"]] == ["call_scored"]


START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("email", [True, False])
def test_the_digest_tells_the_outcome_when_email_is_on(committed, email):
    author = UserFactory(display_name="Ana")
    with time_machine.travel(START, tick=False):
        preferences_update(user=author, types={"call_scored": {"email": email}}, email_digest="daily")
    hit = make_call(author, return_1m=0.042)
    miss = make_call(author, symbol="TSLA", direction="bearish", return_1m=0.1)
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        scored(committed, hit, miss)

    with time_machine.travel(START + timedelta(days=1), tick=False):
        sent = tasks.send_digests.apply().get()

    if not email:
        assert (sent, mail.outbox) == (0, [])
        return
    [message] = mail.outbox
    assert "Your bullish call on $NVDA was scored at 1m: +4.2%, a hit" in message.body
    assert "Your bearish call on $TSLA was scored at 1m: +10.0%, a miss" in message.body
    assert '"$NVDA looks bullish"' in message.body
    html = message.alternatives[0][0]
    assert "Your bullish call on $NVDA was scored at 1m: +4.2%, a hit" in html


def test_other_users_do_not_see_it(auth_client, user, client_for, api_client, committed):
    call = make_call(user)
    scored(committed, call)
    group = NotificationGroup.objects.get()
    other = UserFactory()

    assert client_for(other).get(URL).json()["results"] == []
    assert client_for(other).get(f"{URL}/unread-count").json() == {"count": 0}
    assert group_payload(group.pk, other) is None
    assert api_client.get(URL).status_code == 401
    # Marking it read by id from another account does nothing to it.
    assert client_for(other).post(f"{URL}/read", {"ids": [str(group.pk)]}, format="json").status_code == 204
    group.refresh_from_db()
    assert group.read is False
    assert group_payload(group.pk, user)["post"]["id"] == str(call.post_id)


def test_deleting_the_post_takes_the_notification_away(user, committed):
    call = make_call(user)
    type(user).objects.filter(pk=user.pk).update(posts_count=1)  # as post_create counts it
    scored(committed, call)

    with committed():
        post_delete(post=call.post, actor=user)

    assert NotificationGroup.objects.count() == 0


def _queries_to_notify(count: int) -> tuple[int, list[str]]:
    post_ids = [make_call(UserFactory()).post_id for _ in range(count)]
    with CaptureQueriesContext(connection) as queries:
        assert tasks.notify_calls_scored.apply(kwargs={"post_ids": post_ids}).get() == count
    return len(queries), [query["sql"] for query in queries]


def test_the_task_runs_a_fixed_number_of_queries_whatever_the_number_of_calls():
    one, sql = _queries_to_notify(1)
    fifty, _ = _queries_to_notify(50)

    # The calls still scored and visible; then, in a savepoint: the groups inserted, the groups
    # without an act read back, their acts inserted.
    assert one == fifty == 6, sql


def test_a_big_run_is_split_into_tasks_of_a_fixed_size(monkeypatch):
    sent: list[list[int]] = []
    monkeypatch.setattr(receivers, "enqueue", lambda task, *, post_ids: sent.append(post_ids))
    post_ids = list(range(1, 2 * tasks.CALLS_SCORED_CHUNK + 2))

    calls_scored.send(sender=Call, post_ids=[*reversed(post_ids), 7])

    assert [len(chunk) for chunk in sent] == [tasks.CALLS_SCORED_CHUNK, tasks.CALLS_SCORED_CHUNK, 1]
    assert [post_id for chunk in sent for post_id in chunk] == post_ids
