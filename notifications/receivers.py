"""The domain signals the fan-out listens to: each receiver enqueues a task (run after the commit)."""

from __future__ import annotations

from typing import Any

from accounts import signals as account_signals
from content import signals as content_signals
from core.tasks import enqueue
from notifications import tasks
from social import signals as social_signals


def _on_follow_created(sender: Any, *, follower_id: int, following_id: int, **_: Any) -> None:
    enqueue(tasks.notify_follow, follower_id=follower_id, following_id=following_id)


def _on_follow_removed(sender: Any, *, follower_id: int, following_id: int, **_: Any) -> None:
    enqueue(tasks.unnotify_follow, follower_id=follower_id, following_id=following_id)


def _on_mute_created(sender: Any, *, user_id: int, target_id: int, **_: Any) -> None:
    enqueue(tasks.forget_actor, user_id=user_id, target_id=target_id, both_ways=False)


def _on_block_created(sender: Any, *, user_id: int, target_id: int, **_: Any) -> None:
    enqueue(tasks.forget_actor, user_id=user_id, target_id=target_id, both_ways=True)


def _on_post_published(sender: Any, *, post_id: int, author_id: int, quoted_post_id: int | None, **_: Any) -> None:
    enqueue(tasks.notify_post_published, post_id=post_id, author_id=author_id, quoted_post_id=quoted_post_id)


def _on_post_withdrawn(sender: Any, *, post_id: int, **_: Any) -> None:
    enqueue(tasks.withdraw_post, post_id=post_id)


def _on_post_reaction(sender: Any, *, user_id: int, post_id: int, reacted: bool, **_: Any) -> None:
    enqueue(tasks.notify_post_reaction, user_id=user_id, post_id=post_id, reacted=reacted)


def _on_comment_published(
    sender: Any, *, comment_id: int, post_id: int, author_id: int, parent_id: int | None, **_: Any
) -> None:
    enqueue(
        tasks.notify_comment_published, comment_id=comment_id, post_id=post_id, author_id=author_id, parent_id=parent_id
    )


def _on_comment_withdrawn(sender: Any, *, comment_id: int, **_: Any) -> None:
    enqueue(tasks.withdraw_comment, comment_id=comment_id)


def _on_comment_reaction(sender: Any, *, user_id: int, comment_id: int, reacted: bool, **_: Any) -> None:
    enqueue(tasks.notify_comment_reaction, user_id=user_id, comment_id=comment_id, reacted=reacted)


def _on_repost_created(sender: Any, *, user_id: int, post_id: int, **_: Any) -> None:
    enqueue(tasks.notify_repost, user_id=user_id, post_id=post_id, created=True)


def _on_repost_removed(sender: Any, *, user_id: int, post_id: int, **_: Any) -> None:
    enqueue(tasks.notify_repost, user_id=user_id, post_id=post_id, created=False)


def _on_calls_scored(sender: Any, *, post_ids: list[int], **_: Any) -> None:
    ids = sorted(set(post_ids))
    for start in range(0, len(ids), tasks.CALLS_SCORED_CHUNK):
        enqueue(tasks.notify_calls_scored, post_ids=ids[start : start + tasks.CALLS_SCORED_CHUNK])


def _on_user_deactivated(sender: Any, *, user_id: int, **_: Any) -> None:
    enqueue(tasks.forget_deactivated, user_id=user_id)


def connect() -> None:
    uid = "notifications"
    social_signals.follow_created.connect(_on_follow_created, dispatch_uid=uid)
    social_signals.follow_removed.connect(_on_follow_removed, dispatch_uid=uid)
    social_signals.mute_created.connect(_on_mute_created, dispatch_uid=uid)
    social_signals.block_created.connect(_on_block_created, dispatch_uid=uid)
    content_signals.post_published.connect(_on_post_published, dispatch_uid=uid)
    content_signals.post_withdrawn.connect(_on_post_withdrawn, dispatch_uid=uid)
    content_signals.post_reaction_changed.connect(_on_post_reaction, dispatch_uid=uid)
    content_signals.comment_published.connect(_on_comment_published, dispatch_uid=uid)
    content_signals.comment_withdrawn.connect(_on_comment_withdrawn, dispatch_uid=uid)
    content_signals.comment_reaction_changed.connect(_on_comment_reaction, dispatch_uid=uid)
    content_signals.repost_created.connect(_on_repost_created, dispatch_uid=uid)
    content_signals.repost_removed.connect(_on_repost_removed, dispatch_uid=uid)
    content_signals.calls_scored.connect(_on_calls_scored, dispatch_uid=uid)
    account_signals.user_deactivated.connect(_on_user_deactivated, dispatch_uid=uid)
