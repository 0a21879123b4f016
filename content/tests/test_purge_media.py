"""purge_unattached_media: uploads never attached to a post go, rows and files, after 24 hours."""

import io
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from content.models import Media
from content.services import media as media_services
from content.services.media import media_purge_unattached
from content.tests.factories import PostFactory
from content.tests.helpers_posts import media_file_exists, stored_media
from core.testing import postgres_only, race

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def uploaded(*, hours_ago, **fields):
    """A media row uploaded ``hours_ago`` before T0, with a real file in storage."""
    return stored_media(created_at=T0 - timedelta(hours=hours_ago), **fields)


def purge_command(*args):
    out = io.StringIO()
    call_command("purge_unattached_media", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(T0, tick=False)
def test_old_unattached_uploads_go_with_their_files(django_capture_on_commit_callbacks):
    old = [uploaded(hours_ago=25), uploaded(hours_ago=24 * 30)]
    recent = uploaded(hours_ago=23)
    post = PostFactory()
    attached = uploaded(hours_ago=24 * 30, post=post)

    with django_capture_on_commit_callbacks(execute=True):
        purged = media_purge_unattached(older_than=timedelta(hours=24))

    assert purged == 2
    assert set(Media.objects.all()) == {recent, attached}
    assert [media_file_exists(media) for media in old] == [False, False]
    assert media_file_exists(recent)
    assert media_file_exists(attached)


def test_files_are_deleted_only_after_the_rows_are_committed(django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        old = uploaded(hours_ago=48)

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert media_purge_unattached(older_than=timedelta(hours=24)) == 1
            assert not Media.objects.filter(pk=old.pk).exists()
            assert media_file_exists(old)  # a rollback would leave the row pointing at it

    assert len(callbacks) == 1
    callbacks[0]()
    assert not media_file_exists(old)


def test_an_upload_becomes_purgeable_once_24_hours_have_passed(django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        media = uploaded(hours_ago=0)

    with time_machine.travel(T0 + timedelta(hours=23, minutes=59), tick=False):
        assert media_purge_unattached(older_than=timedelta(hours=24)) == 0
    with (
        time_machine.travel(T0 + timedelta(hours=24, seconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert media_purge_unattached(older_than=timedelta(hours=24)) == 1

    assert not Media.objects.exists()
    assert not media_file_exists(media)


@time_machine.travel(T0, tick=False)
def test_the_purge_works_in_batches(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(media_services, "PURGE_BATCH_SIZE", 2)
    old = [uploaded(hours_ago=30 + n) for n in range(5)]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert media_purge_unattached(older_than=timedelta(hours=24)) == 5

    assert len(callbacks) == 3  # one per batch
    assert not Media.objects.exists()
    assert not any(media_file_exists(media) for media in old)


@time_machine.travel(T0, tick=False)
def test_a_file_already_gone_or_failing_to_delete_does_not_stop_the_purge(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    gone = uploaded(hours_ago=30)
    default_storage.delete(gone.file.name)
    stuck = uploaded(hours_ago=40)
    real_delete = FileSystemStorage.delete

    def delete(self, name):
        if name == stuck.file.name:
            raise OSError("storage is down")
        real_delete(self, name)

    monkeypatch.setattr(FileSystemStorage, "delete", delete)

    with (
        caplog.at_level(logging.ERROR, logger="content.services.media"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert media_purge_unattached(older_than=timedelta(hours=24)) == 2

    assert not Media.objects.exists()
    assert [record.getMessage() for record in caplog.records] == [
        f"Could not delete the media file {stuck.file.name} from storage"
    ]


# The command


@time_machine.travel(T0, tick=False)
def test_command_prints_a_summary_and_is_idempotent(django_capture_on_commit_callbacks):
    old = [uploaded(hours_ago=25), uploaded(hours_ago=26)]
    recent = uploaded(hours_ago=1)

    with django_capture_on_commit_callbacks(execute=True):
        first = purge_command()
        second = purge_command()

    assert first == "Purged 2 unattached media older than 24 hours.\n"
    assert second == "Purged 0 unattached media older than 24 hours.\n"
    assert list(Media.objects.all()) == [recent]
    assert not any(media_file_exists(media) for media in old)


@time_machine.travel(T0, tick=False)
def test_command_takes_the_age_in_hours(django_capture_on_commit_callbacks):
    older = uploaded(hours_ago=30)
    younger = uploaded(hours_ago=20)

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_command("--hours", "48") == "Purged 0 unattached media older than 48 hours.\n"
        assert purge_command("--hours", "2") == "Purged 2 unattached media older than 2 hours.\n"

    assert not Media.objects.exists()
    assert not media_file_exists(older)
    assert not media_file_exists(younger)


@pytest.mark.parametrize("hours", ["0", "-5"])
def test_command_refuses_an_age_under_one_hour(hours):
    uploaded(hours_ago=0)

    with pytest.raises(CommandError, match="--hours must be at least 1"):
        purge_command("--hours", hours)

    assert Media.objects.count() == 1


# Concurrency (PostgreSQL: SQLite runs one write transaction at a time)


def _on_postgres(test):
    for mark in postgres_only:
        test = mark(test)
    return test


@_on_postgres
def test_two_concurrent_purges_delete_each_upload_once():
    with time_machine.travel(T0, tick=False):
        old = [uploaded(hours_ago=30 + n) for n in range(20)]
        kept = uploaded(hours_ago=1)

        outcomes = race(lambda: media_purge_unattached(older_than=timedelta(hours=24)))

    assert sum(outcomes) == 20
    assert list(Media.objects.all()) == [kept]
    assert not any(media_file_exists(media) for media in old)


@_on_postgres
def test_the_purge_skips_an_upload_a_post_is_claiming_right_now():
    with time_machine.travel(T0, tick=False):
        claimed = uploaded(hours_ago=30)
        other = uploaded(hours_ago=30)
    post = PostFactory(author=claimed.owner)
    locked, release = threading.Event(), threading.Event()

    def claim():
        # What post_create does: lock the caller's unattached media, then attach it.
        try:
            with transaction.atomic():
                Media.objects.select_for_update().get(pk=claimed.pk, post__isnull=True)
                locked.set()
                release.wait(timeout=10)
                Media.objects.filter(pk=claimed.pk).update(post=post)
        finally:
            connection.close()

    claimer = threading.Thread(target=claim)
    claimer.start()
    try:
        assert locked.wait(timeout=10)
        with time_machine.travel(T0, tick=False):
            assert media_purge_unattached(older_than=timedelta(hours=24)) == 1
    finally:
        release.set()
        claimer.join(timeout=10)

    claimed.refresh_from_db()
    assert claimed.post == post
    assert media_file_exists(claimed)
    assert not Media.objects.filter(pk=other.pk).exists()
    assert not media_file_exists(other)
