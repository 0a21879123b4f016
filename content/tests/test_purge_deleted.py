"""purge_deleted_content: soft-deleted posts and comments go for good after the retention period."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.tests.factories import UserFactory
from content.models import (
    Bookmark,
    Comment,
    CommentReaction,
    Media,
    Post,
    PostReaction,
    PostTicker,
    Repost,
    Ticker,
)
from content.services import purge as purge_services
from content.services.purge import ERASED_COMMENT, PurgeResult, deleted_content_purge
from content.services.tickers import ticker_posts_recount
from content.tests.factories import PostFactory, TickerFactory, mention
from content.tests.factories_interactions import (
    BookmarkFactory,
    CommentFactory,
    CommentReactionFactory,
    PostReactionFactory,
    RepostFactory,
)
from content.tests.helpers_posts import media_file_exists, stored_media
from core.testing import postgres_only, race
from moderation.models import ModerationAction, Report, TargetType
from polls.models import Poll, PollOption, PollVote
from polls.tests.factories import PollFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=30)
LONG_AGO = NOW - timedelta(days=45)  # deleted this long ago: past the 30-day retention
RECENTLY = NOW - timedelta(days=5)  # deleted this long ago: still kept


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def purge(**kwargs):
    return deleted_content_purge(older_than=CUTOFF, **kwargs)


def purge_command(*args):
    out = io.StringIO()
    call_command("purge_deleted_content", *args, stdout=out)
    return out.getvalue()


def deleted_post(deleted_at=LONG_AGO, **fields):
    return PostFactory(created_at=deleted_at - timedelta(days=1), deleted_at=deleted_at, **fields)


@pytest.fixture
def doomed():
    """A post deleted 45 days ago with everything that can hang on it, and a post quoting it."""
    fan, staff = UserFactory(), UserFactory(is_staff=True)
    post = deleted_post(poll=PollFactory(options=["Up", "Down"]), content="Going long $NVDA")
    PostTicker.objects.create(post=post, ticker=TickerFactory(symbol="NVDA"), position=0, created_at=post.created_at)
    comment = CommentFactory(post=post)
    reply = CommentFactory(post=post, parent=comment)
    CommentReactionFactory(comment=reply, user=fan)
    PostReactionFactory(post=post, user=fan)
    RepostFactory(post=post, user=fan)
    BookmarkFactory(post=post, user=fan)
    PollVote.objects.create(poll=post.poll, option=post.poll.options.first(), user=fan)
    media = [stored_media(post=post, position=0), stored_media(post=post, position=1)]
    Report.objects.create(reporter=fan, target_type=TargetType.POST, post=post, reason="spam")
    Report.objects.create(reporter=fan, target_type=TargetType.COMMENT, comment=reply, reason="spam")
    audit = ModerationAction.objects.create(
        moderator=staff, action=ModerationAction.Action.DELETE, target_type=TargetType.POST, target_id=str(post.pk)
    )
    quote = PostFactory(quoted_post=post, content="Look at this one")
    return {"post": post, "poll": post.poll, "media": media, "audit": audit, "quote": quote}


def test_a_deleted_post_goes_with_everything_hanging_on_it(doomed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = purge()

    assert result == PurgeResult(posts=1, comments=2, media_files=2, comments_kept=0)
    post = doomed["post"]
    assert not Post.objects.filter(pk=post.pk).exists()
    for model in (Comment, PostReaction, Repost, Bookmark, PostTicker, Media):
        assert not model.objects.exists(), model
    assert not CommentReaction.objects.exists()
    assert not Report.objects.exists()
    assert not Poll.objects.exists()
    assert not PollOption.objects.exists()
    assert not PollVote.objects.exists()
    assert [media_file_exists(media) for media in doomed["media"]] == [False, False]
    # The ticker stays (other posts may mention it later); the audit log stays; the quote stays, quoting nothing.
    assert Ticker.objects.filter(symbol="NVDA").exists()
    assert ModerationAction.objects.get() == doomed["audit"]
    doomed["quote"].refresh_from_db()
    assert doomed["quote"].quoted_post is None


def test_the_quote_of_a_purged_post_still_shows(api_client, doomed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        purge()

    response = api_client.get(f"/api/v1/posts/{doomed['quote'].pk}")

    assert response.status_code == 200
    assert response.json()["quoted_post"] is None


def test_media_files_go_only_after_the_batch_commits(doomed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        purge()
        assert not Media.objects.exists()
        # Files still there until commit: a rollback would leave rows pointing at them.
        assert all(media_file_exists(media) for media in doomed["media"])

    assert len(callbacks) == 1
    callbacks[0]()
    assert not any(media_file_exists(media) for media in doomed["media"])


def test_the_retention_boundary():
    just_past = deleted_post(deleted_at=CUTOFF - timedelta(seconds=1))
    on_the_edge = deleted_post(deleted_at=CUTOFF)
    recent = deleted_post(deleted_at=RECENTLY)
    live_post = PostFactory()
    comment_past = CommentFactory(post=live_post, deleted_at=CUTOFF - timedelta(seconds=1))
    comment_on_edge = CommentFactory(post=live_post, deleted_at=CUTOFF)

    result = purge()

    assert (result.posts, result.comments) == (1, 1)
    assert set(Post.objects.all()) == {on_the_edge, recent, live_post}
    assert set(Comment.objects.all()) == {comment_on_edge}
    assert not Post.objects.filter(pk=just_past.pk).exists()
    assert not Comment.objects.filter(pk=comment_past.pk).exists()


def test_visible_and_hidden_content_is_untouched(django_capture_on_commit_callbacks):
    old = NOW - timedelta(days=400)
    visible = PostFactory(created_at=old)
    hidden = PostFactory(created_at=old, is_hidden=True)
    comment = CommentFactory(post=visible, created_at=old)
    hidden_comment = CommentFactory(post=visible, created_at=old, is_hidden=True)
    media = stored_media(post=visible)
    hidden_and_deleted = deleted_post(is_hidden=True)

    with django_capture_on_commit_callbacks(execute=True):
        result = purge()

    assert result.posts == 1
    assert set(Post.objects.all()) == {visible, hidden}
    assert not Post.objects.filter(pk=hidden_and_deleted.pk).exists()
    assert set(Comment.objects.all()) == {comment, hidden_comment}
    assert Media.objects.get() == media
    assert media_file_exists(media)


def test_counters_stay_exact():
    author = UserFactory()
    ticker = TickerFactory(symbol="AAPL")
    kept = mention(ticker, author=author, hours_ago=1)
    gone = mention(ticker, author=author, hours_ago=24 * 60)
    # What post_delete does: the post stops counting for its author and its tickers.
    Post.objects.filter(pk=gone.post_id).update(deleted_at=LONG_AGO)
    User.objects.filter(pk=author.pk).update(posts_count=1)
    ticker_posts_recount(["AAPL"])
    ticker.refresh_from_db()
    assert ticker.post_count == 1

    purge()

    author.refresh_from_db()
    ticker.refresh_from_db()
    assert author.posts_count == Post.objects.filter(author=author, deleted_at__isnull=True).count() == 1
    assert ticker.post_count == 1
    ticker_posts_recount(["AAPL"])
    ticker.refresh_from_db()
    assert ticker.post_count == 1
    assert PostTicker.objects.get() == kept


# Comments and their replies


def test_a_deleted_comment_goes_with_its_likes_and_reports():
    post = PostFactory()
    comment = CommentFactory(post=post, deleted_at=LONG_AGO)
    CommentReactionFactory(comment=comment)
    Report.objects.create(reporter=UserFactory(), target_type=TargetType.COMMENT, comment=comment, reason="spam")
    other = CommentFactory(post=post)

    assert purge() == PurgeResult(posts=0, comments=1, media_files=0, comments_kept=0)

    assert list(Comment.objects.all()) == [other]
    assert not CommentReaction.objects.exists()
    assert not Report.objects.exists()
    assert Post.objects.get() == post


def test_a_deleted_comment_with_a_living_reply_is_kept_with_its_text_erased(api_client):
    post = PostFactory()
    parent = CommentFactory(post=post, deleted_at=LONG_AGO, content="Something I regret")
    reply = CommentFactory(post=post, parent=parent, content="Still worth reading")
    deleted_recently = CommentFactory(post=post, deleted_at=LONG_AGO)
    CommentFactory(post=post, parent=deleted_recently, deleted_at=RECENTLY)  # deleted, but kept 25 more days

    result = purge()

    assert (result.comments, result.comments_kept) == (0, 2)
    parent.refresh_from_db()
    assert parent.content == ERASED_COMMENT
    assert parent.deleted_at == LONG_AGO
    reply.refresh_from_db()
    assert (reply.parent_id, reply.content) == (parent.pk, "Still worth reading")
    # The thread reads as before the purge: the reply, pointing at a comment nobody can see.
    body = api_client.get(f"/api/v1/posts/{post.pk}/comments").json()
    assert [(item["id"], item["parent_id"]) for item in body["results"]] == [(str(reply.pk), str(parent.pk))]


def test_a_chain_of_deleted_replies_goes_in_one_run(monkeypatch):
    monkeypatch.setattr(purge_services, "PURGE_BATCH_SIZE", 2)
    post = PostFactory()
    top = CommentFactory(post=post, deleted_at=LONG_AGO)
    chain = [top]
    for _ in range(4):
        chain.append(CommentFactory(post=post, parent=chain[-1], deleted_at=LONG_AGO))
    living = CommentFactory(post=post)

    assert purge().comments == 5

    assert list(Comment.objects.all()) == [living]


def test_the_tombstone_goes_once_its_replies_have_gone():
    post = PostFactory()
    parent = CommentFactory(post=post, deleted_at=LONG_AGO)
    reply = CommentFactory(post=post, parent=parent)
    assert purge().comments_kept == 1

    Comment.objects.filter(pk=reply.pk).update(deleted_at=LONG_AGO)

    assert purge() == PurgeResult(posts=0, comments=2, media_files=0, comments_kept=0)
    assert not Comment.objects.exists()


# Dry run


@pytest.fixture
def mixed(doomed):
    """The doomed post, plus comment trees of every kind on a living post, plus content to keep."""
    post = PostFactory()
    lone = CommentFactory(post=post, deleted_at=LONG_AGO)
    CommentReactionFactory(comment=lone)
    kept_parent = CommentFactory(post=post, deleted_at=LONG_AGO)
    middle = CommentFactory(post=post, parent=kept_parent, deleted_at=LONG_AGO)
    CommentFactory(post=post, parent=middle)  # living: keeps middle and kept_parent
    gone_parent = CommentFactory(post=post, deleted_at=LONG_AGO)
    CommentFactory(post=post, parent=gone_parent, deleted_at=LONG_AGO)
    CommentFactory(post=post, deleted_at=RECENTLY)
    deleted_post(deleted_at=RECENTLY)
    second = deleted_post()
    stored_media(post=second)
    CommentFactory(post=second, deleted_at=RECENTLY)  # goes with its post
    return doomed


def test_a_dry_run_counts_what_a_real_run_removes_and_writes_nothing(mixed, django_capture_on_commit_callbacks):
    before = {model: model.objects.count() for model in (Post, Comment, CommentReaction, Media, Poll, Report)}
    contents = sorted(Comment.objects.values_list("content", flat=True))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dry = purge(dry_run=True)

    # Posts: doomed, second. Comments: doomed's 2, second's 1, lone, gone_parent and its reply.
    assert dry == PurgeResult(posts=2, comments=6, media_files=3, comments_kept=2, dry_run=True)
    assert callbacks == []
    assert {model: model.objects.count() for model in before} == before
    assert sorted(Comment.objects.values_list("content", flat=True)) == contents
    assert all(media_file_exists(media) for media in Media.objects.all())

    with django_capture_on_commit_callbacks(execute=True):
        real = purge()

    assert real == PurgeResult(posts=2, comments=6, media_files=3, comments_kept=2)
    assert purge(dry_run=True) == PurgeResult(posts=0, comments=0, media_files=0, comments_kept=2, dry_run=True)


def test_the_purge_works_in_batches(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(purge_services, "PURGE_BATCH_SIZE", 2)
    posts = [deleted_post() for _ in range(5)]
    media = [stored_media(post=post) for post in posts]
    keep = PostFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert purge().posts == 5

    assert len(callbacks) == 3  # one per batch of posts
    assert list(Post.objects.all()) == [keep]
    assert not any(media_file_exists(item) for item in media)


# The command


def test_command_prints_a_summary_and_is_idempotent(mixed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = purge_command()
        second = purge_command()

    edge = "(older than 30 days: deleted before 2026-10-21 12:00 UTC)"
    assert first == f"Purged 2 posts, 6 comments, 3 media files {edge}; 2 deleted comments kept for their replies.\n"
    assert second == f"Purged 0 posts, 0 comments, 0 media files {edge}; 2 deleted comments kept for their replies.\n"


def test_command_dry_run_only_counts(mixed):
    posts = Post.objects.count()

    output = purge_command("--dry-run")

    assert output.startswith("Would purge 2 posts, 6 comments, 3 media files (older than 30 days")
    assert Post.objects.count() == posts


def test_command_takes_the_retention_in_days_or_from_the_setting(settings, django_capture_on_commit_callbacks):
    settings.CONTENT_RETENTION_DAYS = 60
    older = deleted_post(deleted_at=NOW - timedelta(days=61))
    younger = deleted_post(deleted_at=NOW - timedelta(days=45))

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_command().startswith("Purged 1 posts, 0 comments, 0 media files (older than 60 days: ")
        assert list(Post.objects.all()) == [younger]
        assert purge_command("--days", "40").startswith("Purged 1 posts, 0 comments, 0 media files (older than 40")

    assert not Post.objects.filter(pk__in=[older.pk, younger.pk]).exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("0", "--days must be between 1 and 36500"),
        ("-3", "--days must be between 1 and 36500"),
        ("99999999", "--days must be between 1 and 36500"),
        ("month", "argument --days: invalid int value: 'month'"),
        ("1.5", "argument --days: invalid int value: '1.5'"),
    ],
)
def test_command_refuses_a_bad_retention(days, message):
    post = deleted_post(deleted_at=NOW - timedelta(days=2))

    with pytest.raises(CommandError, match=message):
        purge_command("--days", days)

    assert Post.objects.get() == post


# Concurrency (PostgreSQL: SQLite runs one write transaction at a time)


def _on_postgres(test):
    for mark in postgres_only:
        test = mark(test)
    return test


@_on_postgres
def test_two_concurrent_purges_remove_each_post_once(monkeypatch):
    monkeypatch.setattr(purge_services, "PURGE_BATCH_SIZE", 3)
    with time_machine.travel(NOW, tick=False):
        for _ in range(12):
            post = deleted_post()
            CommentFactory(post=post)
        kept = PostFactory()

        outcomes = race(purge)

    assert sum(result.posts for result in outcomes) == 12
    assert sum(result.comments for result in outcomes) == 12
    assert list(Post.objects.all()) == [kept]
    assert not Comment.objects.exists()
