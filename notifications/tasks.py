"""The notification fan-out: one task per domain event (enqueued by ``notifications.receivers``),
plus the scheduled ``notify_ended_polls`` and ``send_digests``.

Tasks take ids and re-read the rows: by the time one runs the post may be gone
or the like undone, and then it writes nothing. All are idempotent.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from content.models import Call, CallStatus, Comment, CommentMention, Post, PostMention
from content.querysets import publicly_visible
from core.tasks import task
from notifications import services
from notifications.digest import digest_send, due
from notifications.models import EndedPollNotice, NotificationType
from notifications.services import Target
from polls.models import Poll, PollVote


def _follow_target(day: str) -> Target:
    return Target(target_key="", group_key=f"follow:{day}")


@task()
def notify_follow(*, follower_id: int, following_id: int) -> None:
    """``follow`` acts group per UTC day."""
    now = timezone.now()
    services.act_record(
        recipient_id=following_id,
        actor_id=follower_id,
        kind=NotificationType.FOLLOW,
        target=_follow_target(now.date().isoformat()),
        created_at=now,
    )


@task()
def unnotify_follow(*, follower_id: int, following_id: int) -> None:
    services.act_undo(actor_id=follower_id, kind=NotificationType.FOLLOW, target_key="", recipient_id=following_id)


def _post_act(*, kind: str, user_id: int, post_id: int, added: bool) -> None:
    """A like or a plain repost of a post by ``user_id`` (``added``), or its undoing: one act for the
    post's author, grouped per post and kind."""
    target_key = f"post:{post_id}"
    if not added:
        services.act_undo(actor_id=user_id, kind=kind, target_key=target_key)
        return
    author_id = Post.objects.filter(pk=post_id).values_list("author_id", flat=True).first()
    if author_id is not None:
        services.act_record(
            recipient_id=author_id,
            actor_id=user_id,
            kind=kind,
            target=Target(target_key, f"{kind}:{target_key}", group_post_id=post_id, post_id=post_id),
        )


@task()
def notify_post_reaction(*, user_id: int, post_id: int, reacted: bool) -> None:
    _post_act(kind=NotificationType.REACTION, user_id=user_id, post_id=post_id, added=reacted)


@task()
def notify_comment_reaction(*, user_id: int, comment_id: int, reacted: bool) -> None:
    target_key = f"comment:{comment_id}"
    if not reacted:
        services.act_undo(actor_id=user_id, kind=NotificationType.REACTION, target_key=target_key)
        return
    comment = Comment.objects.filter(pk=comment_id).values("author_id", "post_id").first()
    if comment is not None:
        services.act_record(
            recipient_id=comment["author_id"],
            actor_id=user_id,
            kind=NotificationType.REACTION,
            target=Target(
                target_key,
                f"reaction:{target_key}",
                group_post_id=comment["post_id"],
                group_comment_id=comment_id,
                comment_id=comment_id,
            ),
        )


@task()
def notify_repost(*, user_id: int, post_id: int, created: bool) -> None:
    _post_act(kind=NotificationType.REPOST, user_id=user_id, post_id=post_id, added=created)


def _mentions_record(*, author_id: int, user_ids: list[int], target: Target) -> None:
    for user_id in user_ids:
        services.act_record(recipient_id=user_id, actor_id=author_id, kind=NotificationType.MENTION, target=target)


@task()
def notify_post_published(*, post_id: int, author_id: int, quoted_post_id: int | None = None) -> None:
    """Mentions in the post (one per mentioned user), and a ``quote`` to the quoted post's author."""
    target_key = f"post:{post_id}"
    mentioned = list(PostMention.objects.filter(post_id=post_id).order_by("position").values_list("user_id", flat=True))
    _mentions_record(
        author_id=author_id,
        user_ids=mentioned,
        target=Target(target_key, f"mention:{target_key}", group_post_id=post_id, post_id=post_id),
    )
    if quoted_post_id is not None:
        quoted_author_id = Post.objects.filter(pk=quoted_post_id).values_list("author_id", flat=True).first()
        if quoted_author_id is not None:
            services.act_record(
                recipient_id=quoted_author_id,
                actor_id=author_id,
                kind=NotificationType.QUOTE,
                # The act is the quoting post; the group is the quoted one ("3 people quoted your post").
                target=Target(
                    target_key, f"quote:post:{quoted_post_id}", group_post_id=quoted_post_id, post_id=post_id
                ),
            )


@task()
def notify_comment_published(*, comment_id: int, post_id: int, author_id: int, parent_id: int | None = None) -> None:
    """``reply`` to the parent comment's author, ``comment`` to the post's author (unless that is the
    same person, who gets the reply), and a ``mention`` to each user the comment mentions."""
    target_key = f"comment:{comment_id}"
    post_author_id = Post.objects.filter(pk=post_id).values_list("author_id", flat=True).first()
    parent_author_id = None
    if parent_id is not None:
        parent_author_id = Comment.objects.filter(pk=parent_id).values_list("author_id", flat=True).first()
    if parent_author_id is not None:
        services.act_record(
            recipient_id=parent_author_id,
            actor_id=author_id,
            kind=NotificationType.REPLY,
            target=Target(
                target_key,
                f"reply:comment:{parent_id}",
                group_post_id=post_id,
                group_comment_id=parent_id,
                post_id=post_id,
                comment_id=comment_id,
            ),
        )
    if post_author_id is not None and post_author_id != parent_author_id:
        services.act_record(
            recipient_id=post_author_id,
            actor_id=author_id,
            kind=NotificationType.COMMENT,
            target=Target(
                target_key, f"comment:post:{post_id}", group_post_id=post_id, post_id=post_id, comment_id=comment_id
            ),
        )
    mentioned = (
        CommentMention.objects.filter(comment_id=comment_id).order_by("position").values_list("user_id", flat=True)
    )
    _mentions_record(
        author_id=author_id,
        user_ids=list(mentioned),
        target=Target(
            target_key,
            f"mention:{target_key}",
            group_post_id=post_id,
            group_comment_id=comment_id,
            post_id=post_id,
            comment_id=comment_id,
        ),
    )


@task()
def withdraw_post(*, post_id: int) -> None:
    services.acts_about_post_remove(post_id=post_id)


@task()
def withdraw_comment(*, comment_id: int) -> None:
    services.acts_about_comment_remove(comment_id=comment_id)


@task()
def forget_actor(*, user_id: int, target_id: int, both_ways: bool) -> None:
    """A mute (``user`` no longer hears ``target``) or a block (``both_ways``)."""
    services.acts_between_remove(user_id=user_id, other_id=target_id, both_ways=both_ways)


@task()
def forget_deactivated(*, user_id: int) -> None:
    """A suspended or deleted account's acts leave everyone's notifications."""
    from notifications.models import NotificationAct

    services.acts_remove(NotificationAct.objects.filter(actor_id=user_id))


def _poll_notify(poll: Poll) -> bool:
    """Marks the poll notified and notifies its voters and its post's author, in one transaction;
    False when another run marked it first."""
    post = Post.objects.filter(poll_id=poll.pk).values("pk", "author_id").first()
    with transaction.atomic():
        try:
            with transaction.atomic():
                EndedPollNotice.objects.create(poll_id=poll.pk)
        except IntegrityError:
            return False
        if post is None:
            return True
        target_key = f"post:{post['pk']}"
        target = Target(target_key, f"poll_ended:{target_key}", group_post_id=post["pk"], post_id=post["pk"])
        voters = PollVote.objects.filter(poll_id=poll.pk).values_list("user_id", flat=True)
        for recipient_id in {post["author_id"], *voters}:
            # The actor is the poll's author: the group shows whose poll ended.
            services.act_record(
                recipient_id=recipient_id, actor_id=post["author_id"], kind=NotificationType.POLL_ENDED, target=target
            )
    return True


@task()
def notify_ended_polls() -> int:
    """Every poll that has ended and was not notified yet: its voters and author, exactly once
    (an ``EndedPollNotice`` row per poll, unique). Returns the number of polls notified."""
    ended = Poll.objects.filter(expires_at__lte=timezone.now()).exclude(
        pk__in=EndedPollNotice.objects.values("poll_id")
    )
    return sum(_poll_notify(poll) for poll in ended.order_by("expires_at", "pk").iterator())


# Post ids per call_scored task (a scoring run may score thousands of calls at once).
CALLS_SCORED_CHUNK = 500


@task()
def notify_calls_scored(*, post_ids: list[int]) -> int:
    """``call_scored``: each call just scored at 1m tells its author, in a group per post (no actor).
    Only calls still scored and visible (not deleted, not hidden, author in good standing); a call
    notified before is left alone. Set-based: a fixed number of queries for up to
    ``CALLS_SCORED_CHUNK`` ids (``notifications.receivers`` chunks bigger lists). Returns the number notified."""
    calls = (
        Call.objects.filter(post_id__in=post_ids, status=CallStatus.SCORED)
        .filter(publicly_visible("post__"))
        .order_by("post_id")
        .values_list("post_id", "author_id")
    )
    acts = [
        (author_id, Target(f"post:{post_id}", f"call_scored:post:{post_id}", group_post_id=post_id, post_id=post_id))
        for post_id, author_id in calls
    ]
    return len(services.own_acts_record(kind=NotificationType.CALL_SCORED, acts=acts))


@task()
def send_digests() -> int:
    """Hourly: every digest that is due, one email per user (``notifications.digest``). Returns the emails sent."""
    now = timezone.now()
    ids = list(due(now).order_by("pk").values_list("pk", flat=True))
    return sum(digest_send(preferences_id=pk, now=now) for pk in ids)
