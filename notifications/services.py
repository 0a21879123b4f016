"""Writing notifications: recording an act in its group, removing acts, marking groups read.

Every function is idempotent (tasks may run twice): an act is unique per
(recipient, actor, type, target) by a constraint, and a group's ``count`` and
``latest_at`` are recomputed from its acts under the group's row lock, never
incremented blindly. A group with no act left is deleted.

The mute/block rule is checked under the same user-row locks that
``social.services`` takes for a block (both users, lower id first; here in
SHARE mode on PostgreSQL), so a block committed while a fan-out runs is seen by
it: either the act is written before the block (and the block's task removes
it) or the block is seen and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from content.models import Comment, Post
from notifications import signals
from notifications.models import NotificationAct, NotificationGroup, NotificationPreferences, NotificationType
from social.models import Block, Mute


@dataclass(frozen=True)
class Target:
    """What an act is on and how it groups: ``target_key`` (the act's identity with its actor and type),
    ``group_key`` and the post/comment the group shows; ``post_id``/``comment_id`` are what the act
    depends on (withdrawing either removes the act)."""

    target_key: str
    group_key: str
    group_post_id: int | None = None
    group_comment_id: int | None = None
    post_id: int | None = None
    comment_id: int | None = None


def _share_lock_users(*user_ids: int) -> None:
    """Locks the users' rows in SHARE mode, lower id first: waits for a block of the pair in progress."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writes anyway.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {User._meta.db_table} WHERE id = ANY(%s) ORDER BY id FOR SHARE",  # noqa: S608 - a table name
            [sorted(set(user_ids))],
        )


def _may_notify(*, recipient: User, actor_id: int, kind: str, target: Target) -> bool:
    if not recipient.in_good_standing:
        return False
    if actor_id == recipient.pk and kind != NotificationType.POLL_ENDED:
        return False  # your own acts never notify (an ended poll is the poll's, not its author's act)
    if Block.objects.filter(
        Q(user_id=recipient.pk, target_id=actor_id) | Q(user_id=actor_id, target_id=recipient.pk)
    ).exists():
        return False
    if Mute.objects.filter(user_id=recipient.pk, target_id=actor_id).exists():
        return False
    for post_id in {target.post_id, target.group_post_id}:
        if post_id is not None and not Post.objects.visible_to(recipient).filter(pk=post_id).exists():
            return False
    for comment_id in {target.comment_id, target.group_comment_id}:
        if comment_id is not None and not Comment.objects.visible_to(recipient).filter(pk=comment_id).exists():
            return False
    return True


def _group_refresh(group: NotificationGroup) -> bool:
    """Recomputes ``count`` and ``latest_at`` from the acts (the row is locked); deletes an empty group.
    True when the group is gone."""
    stats = group.acts.aggregate(n=Count("id"), latest=Max("created_at"))
    if not stats["n"]:
        group.delete()
        return True
    group.count = stats["n"]
    group.latest_at = stats["latest"]
    group.save(update_fields=["count", "latest_at", "read"])
    return False


def _announce(*, user_id: int, group_id: int, removed: bool | None = None) -> None:
    """Tells the streams after the commit: a new act (``removed`` None) or a removal."""
    if removed is None:
        transaction.on_commit(
            lambda: signals.notification_grouped.send(NotificationGroup, user_id=user_id, group_id=group_id)
        )
    else:
        transaction.on_commit(
            lambda: signals.notification_removed.send(
                NotificationGroup, user_id=user_id, group_id=group_id, removed=removed
            )
        )


@transaction.atomic
def act_record(
    *, recipient_id: int, actor_id: int, kind: str, target: Target, created_at: datetime | None = None
) -> int | None:
    """Records one act and puts it in its group; the group's id, or None when nothing was written
    (already recorded, or a rule refuses it: self, mute, block, a post or comment the recipient
    cannot see, a recipient who cannot sign in)."""
    _share_lock_users(recipient_id, actor_id)
    recipient = User.objects.filter(pk=recipient_id).first()
    if recipient is None or not _may_notify(recipient=recipient, actor_id=actor_id, kind=kind, target=target):
        return None
    if NotificationAct.objects.filter(
        recipient_id=recipient_id, actor_id=actor_id, type=kind, target_key=target.target_key
    ).exists():
        return None
    created_at = created_at or timezone.now()
    group, _ = NotificationGroup.objects.get_or_create(
        recipient_id=recipient_id,
        group_key=target.group_key,
        defaults={
            "type": kind,
            "post_id": target.group_post_id,
            "comment_id": target.group_comment_id,
            "latest_at": created_at,
        },
    )
    group = NotificationGroup.objects.select_for_update().get(pk=group.pk)
    try:
        with transaction.atomic():
            NotificationAct.objects.create(
                recipient_id=recipient_id,
                actor_id=actor_id,
                type=kind,
                target_key=target.target_key,
                group=group,
                post_id=target.post_id,
                comment_id=target.comment_id,
                created_at=created_at,
            )
    except IntegrityError:
        return None  # a concurrent run of the same task recorded it
    group.read = False
    _group_refresh(group)
    _announce(user_id=recipient_id, group_id=group.pk)
    return group.pk


@transaction.atomic
def own_acts_record(*, kind: str, acts: Sequence[tuple[int, Target]], created_at: datetime | None = None) -> list[int]:
    """Records acts about the recipient's own things that nobody did (a call scored), set-based:
    ``acts`` is ``[(recipient_id, target)]``, each in a group of its own (``target.group_key``).
    The ids of the groups written; an act already recorded is left alone, so a repeated run writes nothing.

    The caller has checked the rules (a visible post, a recipient in good standing); there is no
    actor to mute or block, so the recipient stands in as the act's actor (an act needs one) and the
    group shows no accounts (``querysets.ACTORLESS_TYPES``). A fixed number of queries whatever the
    number of acts: the groups inserted (a conflict skipped), the groups read back, keeping those
    that have no act yet (ours; a concurrent run's insert of the same group waits for that run's
    commit, act included), their acts inserted. Callers chunk big lists.
    """
    if not acts:
        return []
    created_at = created_at or timezone.now()
    targets = {(recipient_id, target.group_key): target for recipient_id, target in acts}
    NotificationGroup.objects.bulk_create(
        [
            NotificationGroup(
                recipient_id=recipient_id,
                type=kind,
                group_key=group_key,
                post_id=target.group_post_id,
                comment_id=target.group_comment_id,
                count=1,
                latest_at=created_at,
            )
            # In one order for every run: two runs inserting the same groups wait on each other, never deadlock.
            for (recipient_id, group_key), target in sorted(targets.items())
        ],
        ignore_conflicts=True,
    )
    new_groups = (
        NotificationGroup.objects.filter(
            recipient_id__in={recipient_id for recipient_id, _ in targets},
            group_key__in={group_key for _, group_key in targets},
        )
        .exclude(Exists(NotificationAct.objects.filter(group_id=OuterRef("pk"))))
        .values_list("pk", "recipient_id", "group_key")
        .order_by("pk")
    )
    written = [
        (pk, recipient_id, targets[recipient_id, key])
        for pk, recipient_id, key in new_groups
        if (recipient_id, key) in targets  # the two IN lists may also match another recipient's key
    ]
    NotificationAct.objects.bulk_create(
        [
            NotificationAct(
                recipient_id=recipient_id,
                actor_id=recipient_id,
                type=kind,
                target_key=target.target_key,
                group_id=pk,
                post_id=target.post_id,
                comment_id=target.comment_id,
                created_at=created_at,
            )
            for pk, recipient_id, target in written
        ],
        ignore_conflicts=True,
    )
    announced = [(recipient_id, pk) for pk, recipient_id, _ in written]

    def announce() -> None:
        for user_id, group_id in announced:
            signals.notification_grouped.send(NotificationGroup, user_id=user_id, group_id=group_id)

    transaction.on_commit(announce)
    return [pk for pk, _, _ in written]


@transaction.atomic
def acts_remove(acts: QuerySet[NotificationAct]) -> int:
    """Removes the acts and refreshes their groups (an empty group is deleted); the number removed."""
    rows = list(acts.values_list("pk", "group_id", "recipient_id"))
    if not rows:
        return 0
    group_ids = sorted({group_id for _, group_id, _ in rows})
    groups = list(NotificationGroup.objects.select_for_update().filter(pk__in=group_ids).order_by("pk"))
    removed, _ = NotificationAct.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
    for group in groups:
        group_id = group.pk  # None once an empty group is deleted
        gone = _group_refresh(group)
        _announce(user_id=group.recipient_id, group_id=group_id, removed=gone)
    return removed


def acts_between_remove(*, user_id: int, other_id: int, both_ways: bool) -> int:
    """A mute (``user`` stops hearing ``other``) or a block (``both_ways``: neither hears the other)."""
    pair = Q(recipient_id=user_id, actor_id=other_id)
    if both_ways:
        pair |= Q(recipient_id=other_id, actor_id=user_id)
    return acts_remove(NotificationAct.objects.filter(pair))


def acts_about_post_remove(*, post_id: int) -> int:
    """A post withdrawn (deleted or hidden): every act on it, or shown with it, goes."""
    return acts_remove(NotificationAct.objects.filter(Q(post_id=post_id) | Q(group__post_id=post_id)))


def acts_about_comment_remove(*, comment_id: int) -> int:
    """A comment withdrawn: every act that is it, is on it, or is shown with it goes."""
    return acts_remove(NotificationAct.objects.filter(Q(comment_id=comment_id) | Q(group__comment_id=comment_id)))


def act_undo(*, actor_id: int, kind: str, target_key: str, recipient_id: int | None = None) -> int:
    """An act undone (unlike, unfollow, repost removed): removed from its group."""
    acts = NotificationAct.objects.filter(actor_id=actor_id, type=kind, target_key=target_key)
    if recipient_id is not None:
        acts = acts.filter(recipient_id=recipient_id)
    return acts_remove(acts)


@transaction.atomic
def groups_mark_read(*, user: User, ids: Iterable[int] | None = None, up_to_id: int | None = None) -> int:
    """Marks the user's groups read: ``ids``, or ``up_to_id`` and every group listed after it
    (older ``latest_at``), or all of them. Ids of other users' groups are ignored."""
    groups = NotificationGroup.objects.filter(recipient_id=user.pk, read=False)
    if ids is not None:
        groups = groups.filter(pk__in=list(ids))
    elif up_to_id is not None:
        anchor = NotificationGroup.objects.filter(recipient_id=user.pk, pk=up_to_id).values("latest_at").first()
        if anchor is None:
            return 0
        groups = groups.filter(
            Q(latest_at__lt=anchor["latest_at"]) | Q(latest_at=anchor["latest_at"], pk__lte=up_to_id)
        )
    return groups.update(read=True)


def account_notifications_remove(*, user: User) -> None:
    """Account deletion: the user's notifications, their acts in others' notifications, their preferences."""
    acts_remove(NotificationAct.objects.filter(actor_id=user.pk))
    NotificationGroup.objects.filter(recipient_id=user.pk).delete()
    NotificationPreferences.objects.filter(user_id=user.pk).delete()
