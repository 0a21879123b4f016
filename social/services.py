"""Writes to the social graph: follow, mute, block and their undoing.

Every write that touches a pair of users first locks both user rows, lower id
first. That one rule makes the pair's writes take turns, so

- a follow and a block of the same pair cannot interleave: a follow never
  survives a block, and a follow never lands between blocked users;
- the ``followers_count``/``following_count`` updates of A→B and B→A cannot
  deadlock, because both transactions take the same two locks in one order.

The unique constraints still decide what exists: a row written outside these
services (the admin, fixtures) makes the insert fail, which we take as
"already there" instead of a 500. Counters change only when a row was really
added or removed, with ``F()`` in the same transaction as that row.

Services raise ``core.errors`` naming the offending field (``user``: the user
in the path), so the API, the admin and commands report errors alike.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest

from accounts.models import User
from core.errors import Forbidden, Invalid
from social import signals
from social.models import Block, Follow, Mute

BLOCKED = "You cannot follow this user: one of you blocked the other."


def _not_self(actor: User, target: User, message: str) -> None:
    if actor.pk == target.pk:
        raise Invalid({"user": [message]})


def _lock_pair(a: User, b: User) -> None:
    """Locks both users' rows, lower id first (``FOR NO KEY UPDATE`` on PostgreSQL).

    NO KEY: rows that merely reference these users (their posts, others'
    follows of them) can still be inserted meanwhile; only writes to the pair
    and counter updates wait. A no-op on SQLite, which serialises writes anyway.
    """
    locked = User.objects.select_for_update(no_key=True).filter(pk__in=[a.pk, b.pk]).order_by("pk")
    list(locked.values_list("pk", flat=True))


def _count_follow(*, follower_id: int, following_id: int, delta: int) -> None:
    """Applies ``delta`` (+1/-1) to both sides' counters of one follow row added or removed."""
    # Greatest(): a counter that drifted (rows written outside these services)
    # must not turn an unfollow into a 500; with exact counters it never bites.
    User.objects.filter(pk=follower_id).update(following_count=Greatest(F("following_count") + delta, 0))
    User.objects.filter(pk=following_id).update(followers_count=Greatest(F("followers_count") + delta, 0))


def _follow_remove(*, follower_id: int, following_id: int) -> bool:
    deleted, _ = Follow.objects.filter(follower_id=follower_id, following_id=following_id).delete()
    if deleted:
        _count_follow(follower_id=follower_id, following_id=following_id, delta=-1)
        signals.follow_removed.send(Follow, follower_id=follower_id, following_id=following_id)
    return deleted > 0


@transaction.atomic
def follow_create(*, follower: User, target: User) -> tuple[Follow, bool]:
    """``follower`` follows ``target``; ``created`` is False when they already did.

    Refused with a 400 naming ``user`` for oneself, and a 403 when either of
    the two blocked the other. Counters move only when the row is new.
    """
    _not_self(follower, target, "You cannot follow yourself.")
    _lock_pair(follower, target)
    if Block.objects.filter(
        Q(user_id=follower.pk, target_id=target.pk) | Q(user_id=target.pk, target_id=follower.pk)
    ).exists():
        raise Forbidden(BLOCKED)
    existing = Follow.objects.filter(follower_id=follower.pk, following_id=target.pk).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            follow = Follow.objects.create(follower_id=follower.pk, following_id=target.pk)
    except IntegrityError:
        # Written since we looked by something that does not take the pair's locks.
        return Follow.objects.get(follower_id=follower.pk, following_id=target.pk), False
    _count_follow(follower_id=follower.pk, following_id=target.pk, delta=+1)
    signals.follow_created.send(Follow, follower_id=follower.pk, following_id=target.pk)
    return follow, True


@transaction.atomic
def follow_delete(*, follower: User, target: User) -> bool:
    """``follower`` stops following ``target``; False when they did not follow them."""
    _not_self(follower, target, "You cannot unfollow yourself.")
    _lock_pair(follower, target)
    return _follow_remove(follower_id=follower.pk, following_id=target.pk)


@transaction.atomic
def mute_create(*, user: User, target: User) -> tuple[Mute, bool]:
    """``user`` mutes ``target``; ``created`` is False when already muted.

    A mute is private and one-sided, so it needs neither locks nor a block check.
    """
    _not_self(user, target, "You cannot mute yourself.")
    existing = Mute.objects.filter(user_id=user.pk, target_id=target.pk).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            mute = Mute.objects.create(user_id=user.pk, target_id=target.pk)
    except IntegrityError:
        # A concurrent mute of the same user won; the constraint keeps one row.
        return Mute.objects.get(user_id=user.pk, target_id=target.pk), False
    signals.mute_created.send(Mute, user_id=user.pk, target_id=target.pk)
    return mute, True


@transaction.atomic
def mute_delete(*, user: User, target: User) -> bool:
    """``user`` unmutes ``target``; False when it was not muted."""
    _not_self(user, target, "You cannot unmute yourself.")
    deleted, _ = Mute.objects.filter(user_id=user.pk, target_id=target.pk).delete()
    return deleted > 0


@transaction.atomic
def block_create(*, user: User, target: User) -> tuple[Block, bool]:
    """``user`` blocks ``target``; ``created`` is False when already blocked.

    Removes the follows between the two, both ways, in the same transaction,
    moving all four counters for each row removed. Mutes stay: they are the
    user's own filter and outlive an unblock. Posts and reposts stay too: the
    visibility rules (``not_blocked_with``) hide them from both sides.
    """
    _not_self(user, target, "You cannot block yourself.")
    _lock_pair(user, target)
    block = Block.objects.filter(user_id=user.pk, target_id=target.pk).first()
    created = block is None
    if block is None:
        try:
            with transaction.atomic():
                block = Block.objects.create(user_id=user.pk, target_id=target.pk)
        except IntegrityError:
            block = Block.objects.get(user_id=user.pk, target_id=target.pk)
            created = False
    # Also when the block existed: a follow written around the services must not outlive it.
    _follow_remove(follower_id=user.pk, following_id=target.pk)
    _follow_remove(follower_id=target.pk, following_id=user.pk)
    if created:
        signals.block_created.send(Block, user_id=user.pk, target_id=target.pk)
    return block, created


@transaction.atomic
def block_delete(*, user: User, target: User) -> bool:
    """``user`` unblocks ``target``; False when it was not blocked. Removed follows are not restored."""
    _not_self(user, target, "You cannot unblock yourself.")
    _lock_pair(user, target)
    deleted, _ = Block.objects.filter(user_id=user.pk, target_id=target.pk).delete()
    return deleted > 0


@transaction.atomic
def account_relationships_remove(*, user: User) -> None:
    """Removes every follow, mute and block of ``user``, both ways, and uncounts the follows on the
    other side: the social part of deleting an account (``accounts.account_hooks``)."""
    follows_made = Follow.objects.filter(follower_id=user.pk)
    follows_received = Follow.objects.filter(following_id=user.pk)
    User.objects.filter(pk__in=follows_made.values("following_id")).update(
        followers_count=Greatest(F("followers_count") - 1, 0)
    )
    User.objects.filter(pk__in=follows_received.values("follower_id")).update(
        following_count=Greatest(F("following_count") - 1, 0)
    )
    follows_made.delete()
    follows_received.delete()
    User.objects.filter(pk=user.pk).update(followers_count=0, following_count=0)
    Mute.objects.filter(Q(user_id=user.pk) | Q(target_id=user.pk)).delete()
    Block.objects.filter(Q(user_id=user.pk) | Q(target_id=user.pk)).delete()
