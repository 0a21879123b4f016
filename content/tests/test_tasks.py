"""content.tasks: the purges celery beat runs, and stored files deleted on the queue (eager in tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import Media, Post
from content.services.account_deletion import account_content_remove
from content.tasks import purge_deleted_content, purge_unattached_media
from content.tests.factories import PostFactory
from content.tests.helpers_posts import media_file_exists, stored_media

pytestmark = pytest.mark.django_db


def test_purge_deleted_content_keeps_what_is_within_the_retention_setting(settings, django_capture_on_commit_callbacks):
    settings.CONTENT_RETENTION_DAYS = 10
    now = timezone.now()
    old = PostFactory(created_at=now - timedelta(days=12), deleted_at=now - timedelta(days=11))
    media = stored_media(post=old)
    recent = PostFactory(created_at=now - timedelta(days=12), deleted_at=now - timedelta(days=9))
    alive = PostFactory()

    with django_capture_on_commit_callbacks(execute=True):
        purge_deleted_content.delay()

    assert set(Post.objects.values_list("pk", flat=True)) == {recent.pk, alive.pk}
    assert not media_file_exists(media)


def test_purge_unattached_media_deletes_uploads_older_than_a_day(django_capture_on_commit_callbacks):
    old = stored_media(created_at=timezone.now() - timedelta(hours=25))
    recent = stored_media(created_at=timezone.now() - timedelta(hours=23))

    with django_capture_on_commit_callbacks(execute=True):
        purge_unattached_media.delay()

    assert list(Media.objects.all()) == [recent]
    assert not media_file_exists(old)
    assert media_file_exists(recent)


def test_an_account_s_files_are_deleted_on_the_queue_once_its_removal_commits(django_capture_on_commit_callbacks):
    user = UserFactory()
    upload = stored_media(owner=user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        account_content_remove(user=user)
    # The rows are gone; the file waits for the commit (a rollback would leave a row pointing at it).
    assert not Media.objects.filter(owner=user).exists()
    assert media_file_exists(upload)

    assert len(callbacks) == 1
    callbacks[0]()
    assert not media_file_exists(upload)
