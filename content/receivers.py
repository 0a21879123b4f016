"""What content does when posts, reposts and follows change: keeps the home timelines
(``content.timelines``) on the task queue, after the write commits. Connected in ``ContentConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from content import signals, tasks
from core.tasks import enqueue
from social import signals as social_signals


def _on(signal: Any, name: str) -> Any:
    def connect(receiver: Any) -> Any:
        signal.connect(receiver, dispatch_uid=f"content.receivers.{name}")
        return receiver

    return connect


@_on(signals.post_published, "post_published")
def _post_published(*, post_id: int, **kwargs: Any) -> None:
    if settings.HOME_TIMELINES:
        enqueue(tasks.fan_out_post, post_id=post_id)


@_on(signals.post_restored, "post_restored")
def _post_restored(*, post_id: int, **kwargs: Any) -> None:
    # Shown again by a moderator: back into the timelines it was never written to while hidden.
    if settings.HOME_TIMELINES:
        enqueue(tasks.fan_out_post, post_id=post_id)


@_on(signals.repost_created, "repost_created")
def _repost_created(*, user_id: int, post_id: int, **kwargs: Any) -> None:
    if settings.HOME_TIMELINES:
        enqueue(tasks.fan_out_repost, user_id=user_id, post_id=post_id)


@_on(social_signals.follow_created, "follow_created")
def _follow_created(*, follower_id: int, following_id: int, **kwargs: Any) -> None:
    if settings.HOME_TIMELINES:
        enqueue(tasks.follow_backfill, follower_id=follower_id, following_id=following_id)


@_on(social_signals.follow_removed, "follow_removed")
def _follow_removed(*, follower_id: int, following_id: int, **kwargs: Any) -> None:
    if settings.HOME_TIMELINES:
        enqueue(tasks.follow_prune, follower_id=follower_id, following_id=following_id)
