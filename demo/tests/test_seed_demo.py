from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Max, Min, Q
from django.test.utils import CaptureQueriesContext

from accounts.models import User, UserInterest, UserSession
from accounts.validators import interest_validator, username_validator, validate_timezone
from content.cashtags import SYMBOL_RE, extract_tickers
from content.mentions import extract_mentions
from content.models import (
    Bookmark,
    Comment,
    CommentMention,
    CommentReaction,
    Post,
    PostMention,
    PostReaction,
    PostTicker,
    Repost,
    Sentiment,
    Ticker,
    WatchlistItem,
)
from content.reference import reference_tickers, well_known_tickers
from content.services.interactions import comment_create, post_reaction_toggle
from demo.generator import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DEMO_USER_EMAIL, POST_WINDOW, demo_users
from markets.models import DailyBar
from moderation.models import Report, ReportStatus, TargetType
from polls.models import Poll, PollOption, PollVote
from social.models import Block, Follow, Mute
from social.services import follow_create

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--users=30", "--posts=200", "--now=2025-06-01T12:00:00", *args, stdout=out)
    return out.getvalue()


def digest() -> str:
    """Usernames, post texts and times, in creation order."""
    h = hashlib.sha256()
    for username, created_at in demo_users().order_by("id").values_list("username", "created_at"):
        h.update(f"{username}|{created_at.isoformat()}\n".encode())
    for content, created_at in Post.objects.order_by("id").values_list("content", "created_at"):
        h.update(f"{content}|{created_at.isoformat()}\n".encode())
    return h.hexdigest()


def test_seed_demo_creates_the_requested_data_set() -> None:
    output = seed("--posts=400")  # enough for a poll still open

    assert demo_users().count() == 30
    assert Post.objects.count() == 400
    # Every kind of row is there, in the numbers the summary line prints.
    counts = {
        "interests": UserInterest.objects.count(),
        "watchlist items": WatchlistItem.objects.count(),
        "follows": Follow.objects.count(),
        "mutes": Mute.objects.count(),
        "blocks": Block.objects.count(),
        "post tickers": PostTicker.objects.count(),
        "post mentions": PostMention.objects.count(),
        "polls": Poll.objects.count(),
        "poll votes": PollVote.objects.count(),
        "comments": Comment.objects.count(),
        "comment mentions": CommentMention.objects.count(),
        "post reactions": PostReaction.objects.count(),
        "comment reactions": CommentReaction.objects.count(),
        "reposts": Repost.objects.count(),
        "bookmarks": Bookmark.objects.count(),
        "reports": Report.objects.count(),
        "sessions": UserSession.objects.count(),
        "daily bars": DailyBar.objects.count(),
    }
    assert all(counts.values()), counts
    assert output.startswith("Seeded 30 users, ")
    for name, count in counts.items():
        assert f" {count} {name}," in output or f" {count} {name} in " in output
    assert "(seed 42, now 2025-06-01T12:00:00Z)" in output
    # The variety a demo needs.
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert Post.objects.filter(quoted_post__isnull=False).exists()
    assert Post.objects.filter(sentiment=Sentiment.BULLISH).exists()
    assert Post.objects.filter(sentiment=Sentiment.BEARISH).exists()
    assert Poll.objects.filter(expires_at__lte=NOW).exists()
    assert Poll.objects.filter(expires_at__gt=NOW).exists()
    assert Report.objects.filter(status=ReportStatus.OPEN).count() == Report.objects.count()
    assert Ticker.objects.filter(symbol__in=["AAPL", "BRK.B", "BF.B"]).count() == 3


def test_seed_demo_keeps_user_counters_equal_to_the_rows() -> None:
    seed()

    users = demo_users().annotate(
        real_followers=Count("follower_set", distinct=True),
        real_following=Count("following_set", distinct=True),
        real_posts=Count("posts", filter=Q(posts__deleted_at__isnull=True), distinct=True),
    )
    assert [(u.followers_count, u.following_count, u.posts_count) for u in users] == [
        (u.real_followers, u.real_following, u.real_posts) for u in users
    ]
    assert sum(u.followers_count for u in users) == Follow.objects.count()
    assert sum(u.posts_count for u in users) == 200
    visible_mentions = Count("posts", filter=Q(posts__deleted_at__isnull=True, posts__is_hidden=False))
    tickers = Ticker.objects.annotate(real=visible_mentions)
    assert [(t.symbol, t.post_count) for t in tickers] == [(t.symbol, t.real) for t in tickers]
    assert sum(t.post_count for t in tickers) > 0


def test_seed_demo_tags_every_post_with_the_tickers_in_its_text() -> None:
    seed()

    tagged: dict[int, list[tuple[str, object, object]]] = {}
    for post_id, symbol, created_at, sentiment in PostTicker.objects.order_by("post_id", "position").values_list(
        "post_id", "ticker_id", "created_at", "sentiment"
    ):
        tagged.setdefault(post_id, []).append((symbol, created_at, sentiment))
    posts = list(Post.objects.order_by("id"))
    for post in posts:
        rows = tagged.get(post.pk, [])
        assert [symbol for symbol, _, _ in rows] == extract_tickers(post.content), post.content
        # The copies on PostTicker agree with the post.
        assert all(created_at == post.created_at and sentiment == post.sentiment for _, created_at, sentiment in rows)
    assert sum(1 for post in posts if len(tagged.get(post.pk, [])) > 1) > 0
    assert any("#" in post.content and tagged.get(post.pk) for post in posts)
    positions = PostTicker.objects.values("post").annotate(n=Count("id"), top=Count("position", distinct=True))
    assert all(row["n"] == row["top"] for row in positions)


def test_seed_demo_mentions_are_the_users_named_in_the_text() -> None:
    seed()

    by_name = {name.lower(): pk for pk, name in demo_users().values_list("pk", "username")}

    def expected(text: str) -> list[int]:
        return [by_name[name.lower()] for name in extract_mentions(text) if name.lower() in by_name]

    for model, target, rows in (
        (PostMention, "post_id", Post.objects.values_list("pk", "content")),
        (CommentMention, "comment_id", Comment.objects.values_list("pk", "content")),
    ):
        stored: dict[int, list[int]] = {}
        for target_id, user_id in model.objects.order_by(target, "position").values_list(target, "user_id"):
            stored.setdefault(target_id, []).append(user_id)
        texts = dict(rows)
        assert stored, model
        assert all(expected(texts[pk]) == stored.get(pk, []) for pk in texts), model


def test_seed_demo_respects_constraints_and_validators() -> None:
    seed()

    # Foreign keys (SQLite checks them at commit, which a test never reaches).
    connection.check_constraints()
    for user in demo_users():
        username_validator(user.username)
        validate_timezone(user.timezone)
        assert user.email == user.email.lower()
        assert user.created_at <= NOW
    for interest in UserInterest.objects.values_list("interest", flat=True):
        interest_validator(interest)
    assert all(SYMBOL_RE.match(symbol) for symbol in Ticker.objects.values_list("symbol", flat=True))
    assert not Follow.objects.filter(follower=F("following")).exists()
    assert not Mute.objects.filter(user=F("target")).exists()
    assert not Block.objects.filter(user=F("target")).exists()
    blocked = set(Block.objects.values_list("user", "target"))
    follows = set(Follow.objects.values_list("follower", "following"))
    assert not any((a, b) in follows or (b, a) in follows for a, b in blocked)


def test_seed_demo_times_follow_cause_and_effect() -> None:
    seed()

    assert not Post.objects.filter(created_at__gt=NOW).exists()
    assert not Post.objects.filter(created_at__lt=F("author__created_at")).exists()
    assert not Post.objects.filter(created_at__lt=NOW - timedelta(seconds=POST_WINDOW)).exists()
    assert not Post.objects.filter(quoted_post__created_at__gt=F("created_at")).exists()
    assert not Comment.objects.filter(created_at__lt=F("post__created_at")).exists()
    assert not Comment.objects.filter(created_at__lt=F("parent__created_at")).exists()
    assert not Comment.objects.filter(created_at__lt=F("author__created_at")).exists()
    assert not Comment.objects.filter(created_at__gt=NOW).exists()
    for model in (PostReaction, Repost, Bookmark):
        assert not model.objects.filter(created_at__lt=F("post__created_at")).exists()
        assert not model.objects.filter(created_at__lt=F("user__created_at")).exists()
        assert not model.objects.filter(created_at__gt=NOW).exists()
    assert not CommentReaction.objects.filter(created_at__lt=F("comment__created_at")).exists()
    assert not PollVote.objects.filter(created_at__lt=F("poll__created_at")).exists()
    assert not PollVote.objects.filter(created_at__gte=F("poll__expires_at")).exists()
    assert not PollVote.objects.filter(created_at__lt=F("user__created_at")).exists()


def test_seed_demo_polls_have_two_to_four_options_and_last_one_hour_to_a_week() -> None:
    seed()

    for poll in Poll.objects.annotate(n=Count("options")):
        assert 2 <= poll.n <= 4
        assert timedelta(hours=1) <= poll.expires_at - poll.created_at <= timedelta(hours=168)
        assert poll.post.created_at == poll.created_at
    assert not PollVote.objects.exclude(option__poll=F("poll")).exists()
    assert list(PollOption.objects.filter(poll=Poll.objects.first()).values_list("position", flat=True)) == list(
        range(PollOption.objects.filter(poll=Poll.objects.first()).count())
    )


def test_seed_demo_reports_never_target_the_reporter() -> None:
    seed()

    assert Report.objects.filter(target_type=TargetType.POST).exists()
    assert not Report.objects.filter(post__author=F("reporter")).exists()
    assert not Report.objects.filter(comment__author=F("reporter")).exists()
    assert not Report.objects.filter(user=F("reporter")).exists()


def test_seed_demo_content_looks_unedited() -> None:
    seed()
    assert Post.objects.exists()
    assert Comment.objects.exists()
    assert not Post.objects.exclude(updated_at=F("created_at")).exists()
    assert not Comment.objects.exclude(updated_at=F("created_at")).exists()


def test_seed_demo_with_the_same_seed_and_anchor_is_identical() -> None:
    seed("--seed=7")
    first = digest()

    seed("--seed=7", "--flush")
    assert digest() == first

    seed("--seed=8", "--flush")
    assert digest() != first


def test_seed_demo_admin_and_demo_member_can_sign_in() -> None:
    seed()
    # One hash computed once, shared by every demo account.
    assert demo_users().values("password").distinct().count() == 1

    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    assert (admin.username, admin.is_staff, admin.is_superuser, admin.is_active) == ("admin", True, True, True)
    assert admin.check_password(DEMO_PASSWORD)
    member = User.objects.get(email=DEMO_USER_EMAIL)
    assert (member.username, member.is_staff, member.is_superuser) == ("demo", False, False)
    assert authenticate(username=DEMO_USER_EMAIL, password=DEMO_PASSWORD) == member
    # Something to look at when signed in as the demo member.
    assert member.following_count >= 20
    assert member.watchlist.exists()
    assert member.mutes.exists()
    assert member.blocks.exists()


def test_seed_demo_again_without_flush_changes_nothing() -> None:
    seed()
    before = (digest(), Follow.objects.count(), PostReaction.objects.count())

    output = seed("--seed=8")

    assert "Demo data already present" in output
    assert "--flush" in output
    assert (digest(), Follow.objects.count(), PostReaction.objects.count()) == before


def test_seed_demo_flush_removes_only_demo_data() -> None:
    member = User.objects.create_user(email="member@example.com", username="admin")  # the demo admin's name
    own_post = Post.objects.create(author=member, content="My own post.")
    seed()
    demo_post = Post.objects.exclude(author=member).order_by("id")[0]
    # Through the services, so the counters on the rows move as they do on the site.
    post_reaction_toggle(user=member, post_id=demo_post.pk)
    follow_create(follower=member, target=demo_post.author)
    comment_create(author=demo_post.author, post_id=own_post.pk, content="Nice.")
    member.refresh_from_db()
    own_post.refresh_from_db()
    assert (member.following_count, own_post.comments_count) == (1, 1)

    own_session = UserSession.objects.create(user=member, started_at=NOW, last_seen_at=NOW)
    old_demo_sessions = set(UserSession.objects.filter(user__in=demo_users()).values_list("pk", flat=True))

    seed("--flush")

    # The old demo members' visits went with them; the member's own stayed.
    assert old_demo_sessions
    assert not UserSession.objects.filter(pk__in=old_demo_sessions).exists()
    assert UserSession.objects.filter(pk=own_session.pk).exists()
    assert User.objects.get(email=DEMO_ADMIN_EMAIL).username == "admin_demo1"
    assert demo_users().count() == 30
    assert Post.objects.filter(pk=own_post.pk).exists()
    assert Post.objects.count() == 201
    # What tied the member to the old demo data went with it.
    assert not PostReaction.objects.filter(user=member).exists()
    # The member's counters no longer count what went (content.counters).
    member.refresh_from_db()
    own_post.refresh_from_db()
    assert (member.following_count, own_post.comments_count) == (0, 0)
    assert not Follow.objects.filter(follower=member).exists()
    assert not Comment.objects.filter(post=own_post).exists()
    connection.check_constraints()


@pytest.mark.parametrize(("args", "message"), [(["--users=1"], "--users"), (["--posts=-1"], "--posts")])
def test_seed_demo_refuses_bad_arguments(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", *args, stdout=StringIO())

    assert not demo_users().exists()


def test_reference_tickers_are_valid_symbols_with_names() -> None:
    tickers = reference_tickers()

    assert 150 <= len(well_known_tickers()) <= 400 < 1000 <= len(tickers)
    assert well_known_tickers().keys() <= tickers.keys()
    assert tickers["AAPL"] == "Apple Inc."
    assert {"BRK.B", "BF.B"} <= tickers.keys()
    assert all(SYMBOL_RE.match(symbol) and name for symbol, name in tickers.items())


def sessions_digest() -> list[tuple[str, datetime, datetime, int, str]]:
    return list(
        UserSession.objects.order_by("user__username", "started_at").values_list(
            "user__username", "started_at", "last_seen_at", "request_count", "user_agent"
        )
    )


def test_seed_demo_gives_every_member_visits_that_fall_off_after_sign_up() -> None:
    seed("--users=300")

    sessions = UserSession.objects.select_related("user")
    assert sessions.count() > 300
    # Each member has a visit starting as they sign up (their sign-up day is always active).
    first_visit = dict(
        UserSession.objects.values("user").annotate(first=Min("started_at")).values_list("user", "first")
    )
    assert {u.pk: u.created_at for u in demo_users()} == first_visit
    # Sessions are well formed: inside [sign-up, anchor], a few minutes to an hour, one request at least.
    assert not sessions.filter(started_at__lt=F("user__created_at")).exists()
    assert not sessions.filter(last_seen_at__gt=NOW).exists()
    assert not sessions.filter(last_seen_at__lt=F("started_at")).exists()
    assert not sessions.filter(request_count__lt=1).exists()
    assert all(s.duration_seconds <= 3600 for s in sessions)
    # A member's visits never overlap, and closer than 30 minutes they would be one session.
    previous: dict[int, datetime] = {}
    for s in sessions.order_by("user_id", "started_at"):
        if s.user_id in previous:
            assert s.started_at - previous[s.user_id] >= timedelta(minutes=30)
        previous[s.user_id] = s.last_seen_at
    # last_active_at agrees with the newest visit.
    latest = dict(UserSession.objects.values("user").annotate(last=Max("last_seen_at")).values_list("user", "last"))
    assert {u.pk: u.last_active_at for u in demo_users()} == latest

    # Retention decays: of the members old enough, more come back the day after signing up than a month
    # after, and some still do a month after (UTC calendar days).
    def came_back(days: int) -> float:
        eligible = [u for u in demo_users() if (u.created_at + timedelta(days=days)).date() < NOW.date()]
        back = 0
        for user in eligible:
            day = (user.created_at + timedelta(days=days)).date()
            back += user.activity_sessions.filter(started_at__date__lte=day, last_seen_at__date__gte=day).exists()
        return back / len(eligible)

    day_1, day_30 = came_back(1), came_back(30)
    assert 0.25 < day_1 < 0.8
    assert 0.02 < day_30 < day_1


def test_seed_demo_visits_are_the_same_for_the_same_seed() -> None:
    seed("--seed=7")
    first, rest = sessions_digest(), digest()

    seed("--seed=7", "--flush")
    assert (sessions_digest(), digest()) == (first, rest)

    seed("--seed=8", "--flush")
    assert sessions_digest() != first


def test_seed_demo_analyzes_the_loaded_tables_once() -> None:
    # Without statistics (autovacuum off or not round yet) PostgreSQL's planner picks plans
    # minutes slower, and SQLite's scores the calls a hundred times slower. Once the whole
    # database after the bulk load; then the scorer samples the two tables it reads again, once
    # the calls are derived (content.calls).
    with CaptureQueriesContext(connection) as queries:
        seed()

    analyzed = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("ANALYZE")]
    # (PostgreSQL also analyses the scorer's own temporary table, which autovacuum never sees.)
    assert [sql for sql in analyzed if "scratch" not in sql] == [
        "ANALYZE",
        "ANALYZE content_call",
        "ANALYZE markets_dailybar",
    ]
