"""Reads over polls: results with vote counts and the viewer's own vote."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import OuterRef, Subquery, Value

from core.sqljson import count_by, json_rows

if TYPE_CHECKING:
    from polls.models import Poll  # noqa: F401 - named in the generic base below


class PollQuerySet(models.QuerySet["Poll"]):
    def with_results(self, viewer: Any) -> PollQuerySet:
        """Polls ready for ``PollSerializer``: ``option_rows``, the options as ``[[id, text, votes,
        position], ...]`` (``core.sqljson.json_rows``), and ``viewer_vote_id`` (the option the viewer
        chose, or None).

        One query for any number of polls: the options (each with a correlated count of its
        votes) and the viewer's vote (a probe of the ``poll_vote_once`` index) are in the row.
        """
        from polls.models import PollOption, PollVote

        viewer_id = viewer.pk if getattr(viewer, "is_authenticated", False) else None
        if viewer_id is None:
            viewer_vote: Any = Value(None, output_field=models.BigIntegerField())
        else:
            viewer_vote = Subquery(
                PollVote.objects.filter(poll_id=OuterRef("pk"), user_id=viewer_id).values("option_id")[:1]
            )
        options = PollOption.objects.annotate(votes_count=count_by(PollVote.objects.all(), "option_id"))
        return self.annotate(
            viewer_vote_id=viewer_vote,
            option_rows=json_rows(options, "poll_id", "id", "text", "votes_count", "position"),
        )
