"""Reads over reports: open ones, the ones about a target or a user, and the moderators' queue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, Max, Q

if TYPE_CHECKING:
    from accounts.models import User
    from content.models import Comment, Post
    from moderation.models import Report

# The columns that name a report's target; a queue row is one distinct combination.
TARGET_COLUMNS = ("target_type", "post_id", "comment_id", "user_id")


def reason_column(reason: str) -> str:
    """The queue row's annotation counting the reports given for ``reason``."""
    return f"n_{reason}"


class ReportQuerySet(models.QuerySet["Report"]):
    def open(self) -> ReportQuerySet:
        from moderation.models import ReportStatus

        return self.filter(status=ReportStatus.OPEN)

    def on(self, target: Post | Comment | User) -> ReportQuerySet:
        """Reports whose target is exactly this post, comment or user."""
        from accounts.models import User
        from content.models import Comment, Post

        if isinstance(target, Post):
            return self.filter(post=target)
        if isinstance(target, Comment):
            return self.filter(comment=target)
        if isinstance(target, User):
            return self.filter(user=target)
        raise TypeError(f"Reports have no target of type {type(target).__name__}.")

    def about_user(self, user: User) -> ReportQuerySet:
        """Reports on the user, and on their posts and comments.

        By subqueries on the report's own columns, not joins, so an UPDATE of
        these rows keeps its conditions on them (see ``moderation.services``).
        """
        from content.models import Comment, Post

        return self.filter(
            Q(user=user)
            | Q(post__in=Post.objects.filter(author=user).values("pk"))
            | Q(comment__in=Comment.objects.filter(author=user).values("pk"))
        )

    def queue(
        self,
        *,
        status: str,
        target_type: str | None = None,
        reason: str | None = None,
    ) -> models.QuerySet[Report, dict[str, Any]]:
        """One row per reported target among the reports with ``status``, newest report first.

        Each row is a dict: the target columns (``target_type`` and one of
        ``post_id``/``comment_id``/``user_id``), ``reports``, ``reporters``
        (distinct), ``newest`` (the latest report's time) and ``n_<reason>``
        for every reason. ``reason`` keeps the targets with at least one
        report for it (their other reasons are still counted). One GROUP BY
        over the ``(status, -created_at)`` index; a page of rows is one query.
        """
        from moderation.models import Reason

        rows = self.filter(status=status)
        if target_type:
            rows = rows.filter(target_type=target_type)
        grouped = (
            rows.order_by()
            .values(*TARGET_COLUMNS)
            .annotate(
                reports=Count("id"),
                reporters=Count("reporter_id", distinct=True),
                newest=Max("created_at"),
                **{reason_column(value): Count("id", filter=Q(reason=value)) for value in Reason.values},
            )
        )
        if reason:
            grouped = grouped.filter(**{f"{reason_column(reason)}__gt": 0})
        # Ties broken by the target, so pages never overlap.
        return grouped.order_by("-newest", *TARGET_COLUMNS)


def queue_targets_load(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, int], Post | Comment | User]:
    """``{(target_type, id): object}`` for a page of queue rows: at most one query per target type.

    Posts and comments come with their author; deleted or hidden ones are
    included (the queue shows what became of them).
    """
    from accounts.models import User
    from content.models import Comment, Post
    from moderation.models import TargetType

    wanted: dict[str, set[int]] = {kind: set() for kind in TargetType.values}
    for row in rows:
        kind = row["target_type"]
        wanted[kind].add(row[f"{kind}_id"])
    loaded: dict[tuple[str, int], Post | Comment | User] = {}
    if wanted[TargetType.POST]:
        for post in Post.objects.select_related("author").filter(pk__in=wanted[TargetType.POST]):
            loaded[(TargetType.POST, post.pk)] = post
    if wanted[TargetType.COMMENT]:
        for comment in Comment.objects.select_related("author").filter(pk__in=wanted[TargetType.COMMENT]):
            loaded[(TargetType.COMMENT, comment.pk)] = comment
    if wanted[TargetType.USER]:
        for user in User.objects.filter(pk__in=wanted[TargetType.USER]):
            loaded[(TargetType.USER, user.pk)] = user
    return loaded
