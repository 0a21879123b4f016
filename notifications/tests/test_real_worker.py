"""The fan-out and the digest on a real Celery worker (RabbitMQ): what runs eagerly elsewhere, through the queue.

Skipped without a reachable broker (fails instead under PAGESHARE_REQUIRE_BROKER=1, as .ci/run sets).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.services.interactions import post_reaction_toggle
from content.tests.factories import PostFactory
from notifications import tasks
from notifications.models import NotificationGroup, NotificationPreferences
from notifications.preferences import preferences_update


@pytest.fixture
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


def test_a_like_is_notified_by_the_worker_and_the_digest_lands(celery_worker, locmem_mail):
    author, fan = UserFactory(), UserFactory(display_name="Bob")
    post = PostFactory(author=author, content="Rates are going down")
    preferences_update(user=author, types={"reaction": {"email": True}}, email_digest="daily")
    # The digest was turned on a day ago (the like came after that).
    NotificationPreferences.objects.filter(user=author).update(last_digest_at=timezone.now() - timedelta(days=1))

    post_reaction_toggle(user=fan, post_id=post.pk, reacted=True)  # commits: the fan-out task goes to the queue
    celery_worker.wait("notifications.tasks.notify_post_reaction")
    assert NotificationGroup.objects.get(recipient=author).count == 1

    tasks.send_digests.delay()
    celery_worker.wait("notifications.tasks.send_digests")
    [email] = mail.outbox
    assert email.to == [author.email]
    assert "Bob liked your post" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A second run (a retry, an overlapping beat) sends nothing more.
    tasks.send_digests.delay()
    celery_worker.wait("notifications.tasks.send_digests", count=2)
    assert len(mail.outbox) == 1
