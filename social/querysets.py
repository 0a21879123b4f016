"""Reads over the social graph: who may be seen, and how the viewer relates to a page of users."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User, in_good_standing
from social.models import Block, Follow, Mute

RELATIONSHIP_FLAGS = ("following", "followed_by", "muted", "blocked", "blocked_by")


def visible_profiles() -> QuerySet[User]:
    """Users whose profile anyone may open: not deactivated, not suspended.

    Blocks do not hide a profile (as on Mastodon): the viewer flags say who
    blocked whom, and posts, follows and interactions enforce the block.
    """
    return User.objects.in_good_standing()


def relationships_for(viewer: Any, user_ids: Iterable[int]) -> dict[int, dict[str, bool]]:
    """``{user_id: {following, followed_by, muted, blocked, blocked_by}}`` for each id, in one query.

    ``following``/``muted``/``blocked``: the viewer follows/muted/blocked the
    user; ``followed_by``/``blocked_by``: the user follows/blocked the viewer.
    Anonymous viewers (or None) get all-false flags without a query; so does
    the viewer for themselves, since none of these relations may point to oneself.
    """
    ids = list(dict.fromkeys(int(pk) for pk in user_ids))
    flags = {pk: dict.fromkeys(RELATIONSHIP_FLAGS, False) for pk in ids}
    viewer_id = getattr(viewer, "pk", None) if getattr(viewer, "is_authenticated", False) else None
    others = [pk for pk in ids if pk != viewer_id]
    if viewer_id is None or not others:
        return flags
    # One row per user with an EXISTS per flag; each EXISTS is a probe of a unique (a, b) index.
    # (Prefixed: `blocked_by` is also the name of a reverse relation on User.)
    rows = (
        User.objects.filter(pk__in=others)
        .annotate(
            rel_following=Exists(Follow.objects.filter(follower_id=viewer_id, following_id=OuterRef("pk"))),
            rel_followed_by=Exists(Follow.objects.filter(follower_id=OuterRef("pk"), following_id=viewer_id)),
            rel_muted=Exists(Mute.objects.filter(user_id=viewer_id, target_id=OuterRef("pk"))),
            rel_blocked=Exists(Block.objects.filter(user_id=viewer_id, target_id=OuterRef("pk"))),
            rel_blocked_by=Exists(Block.objects.filter(user_id=OuterRef("pk"), target_id=viewer_id)),
        )
        .values_list("pk", *(f"rel_{flag}" for flag in RELATIONSHIP_FLAGS))
    )
    for pk, *values in rows:
        flags[pk] = dict(zip(RELATIONSHIP_FLAGS, (bool(value) for value in values), strict=True))
    return flags


def _viewer_id(viewer: Any) -> int | None:
    return viewer.pk if getattr(viewer, "is_authenticated", False) else None


def not_blocked_with(viewer: Any, field: str = "author") -> Q:
    """Rows whose ``field`` (a user) neither blocked the viewer nor was blocked by them.

    The one rule every list and detail of posts and comments applies; an
    anonymous viewer blocks nobody.
    """
    viewer_id = _viewer_id(viewer)
    if viewer_id is None:
        return Q()
    return ~Q(Exists(Block.objects.filter(user_id=viewer_id, target_id=OuterRef(field)))) & ~Q(
        Exists(Block.objects.filter(user_id=OuterRef(field), target_id=viewer_id))
    )


def not_muted_by(viewer: Any, field: str = "author") -> Q:
    """Rows whose ``field`` (a user) the viewer has not muted: for feeds and ticker streams only."""
    viewer_id = _viewer_id(viewer)
    if viewer_id is None:
        return Q()
    return ~Q(Exists(Mute.objects.filter(user_id=viewer_id, target_id=OuterRef(field))))


def is_blocked_either_way(user_a: Any, user_b: Any) -> bool:
    """True when either user blocked the other (one query)."""
    return Block.objects.filter(
        Q(user_id=user_a.pk, target_id=user_b.pk) | Q(user_id=user_b.pk, target_id=user_a.pk)
    ).exists()


# Lists of the graph. Each returns relation rows (their `created_at`/`id` are
# the keyset) with the listed user joined in; only visible users are listed.


def follower_rows(user: User) -> QuerySet[Follow]:
    """Follows of ``user`` by active, non-suspended users, with the follower; read on follow_followers_idx."""
    return Follow.objects.filter(following_id=user.pk).filter(in_good_standing("follower__")).select_related("follower")


def following_rows(user: User) -> QuerySet[Follow]:
    """Follows by ``user`` of active, non-suspended users, with the followed user; read on follow_following_idx."""
    return (
        Follow.objects.filter(follower_id=user.pk).filter(in_good_standing("following__")).select_related("following")
    )


def mute_rows(user: User) -> QuerySet[Mute]:
    """``user``'s mutes of visible users, newest first, with the target; read on mute_user_recent_idx."""
    return (
        Mute.objects.filter(user_id=user.pk)
        .filter(in_good_standing("target__"))
        .select_related("target")
        .order_by("-created_at", "-id")
    )


def block_rows(user: User) -> QuerySet[Block]:
    """``user``'s blocks of visible users, newest first, with the target; read on block_user_recent_idx."""
    return (
        Block.objects.filter(user_id=user.pk)
        .filter(in_good_standing("target__"))
        .select_related("target")
        .order_by("-created_at", "-id")
    )
