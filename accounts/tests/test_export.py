"""GET users/me/export: the signed-in user's data, streamed as one JSON archive.

The apps above accounts add their sections through ``accounts.account_hooks``.
"""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.test import APIClient

import accounts.export
import content.export
import moderation.export
import polls.export
import social.export
from accounts import account_hooks
from accounts.api.views import EXPORT_SECTIONS
from accounts.models import User, UserSession
from accounts.tests.factories import UserFactory, UserInterestFactory
from content.models import Comment, Media, Post, PostTicker
from content.tests.factories import PostFactory, TickerFactory, WatchlistItemFactory
from content.tests.factories_interactions import (
    BookmarkFactory,
    CommentFactory,
    CommentReactionFactory,
    PostReactionFactory,
    RepostFactory,
)
from core.schema_testing import checker
from core.testing import assert_problem
from moderation.models import TargetType
from moderation.tests.factories import ReportFactory
from polls.models import PollVote
from polls.tests.factories import PollFactory
from social.tests.factories import BlockFactory, FollowFactory, MuteFactory

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/users/me/export"


def export(client: APIClient) -> dict[str, Any]:
    response = client.get(EXPORT)
    assert response.status_code == 200, response
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    # The suite's schema check skips streamed bodies (core.schema_testing): check this one here.
    assert checker().violations("GET", EXPORT, HttpResponse(body, content_type="application/json")) == []
    return json.loads(body)


def fill(user: Any, other: Any, *, posts: int = 2) -> dict[str, Any]:
    """Data of every section for ``user``, with ``other`` on the other side of relationships."""
    ticker: Any = TickerFactory(symbol="NVDA")
    UserInterestFactory(user=user, interest="semis")
    UserSession.objects.create(user=user, user_agent="Firefox", ip_hash="f" * 64)
    made = [PostFactory(author=user, content=f"post {n} by {user.username}") for n in range(posts)]
    poll: Any = PollFactory(options=["Up", "Down"])
    with_poll: Any = PostFactory(author=user, content="$NVDA up or down?", sentiment="bullish", poll=poll)
    PostTicker.objects.create(post=with_poll, ticker=ticker, position=0)
    Media.objects.create(
        owner=user,
        post=with_poll,
        file="post-media/2026/12/a.webp",
        content_type="image/webp",
        width=10,
        height=20,
        size=100,
    )
    deleted = PostFactory(author=user, content="deleted by me", deleted_at=timezone.now())
    others_post = PostFactory(author=other, content=f"by {other.username}")
    quote = PostFactory(author=user, content="quoting", quoted_post=others_post)
    hidden = PostFactory(author=user, content="hidden by a moderator", is_hidden=True)
    comment = CommentFactory(author=user, post=others_post, content="my comment")
    CommentFactory(author=user, post=others_post, content="deleted comment", deleted_at=timezone.now())
    PostReactionFactory(user=user, post=others_post)
    CommentReactionFactory(user=user, comment=CommentFactory(author=other, post=others_post))
    RepostFactory(user=user, post=others_post)
    BookmarkFactory(user=user, post=others_post)
    WatchlistItemFactory(user=user, ticker=ticker)
    PollVote.objects.create(poll=poll, option=poll.options.get(position=1), user=user)
    FollowFactory(follower=user, following=other)
    FollowFactory(follower=other, following=user)
    MuteFactory(user=user, target=other)
    BlockFactory(user=user, target=other)
    ReportFactory(reporter=user, post=others_post)
    return {
        "posts": made,
        "with_poll": with_poll,
        "deleted": deleted,
        "quote": quote,
        "hidden": hidden,
        "comment": comment,
    }


def test_anonymous_is_refused() -> None:
    assert_problem(APIClient().get(EXPORT), 401)


def test_every_section_holds_the_users_own_rows(user: User, other_user: User, client_for: Any) -> None:
    mine = fill(user, other_user)
    fill(other_user, UserFactory())
    data = export(client_for(user))

    assert data["format"] == "pageshare-export"
    assert set(data) == {"format", "version", "exported_at", "account", *EXPORT_SECTIONS}
    account = data["account"]
    assert account["id"] == str(user.pk)
    assert account["email"] == user.email
    assert account["interests"] == ["semis"]
    assert "signup_ip_hash" not in account
    assert "password" not in account

    assert data["activity_sessions"] == [
        {
            "started_at": data["activity_sessions"][0]["started_at"],
            "last_seen_at": data["activity_sessions"][0]["last_seen_at"],
            "request_count": 1,
            "user_agent": "Firefox",
        }
    ]
    assert "f" * 64 not in json.dumps(data)

    them = {"user_id": str(other_user.pk), "username": other_user.username}
    for section in ("following", "followers", "mutes", "blocks"):
        assert [{k: row[k] for k in them} for row in data[section]] == [them], section

    by_id = {post["id"]: post for post in data["posts"]}
    assert set(by_id) == {str(p.pk) for p in [*mine["posts"], mine["with_poll"], mine["quote"], mine["hidden"]]}
    assert [post["id"] for post in data["posts"] if post["hidden"]] == [str(mine["hidden"].pk)]
    assert str(mine["deleted"].pk) not in by_id  # deleted content is left out
    polled = by_id[str(mine["with_poll"].pk)]
    assert polled["tickers"] == ["NVDA"]
    assert polled["sentiment"] == "bullish"
    assert [(o["text"], o["votes"]) for o in polled["poll"]["options"]] == [("Up", 0), ("Down", 1)]
    assert polled["poll"]["total_votes"] == 1
    assert [m["url"] for m in polled["media"]] == ["/media/post-media/2026/12/a.webp"]
    assert by_id[str(mine["quote"].pk)]["quoted_post_id"] == str(mine["quote"].quoted_post_id)
    assert all(post["poll"] is None and post["media"] == [] for key, post in by_id.items() if key != polled["id"])

    assert [c["content"] for c in data["comments"]] == ["my comment"]
    others_post_id = str(mine["comment"].post_id)
    for section in ("post_likes", "reposts", "bookmarks"):
        assert [row["post_id"] for row in data[section]] == [others_post_id], section
    assert len(data["comment_likes"]) == 1
    assert [row["symbol"] for row in data["watchlist"]] == ["NVDA"]
    assert [row["option_text"] for row in data["poll_votes"]] == ["Down"]
    assert [(r["target_type"], r["target_id"]) for r in data["reports"]] == [(TargetType.POST, others_post_id)]


def test_another_users_data_never_appears(user: User, other_user: User, client_for: Any) -> None:
    fill(user, other_user)
    fill(other_user, UserFactory())
    for me, them in ((user, other_user), (other_user, user)):
        data = export(client_for(me))
        text = json.dumps(data)
        assert f"by {them.username}" not in {p["content"] for p in data["posts"]}
        assert them.email not in text
        assert all(p["content"].endswith(me.username) for p in data["posts"] if p["content"].startswith("post "))
        own_posts = Post.objects.filter(author=me, deleted_at__isnull=True)
        assert {p["id"] for p in data["posts"]} == {str(pk) for pk in own_posts.values_list("pk", flat=True)}
        own_comments = Comment.objects.filter(author=me, deleted_at__isnull=True)
        assert {c["id"] for c in data["comments"]} == {str(pk) for pk in own_comments.values_list("pk", flat=True)}
        assert len(data["reports"]) == 1
        assert len(data["poll_votes"]) == 1


def test_reports_about_the_user_are_not_theirs(user: User, other_user: User, client_for: Any) -> None:
    ReportFactory(reporter=other_user, target_type=TargetType.USER, post=None, user=user)
    assert export(client_for(user))["reports"] == []


def test_download_headers(user: User, client_for: Any) -> None:
    response = client_for(user).get(EXPORT)
    today = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="pageshare-export-{user.username}-{today}.json"'
    assert response["Cache-Control"] == "private, no-store"
    b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_schema_lists_every_registered_section() -> None:
    assert list(account_hooks.account_export_sections()) == list(EXPORT_SECTIONS)


@pytest.mark.parametrize("posts", [1, 60])
def test_query_budget_is_flat(
    posts: int, user: User, other_user: User, client_for: Any, django_assert_max_num_queries: Any, monkeypatch: Any
) -> None:
    # Rows are read in chunks of 7: many rows span many chunks, still with the same queries.
    for module in (accounts.export, social.export, polls.export, content.export, moderation.export):
        monkeypatch.setattr(module, "EXPORT_CHUNK_SIZE", 7)
    fill(user, other_user, posts=posts)
    for n in range(posts):
        other = PostFactory(author=other_user, created_at=timezone.now() - timedelta(minutes=n))
        PostReactionFactory(user=user, post=other)
        CommentFactory(author=user, post=other)
    client = client_for(user)
    with django_assert_max_num_queries(21):
        data = export(client)
    assert len(data["posts"]) == posts + 3
    assert len(data["post_likes"]) == posts + 1
    assert len(data["comments"]) == posts + 1
    polled = [post for post in data["posts"] if post["poll"] is not None]
    assert [len(post["poll"]["options"]) for post in polled] == [2]
    assert polled[0]["tickers"] == ["NVDA"]


def test_rate_limited_per_user(user: User, other_user: User, client_for: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "export": "2/h"}
    client = client_for(user)
    for _ in range(2):
        export(client)
    assert_problem(client.get(EXPORT), 429)
    export(client_for(other_user))  # another user's budget


@pytest.mark.django_db(transaction=True)
def test_export_in_autocommit(client_for: Any) -> None:
    """As in production (no test transaction around it): on PostgreSQL the section cursors are then
    ``WITH HOLD`` and several are open at once while posts are joined to their children."""
    user, other = UserFactory(), UserFactory()
    mine = fill(user, other)
    data = export(client_for(user))
    polled = next(post for post in data["posts"] if post["id"] == str(mine["with_poll"].pk))
    assert [option["votes"] for option in polled["poll"]["options"]] == [0, 1]
    assert polled["tickers"] == ["NVDA"]
    assert len(polled["media"]) == 1
    assert [row["username"] for row in data["blocks"]] == [other.username]
