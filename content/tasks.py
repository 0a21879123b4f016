"""The content app's background work (core.tasks): the periodic purges (sent by celery beat) and
deleting stored files once no row points at them."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from content import timelines
from content.calls import calls_score
from content.services.media import UNATTACHED_MEDIA_MAX_AGE, media_purge_unattached, stored_files_delete
from content.services.purge import deleted_content_purge
from core.tasks import task

logger = logging.getLogger(__name__)


@task(name="content.tasks.purge_deleted_content")
def purge_deleted_content() -> None:
    """``manage.py purge_deleted_content`` with the ``CONTENT_RETENTION_DAYS`` retention (idempotent)."""
    cutoff = timezone.now() - timedelta(days=settings.CONTENT_RETENTION_DAYS)
    result = deleted_content_purge(older_than=cutoff)
    logger.info(
        "Purged %s posts, %s comments, %s media files deleted before %s; %s comments kept for their replies",
        result.posts,
        result.comments,
        result.media_files,
        cutoff,
        result.comments_kept,
    )


@task(name="content.tasks.purge_unattached_media")
def purge_unattached_media() -> None:
    """``manage.py purge_unattached_media`` with its default age (idempotent)."""
    purged = media_purge_unattached(older_than=UNATTACHED_MEDIA_MAX_AGE)
    logger.info("Purged %s unattached media older than %s", purged, UNATTACHED_MEDIA_MAX_AGE)


@task(name="content.tasks.score_calls")
def score_calls() -> None:
    """``manage.py score_calls``: the calls whose prices changed since the last run (idempotent)."""
    result = calls_score()
    logger.info(
        "Scored calls: %s examined, %s changed, %s newly scored at 1m",
        result.examined,
        result.changed,
        result.newly_scored,
    )


@task(name="content.tasks.delete_stored_files")
def delete_stored_files(names: list[str]) -> None:
    """Deletes stored media files no row points at any more; a missing file is no error (idempotent)."""
    stored_files_delete(names)


# Home timelines (content.timelines): the fan-out and the follow graph's changes, sent by
# content.receivers after the write commits; the upkeep, sent by celery beat.


@task(name="content.tasks.fan_out_post")
def fan_out_post(post_id: int) -> None:
    """A new (or shown again) post into its author's and followers' home timelines (idempotent)."""
    timelines.fan_out_post(post_id)


@task(name="content.tasks.fan_out_repost")
def fan_out_repost(user_id: int, post_id: int) -> None:
    """A plain repost into the reposter's followers' home timelines (idempotent)."""
    timelines.fan_out_repost(user_id=user_id, post_id=post_id)


@task(name="content.tasks.follow_backfill")
def follow_backfill(follower_id: int, following_id: int) -> None:
    """The followee's newest posts and reposts into the new follower's home timeline (idempotent)."""
    timelines.follow_backfill(follower_id, following_id)


@task(name="content.tasks.follow_prune")
def follow_prune(follower_id: int, following_id: int) -> None:
    """The unfollowed user's entries out of the follower's home timeline (idempotent)."""
    timelines.follow_prune(follower_id, following_id)


@task(name="content.tasks.trim_home_timelines")
def trim_home_timelines() -> None:
    """Cuts the home timelines that grew past ``HOME_TIMELINE_SIZE`` (idempotent)."""
    logger.info("Trimmed %s home timelines", timelines.timelines_trim())


@task(name="content.tasks.drop_idle_home_timelines")
def drop_idle_home_timelines() -> None:
    """Drops the home timelines of users inactive for ``HOME_TIMELINE_INACTIVE_DAYS`` (idempotent)."""
    logger.info("Dropped %s idle home timelines", timelines.timelines_drop_inactive())
