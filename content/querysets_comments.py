"""Reads over comments: who may see which, how they are shown, and the viewer's flags.

Kept apart from ``content/querysets.py`` (posts and tickers) so the two can
grow independently; the rules are the same: a method that builds a list owns
its ``select_related`` and annotations, viewer flags come in one batch query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef

from content.querysets import mentions_of, publicly_visible
from core.sqljson import count_by
from social.querysets import not_blocked_with

if TYPE_CHECKING:
    from content.models import Comment  # noqa: F401 - named in the generic base below


def _viewer_id(viewer: Any) -> int | None:
    return viewer.pk if getattr(viewer, "is_authenticated", False) else None


class CommentQuerySet(models.QuerySet["Comment"]):
    def visible_to(self, viewer: Any) -> CommentQuerySet:
        """Comments the viewer may see: not deleted or hidden, by an active and unsuspended
        author neither blocking nor blocked by the viewer, on a post the viewer may see.

        ``viewer`` may be anonymous (or None): then only blocks do not apply.
        """
        from content.models import Post

        return (
            self.filter(publicly_visible())
            .filter(not_blocked_with(viewer))
            .filter(Exists(Post.objects.visible_to(viewer).filter(pk=OuterRef("post_id"))))
        )

    def for_display(self, viewer: Any = None) -> CommentQuerySet:
        """With the author (one join), ``reactions_count`` (a correlated count, no GROUP BY) and
        ``mentioned_users`` (``content.querysets.mentions_of``), in the one query.

        ``viewer`` is accepted for symmetry with posts; the viewer's own flags come
        from :func:`comment_viewer_flags`, one query per page.
        """
        from content.models import CommentMention, CommentReaction

        return self.select_related("author").annotate(
            reactions_count=count_by(CommentReaction.objects.all(), "comment_id"),
            mentioned_users=mentions_of(CommentMention, "comment_id"),
        )


def comment_viewer_flags(viewer: Any, comment_ids: Iterable[int]) -> dict[int, dict[str, bool]]:
    """``{comment_id: {"reacted": bool}}`` for each id: one query, none for anonymous viewers."""
    from content.models import CommentReaction

    ids = list(dict.fromkeys(comment_ids))
    flags = {pk: {"reacted": False} for pk in ids}
    viewer_id = _viewer_id(viewer)
    if viewer_id is None or not ids:
        return flags
    reacted = CommentReaction.objects.filter(user_id=viewer_id, comment_id__in=ids).values_list("comment_id", flat=True)
    for pk in reacted:
        flags[pk]["reacted"] = True
    return flags
