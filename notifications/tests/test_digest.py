"""The email digest (eager mode): who gets it, when, what it holds, and that it is sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.tests.factories import UserFactory
from content.services.interactions import comment_create, post_reaction_toggle
from content.tests.factories import PostFactory
from notifications import tasks
from notifications.models import NotificationPreferences
from notifications.preferences import preferences_update

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def subscriber(committed):
    """A user with a daily digest of likes and comments (turned on at START), and a post."""
    user = UserFactory(display_name="Ana")
    with time_machine.travel(START, tick=False):
        preferences_update(
            user=user,
            types={"reaction": {"email": True}, "comment": {"email": True}},
            email_digest="daily",
        )
    return user, PostFactory(author=user, content="NVDA beats again")


def _like(post, committed, *, at, name="Bob"):
    fan = UserFactory(display_name=name)
    with time_machine.travel(at, tick=False), committed():
        post_reaction_toggle(user=fan, post_id=post.pk, reacted=True)
    return fan


def _send(at):
    with time_machine.travel(at, tick=False):
        return tasks.send_digests.apply().get()


def test_a_due_digest_has_text_html_and_one_click_unsubscribe(subscriber, committed, api_client, settings):
    settings.API_URL = "https://api.pageshare.example"
    user, post = subscriber
    _like(post, committed, at=START + timedelta(hours=2), name="Bob")
    _like(post, committed, at=START + timedelta(hours=3), name="Cleo")

    assert _send(START + timedelta(hours=12)) == 0  # not due yet
    assert _send(START + timedelta(hours=23)) == 1

    [email] = mail.outbox
    assert email.to == [user.email]
    assert email.subject == "PageShare: 1 new notification"
    assert "Cleo and Bob liked your post" in email.body
    assert "NVDA beats again" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert "Cleo and Bob liked your post" in html
    link = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://api.pageshare.example/api/v1/notifications/unsubscribe?token=")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in email.body
    assert link in html

    # The mail client's one-click POST turns the digest off.
    path = link.removeprefix("https://api.pageshare.example")
    response = api_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert NotificationPreferences.objects.get(user=user).email_digest == "off"


def test_a_digest_is_sent_once_however_often_the_task_runs(subscriber, committed):
    _, post = subscriber
    _like(post, committed, at=START + timedelta(hours=1))
    at = START + timedelta(days=1)
    assert _send(at) == 1
    assert _send(at) == 0
    assert _send(at + timedelta(hours=5)) == 0
    assert len(mail.outbox) == 1


def test_nothing_new_since_the_last_digest_sends_nothing(subscriber, committed):
    _user, post = subscriber
    _like(post, committed, at=START + timedelta(hours=1))
    assert _send(START + timedelta(days=1)) == 1
    assert _send(START + timedelta(days=2)) == 0  # the same unread like: already in the last digest
    _like(post, committed, at=START + timedelta(days=2, hours=1), name="Dan")
    assert _send(START + timedelta(days=3)) == 1
    assert "Dan and Bob liked your post" in mail.outbox[-1].body


def test_only_unread_notifications_of_email_types_are_in_the_digest(subscriber, committed, client_for):
    user, post = subscriber
    _like(post, committed, at=START + timedelta(hours=1))
    client_for(user).post("/api/v1/notifications/read")
    with time_machine.travel(START + timedelta(hours=2), tick=False), committed():
        post_reaction_toggle(user=user, post_id=PostFactory().pk, reacted=True)
        other = UserFactory()
        comment_create(author=other, post_id=post.pk, content="hi")
        preferences_update(user=user, types={"comment": {"email": False}})
    assert _send(START + timedelta(days=1)) == 0
    assert mail.outbox == []


def test_weekly_digests_wait_a_week_and_off_is_never_sent(subscriber, committed):
    user, post = subscriber
    preferences_update(user=user, email_digest="weekly")
    _like(post, committed, at=START + timedelta(hours=1))
    assert _send(START + timedelta(days=3)) == 0
    assert _send(START + timedelta(days=7)) == 1
    preferences_update(user=user, email_digest="off")
    _like(post, committed, at=START + timedelta(days=8), name="Eve")
    assert _send(START + timedelta(days=30)) == 0
