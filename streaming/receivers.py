"""The domain signals the streams listen to.

Posts and reposts are published by a task (``enqueue``: after the commit, on the queue), since a
post's fan-out reads its author's followers. A mute, block or suspension is one group message,
sent as soon as its write commits, so it applies to open sockets at once. Notifications arrive
after their own task's commit (``notifications.signals``) and are passed straight on.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts import signals as account_signals
from content import signals as content_signals
from core.tasks import enqueue
from notifications import signals as notification_signals
from social import signals as social_signals
from streaming import tasks


def _on_post_published(sender: Any, *, post_id: int, **_: Any) -> None:
    enqueue(tasks.publish_post, post_id=post_id)


def _on_post_withdrawn(sender: Any, *, post_id: int, **_: Any) -> None:
    enqueue(tasks.publish_delete, post_id=post_id)


def _on_repost_created(sender: Any, *, user_id: int, post_id: int, **_: Any) -> None:
    enqueue(tasks.publish_repost, user_id=user_id, post_id=post_id)


def _on_mute_created(sender: Any, *, user_id: int, **_: Any) -> None:
    transaction.on_commit(lambda: tasks.filters_refresh([user_id]))


def _on_block_created(sender: Any, *, user_id: int, target_id: int, **_: Any) -> None:
    transaction.on_commit(lambda: tasks.filters_refresh([user_id, target_id]))


def _on_user_deactivated(sender: Any, *, user_id: int, **_: Any) -> None:
    transaction.on_commit(lambda: tasks.sockets_close(user_id))


def _on_notification_grouped(sender: Any, *, user_id: int, group_id: int, **_: Any) -> None:
    tasks.notification_send(user_id, group_id)


def connect() -> None:
    uid = "streaming"
    content_signals.post_published.connect(_on_post_published, dispatch_uid=uid)
    content_signals.post_withdrawn.connect(_on_post_withdrawn, dispatch_uid=uid)
    content_signals.repost_created.connect(_on_repost_created, dispatch_uid=uid)
    social_signals.mute_created.connect(_on_mute_created, dispatch_uid=uid)
    social_signals.block_created.connect(_on_block_created, dispatch_uid=uid)
    account_signals.user_deactivated.connect(_on_user_deactivated, dispatch_uid=uid)
    notification_signals.notification_grouped.connect(_on_notification_grouped, dispatch_uid=uid)
