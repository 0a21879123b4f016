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
        return self.annotate(viewer_vote_id=viewer_vote(viewer), option_rows=option_rows())


def viewer_vote(viewer: Any, outer: str = "pk") -> Any:
    """The option the viewer chose in the poll whose id is the outer row's ``outer`` column, or
    None: a probe of the ``poll_vote_once`` index (a NULL constant for anonymous viewers)."""
    from polls.models import PollVote

    viewer_id = viewer.pk if getattr(viewer, "is_authenticated", False) else None
    if viewer_id is None:
        return Value(None, output_field=models.BigIntegerField())
    return Subquery(PollVote.objects.filter(poll_id=OuterRef(outer), user_id=viewer_id).values("option_id")[:1])


def option_rows(outer: str = "pk") -> Subquery:
    """The options of the poll whose id is the outer row's ``outer`` column, as ``[[id, text, votes,
    position], ...]`` (``json_rows``), each with a correlated count of its votes."""
    from polls.models import PollOption, PollVote

    options = PollOption.objects.annotate(votes_count=count_by(PollVote.objects.all(), "option_id"))
    return json_rows(options, "poll_id", "id", "text", "votes_count", "position", outer=outer)
