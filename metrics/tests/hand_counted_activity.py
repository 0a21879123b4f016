"""A small fixed world for the metrics tests: six users, their sessions and their activity,
with every expected number worked out by hand where the tests assert it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.db.models.functions import Coalesce, Greatest

from accounts.models import User, UserSession
from accounts.tests.factories import UserFactory
from content.models import Comment, CommentReaction, Post, PostReaction, Repost
from metrics.models import ErrorLog
from moderation.models import Reason, Report, ReportStatus, TargetType
from polls.models import Poll, PollVote
from polls.tests.factories import PollFactory

NOW = datetime(2025, 6, 18, 12, 0, tzinfo=UTC)


def at(day: str, clock: str = "12:00") -> datetime:
    return datetime.fromisoformat(f"2025-{day}T{clock}:00+00:00")


def visit(user: User, day: str, clock: str = "10:00", *, until: str | None = None, minutes: int = 20) -> None:
    start = at(day, clock)
    end = datetime.fromisoformat(until) if until else start + timedelta(minutes=minutes)
    UserSession.objects.create(user=user, started_at=start, last_seen_at=end)
    # As accounts.activity writes them: the latest activity goes with the sessions.
    User.objects.filter(pk=user.pk).update(last_active_at=Greatest(Coalesce("last_active_at", end), end))


def make_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def build_world() -> dict[str, User]:
    """The world described in ``metrics/tests/test_metrics.py``'s docstring; returns its users by name."""
    users = {
        "A": make_user(username="user_a", created_at=at("05-12", "09:00")),
        "B": make_user(username="user_b", created_at=at("05-14", "09:00")),
        "C": make_user(username="user_c", created_at=at("06-02", "08:00")),
        "D": make_user(username="user_d", created_at=at("06-04", "08:00")),
        "E": make_user(username="user_e", created_at=at("06-16", "08:00")),
        "F": make_user(username="user_f", created_at=at("06-18", "08:00"), is_staff=True),
    }
    a, b, c, d, e, f = users.values()
    for day in ("05-12", "05-13", "05-19", "06-11"):
        visit(a, day)
    visit(a, "06-17", "23:50", until="2025-06-18T00:10:00+00:00")
    visit(a, "06-18", "10:00")
    for day in ("05-14", "05-21", "06-16"):
        visit(b, day)
    for day in ("06-02", "06-03", "06-12", "06-17"):
        visit(c, day)
    for day in ("06-04", "06-11"):
        visit(d, day)
    for day in ("06-16", "06-17"):
        visit(e, day)
    visit(f, "06-18", "08:00")

    Post.objects.create(author=a, content="Early one.", created_at=at("06-10"))
    Post.objects.create(author=d, content="Early two.", created_at=at("06-10"))
    p1 = Post.objects.create(author=a, content="One.", created_at=at("06-17", "09:00"))
    p2 = Post.objects.create(author=c, content="Two.", created_at=at("06-17", "10:00"))
    Post.objects.create(author=a, content="Gone.", created_at=at("06-17", "11:00"), deleted_at=at("06-17", "11:30"))
    p4 = Post.objects.create(author=f, content="Four.", created_at=at("06-18", "09:00"))
    Post.objects.create(author=f, content="Hidden.", created_at=at("06-18", "09:30"), is_hidden=True)
    c1 = Comment.objects.create(post=p1, author=c, content="Nice.", created_at=at("06-17", "09:30"))
    Comment.objects.create(post=p1, author=a, content="Thanks.", created_at=at("06-18", "08:30"))
    Comment.objects.create(post=p1, author=b, content="Oops.", created_at=at("06-18", "08:40"), deleted_at=NOW)
    PostReaction.objects.create(post=p1, user=c, created_at=at("06-17", "09:10"))
    PostReaction.objects.create(post=p2, user=a, created_at=at("06-17", "10:10"))
    CommentReaction.objects.create(comment=c1, user=a, created_at=at("06-17", "09:40"))
    PostReaction.objects.create(post=p4, user=a, created_at=at("06-18", "10:05"))
    Repost.objects.create(post=p1, user=e, created_at=at("06-18", "07:00"))
    poll = cast(Poll, PollFactory(created_at=at("06-17", "08:00")))
    up = poll.options.get(position=0)
    PollVote.objects.create(poll=poll, option=up, user=a, created_at=at("06-17", "08:10"))
    PollVote.objects.create(poll=poll, option=up, user=c, created_at=at("06-17", "08:20"))

    def error(fingerprint: str, level: str, first: datetime, last: datetime, count: int, resolved: bool) -> None:
        ErrorLog.objects.create(
            fingerprint=fingerprint,
            source=ErrorLog.Source.FRONTEND,
            level=level,
            message=fingerprint,
            first_seen=first,
            last_seen=last,
            count=count,
            resolved=resolved,
        )

    error("boom", ErrorLog.Level.ERROR, at("06-17", "10:00"), at("06-18", "11:00"), 5, False)
    error("slow", ErrorLog.Level.WARNING, at("06-01"), at("06-18", "02:00"), 2, True)
    error("note", ErrorLog.Level.INFO, at("06-10"), at("06-10", "13:00"), 1, False)
    Report.objects.create(
        reporter=a, target_type=TargetType.POST, post=p2, reason=Reason.SPAM, created_at=at("06-17", "10:30")
    )
    Report.objects.create(
        reporter=c, target_type=TargetType.USER, user=b, reason=Reason.HARASSMENT, created_at=at("06-18", "09:00")
    )
    Report.objects.create(
        reporter=e,
        target_type=TargetType.POST,
        post=p1,
        reason=Reason.MISINFORMATION,
        status=ReportStatus.DISMISSED,
        created_at=at("06-10"),
    )
    return users
