"""Reads over polls: results with vote counts and the viewer's own vote."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Subquery, Value

if TYPE_CHECKING:
    from polls.models import Poll  # noqa: F401 - named in the generic base below


class PollQuerySet(models.QuerySet["Poll"]):
    def with_results(self, viewer: Any) -> PollQuerySet:
        """Polls ready for ``PollSerializer``: options in order with ``votes_count``, and
        ``viewer_vote_id`` (the option the viewer chose, or None).

        Two queries for any number of polls (the polls, then their options); the
        viewer's vote is a correlated probe of the ``poll_vote_once`` index.
        """
        from polls.models import PollOption, PollVote

        viewer_id = viewer.pk if getattr(viewer, "is_authenticated", False) else None
        if viewer_id is None:
            viewer_vote: Any = Value(None, output_field=models.BigIntegerField())
        else:
            viewer_vote = Subquery(
                PollVote.objects.filter(poll_id=OuterRef("pk"), user_id=viewer_id).values("option_id")[:1]
            )
        options = PollOption.objects.annotate(votes_count=Count("votes")).order_by("position")
        return self.annotate(viewer_vote_id=viewer_vote).prefetch_related(
            Prefetch("options", queryset=options, to_attr="ordered_options")
        )
