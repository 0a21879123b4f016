"""Reads over notifications: the groups a recipient is shown, and their newest actors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber

from accounts.models import in_good_standing
from social.querysets import not_blocked_with, not_muted_by

if TYPE_CHECKING:
    from notifications.models import NotificationAct, NotificationGroup  # noqa: F401 - named in the generic base

# How many actors a group shows (newest act first).
GROUP_ACCOUNTS = 5
# Types that nobody does (a call of yours scored): their acts' actor is the recipient standing in
# (``services.own_acts_record``), and the group shows no accounts.
ACTORLESS_TYPES = ("call_scored",)


def shown_acts(viewer: Any) -> models.QuerySet[NotificationAct]:
    """Acts ``viewer`` is shown: by an actor in good standing, not muted by the viewer, no block either way.

    Mutes and blocks also remove the acts when they are made (``notifications.tasks``);
    this read-time rule covers a mute made while a fan-out was running.
    """
    from notifications.models import NotificationAct

    return (
        NotificationAct.objects.filter(recipient_id=viewer.pk)
        .filter(in_good_standing("actor__"))
        .filter(not_blocked_with(viewer, "actor"))
        .filter(not_muted_by(viewer, "actor"))
    )


class NotificationGroupQuerySet(models.QuerySet["NotificationGroup"]):
    def shown_to(self, viewer: Any, *, hidden_types: Iterable[str] = ()) -> NotificationGroupQuerySet:
        """The viewer's groups they are shown: types not switched off in their preferences
        (``hidden_types``), with at least one shown act (``shown_acts``), about a post and a
        comment the viewer may still see (not deleted, not hidden, author in good standing, no block)."""
        from content.models import Comment, Post

        visible_post = Post.objects.visible_to(viewer).filter(pk=OuterRef("post_id"))
        visible_comment = Comment.objects.visible_to(viewer).filter(pk=OuterRef("comment_id"))
        return (
            self.filter(recipient_id=viewer.pk)
            .exclude(type__in=list(hidden_types))
            .filter(Exists(shown_acts(viewer).filter(group_id=OuterRef("pk"))))
            .filter(Q(post__isnull=True) | Q(Exists(visible_post)))
            .filter(Q(comment__isnull=True) | Q(Exists(visible_comment)))
        )


def newest_actors(viewer: Any, group_ids: Iterable[int], *, per_group: int = GROUP_ACCOUNTS) -> dict[int, list[Any]]:
    """``{group_id: [actor, ...]}``: up to ``per_group`` shown actors per group, newest act first, in one query
    (``ROW_NUMBER()`` over each group), whatever the number or size of the groups."""
    ids = list(group_ids)
    actors: dict[int, list[Any]] = {pk: [] for pk in ids}
    if not ids:
        return actors
    rows = (
        shown_acts(viewer)
        .filter(group_id__in=ids)
        .exclude(type__in=ACTORLESS_TYPES)
        .select_related("actor")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("group_id")], order_by=[F("created_at").desc(), F("id").desc()])
        )
        .filter(rank__lte=per_group)
        .order_by("group_id", "rank")
    )
    for act in rows:
        actors[act.group_id].append(act.actor)
    return actors
