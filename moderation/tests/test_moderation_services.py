"""What moderators do (hide, unhide, delete, suspend, lift, dismiss): logged once, closing the right reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.services.auth import token_pair_issue
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from conftest import bearer
from content.models import Comment, Post, Ticker
from content.services.posts import post_create
from content.tests.factories import PostFactory
from core.errors import Forbidden, Invalid
from moderation.models import ModerationAction, Report, ReportStatus
from moderation.services import (
    content_delete,
    content_hide,
    content_unhide,
    reports_dismiss,
    user_suspend,
    user_unsuspend,
)
from moderation.tests.factories import CommentFactory, report_on

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
Action = ModerationAction.Action


def statuses(*reports) -> list[str]:
    return [Report.objects.get(pk=report.pk).status for report in reports]


def post_count(symbol: str) -> int:
    return Ticker.objects.get(symbol=symbol).post_count


# Hide and unhide


def test_hiding_a_post_hides_it_everywhere_resolves_its_open_reports_and_logs_once(moderator, api_client):
    author = UserFactory()
    post = post_create(author=author, content="Buy $AAPL now, guaranteed 10x")
    open_reports = [report_on(post), report_on(post, reason="misinformation")]
    dismissed_before = report_on(post, status=ReportStatus.DISMISSED)
    elsewhere = report_on(PostFactory(author=author))

    with time_machine.travel(NOW, tick=False):
        action = content_hide(moderator=moderator, target=post, reason="  Pump and dump.  ")

    assert action is not None
    assert (action.moderator, action.action, action.target_type, action.target_id) == (
        moderator,
        Action.HIDE,
        "post",
        str(post.pk),
    )
    assert (action.reason, action.reports_resolved, action.created_at) == ("Pump and dump.", 2, NOW)
    assert Post.objects.get(pk=post.pk).is_hidden
    for report in open_reports:
        report.refresh_from_db()
        assert (report.status, report.resolved_at, report.resolved_by) == (ReportStatus.RESOLVED, NOW, moderator)
    assert statuses(dismissed_before, elsewhere) == [ReportStatus.DISMISSED, ReportStatus.OPEN]
    assert post_count("AAPL") == 0
    assert api_client.get(f"/api/v1/posts/{post.pk}").status_code == 404
    listed = [item["id"] for item in api_client.get(f"/api/v1/posts?author={author.pk}").json()["results"]]
    assert str(post.pk) not in listed


def test_unhiding_brings_the_post_back_and_resolves_nothing(moderator, api_client):
    post = post_create(author=UserFactory(), content="About $MSFT")
    content_hide(moderator=moderator, target=post, reason="Looked like spam.")
    later = report_on(UserFactory())  # an unrelated open report stays open

    action = content_unhide(moderator=moderator, target=post, reason="It was fine after all.")

    assert action is not None
    assert (action.action, action.reports_resolved) == (Action.UNHIDE, 0)
    assert not Post.objects.get(pk=post.pk).is_hidden
    assert api_client.get(f"/api/v1/posts/{post.pk}").status_code == 200
    assert post_count("MSFT") == 1
    assert statuses(later) == [ReportStatus.OPEN]


def test_hiding_twice_logs_once_and_the_second_returns_none(moderator):
    post = PostFactory()
    report_on(post)

    first = content_hide(moderator=moderator, target=post, reason="Spam.")
    second = content_hide(moderator=moderator, target=Post.objects.get(pk=post.pk), reason="Spam.")

    assert first is not None
    assert second is None
    assert ModerationAction.objects.count() == 1


def test_unhiding_a_visible_post_is_a_no_op(moderator):
    assert content_unhide(moderator=moderator, target=PostFactory(), reason="Why not.") is None
    assert not ModerationAction.objects.exists()


def test_hiding_a_comment_takes_it_out_of_the_thread_until_unhidden(moderator, api_client):
    comment = CommentFactory()
    report = report_on(comment)
    url = f"/api/v1/posts/{comment.post_id}/comments"

    hidden = content_hide(moderator=moderator, target=comment, reason="Insults.")

    assert hidden is not None
    assert (hidden.target_type, hidden.target_id, hidden.reports_resolved) == ("comment", str(comment.pk), 1)
    assert Comment.objects.get(pk=comment.pk).is_hidden
    assert statuses(report) == [ReportStatus.RESOLVED]
    assert api_client.get(url).json()["results"] == []

    assert content_unhide(moderator=moderator, target=comment, reason="Context made it fine.") is not None
    assert [item["id"] for item in api_client.get(url).json()["results"]] == [str(comment.pk)]


# Delete


def test_deleting_a_post_soft_deletes_it_uncounts_it_and_resolves_its_reports(moderator, api_client):
    author = UserFactory()
    post = post_create(author=author, content="$TSLA to the moon")
    report = report_on(post)

    action = content_delete(moderator=moderator, target=post, reason="Scam link.")

    assert action is not None
    assert (action.action, action.reports_resolved) == (Action.DELETE, 1)
    deleted = Post.objects.get(pk=post.pk)
    assert deleted.deleted_at is not None
    assert not deleted.is_hidden
    author.refresh_from_db()
    assert author.posts_count == 0
    assert post_count("TSLA") == 0
    assert statuses(report) == [ReportStatus.RESOLVED]
    assert api_client.get(f"/api/v1/posts/{post.pk}").status_code == 404
    assert content_delete(moderator=moderator, target=post, reason="Again.") is None
    assert ModerationAction.objects.count() == 1


def test_deleting_a_comment_soft_deletes_it_once(moderator):
    comment = CommentFactory()
    report_on(comment)

    first = content_delete(moderator=moderator, target=comment, reason="Doxxing.")
    second = content_delete(moderator=moderator, target=comment, reason="Doxxing.")

    assert first is not None
    assert first.reports_resolved == 1
    assert second is None
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None
    assert ModerationAction.objects.count() == 1


def test_hiding_a_deleted_post_without_reports_does_nothing(moderator):
    post = PostFactory(deleted_at=NOW)

    assert content_hide(moderator=moderator, target=post, reason="Spam.") is None
    assert not Post.objects.get(pk=post.pk).is_hidden


# Suspend and lift


def test_suspending_signs_the_user_out_everywhere_hides_their_content_and_resolves_reports_about_them(
    moderator, api_client, no_rate_limits
):
    author = UserFactory()
    post = post_create(author=author, content="$NVDA calls")
    comment = CommentFactory(author=author)
    tokens = token_pair_issue(user=author)
    second_session = token_pair_issue(user=author)
    about = [report_on(author), report_on(post), report_on(comment)]
    unrelated = report_on(PostFactory())
    access = APIClient()
    access.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert access.get("/api/v1/users/me").status_code == 200

    with time_machine.travel(NOW, tick=False):
        action = user_suspend(moderator=moderator, user=author, reason="Repeated scams.")

    assert action is not None
    assert (action.action, action.target_type, action.target_id, action.reports_resolved) == (
        Action.SUSPEND,
        "user",
        str(author.pk),
        3,
    )
    author.refresh_from_db()
    assert (author.is_active, author.suspended_at, author.suspension_reason) == (False, NOW, "Repeated scams.")
    assert statuses(*about) == [ReportStatus.RESOLVED] * 3
    assert statuses(unrelated) == [ReportStatus.OPEN]
    # Every refresh token is revoked, so no session can renew itself...
    live = OutstandingToken.objects.filter(user=author)
    assert BlacklistedToken.objects.filter(token__in=live).count() == live.count() == 2
    for pair in (tokens, second_session):
        assert api_client.post("/api/v1/auth/refresh", {"refresh": pair["refresh"]}).status_code == 401
    # ...the access token still unexpired is refused, and signing in again fails.
    assert access.get("/api/v1/users/me").status_code == 401
    login = api_client.post("/api/v1/auth/login", {"email": author.email, "password": DEFAULT_PASSWORD})
    assert login.status_code == 401
    # Their content is gone for everyone else, and from the ticker counts.
    assert api_client.get(f"/api/v1/posts/{post.pk}").status_code == 404
    assert api_client.get(f"/api/v1/posts/{comment.post_id}/comments").json()["results"] == []
    assert post_count("NVDA") == 0


def test_lifting_a_suspension_lets_the_user_back_in_and_shows_their_content(moderator, api_client, no_rate_limits):
    author = UserFactory()
    post = post_create(author=author, content="$AMD earnings")
    user_suspend(moderator=moderator, user=author, reason="Spam wave.")

    action = user_unsuspend(moderator=moderator, user=author, reason="Appeal accepted.")

    assert action is not None
    assert (action.action, action.reports_resolved, action.reason) == (Action.UNSUSPEND, 0, "Appeal accepted.")
    author.refresh_from_db()
    assert (author.is_active, author.suspended_at, author.suspension_reason) == (True, None, "")
    assert api_client.get(f"/api/v1/posts/{post.pk}").status_code == 200
    assert post_count("AMD") == 1
    login = api_client.post("/api/v1/auth/login", {"email": author.email, "password": DEFAULT_PASSWORD})
    assert login.status_code == 200
    assert api_client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}").status_code == 200


def test_suspending_twice_logs_once_and_lifting_an_unsuspended_user_is_a_no_op(moderator):
    user = UserFactory()

    assert user_suspend(moderator=moderator, user=user, reason="Spam.") is not None
    assert user_suspend(moderator=moderator, user=user, reason="Spam again.") is None
    assert user_unsuspend(moderator=moderator, user=UserFactory(), reason="Nothing to lift.") is None
    assert ModerationAction.objects.count() == 1
    user.refresh_from_db()
    assert user.suspension_reason == "Spam."


def test_suspending_an_already_suspended_user_still_resolves_new_reports(moderator):
    user = UserFactory()
    user_suspend(moderator=moderator, user=user, reason="Spam.")
    # Reports filed before the suspension landed (a report on a suspended user is refused since).
    late = report_on(user)

    action = user_suspend(moderator=moderator, user=user, reason="Closing the last report.")

    assert action is not None
    assert action.reports_resolved == 1
    assert statuses(late) == [ReportStatus.RESOLVED]


@pytest.mark.parametrize(
    ("make_target", "message"),
    [
        (lambda moderator: moderator, "You cannot suspend yourself."),
        (lambda moderator: UserFactory(is_staff=True, is_superuser=True), "A superuser cannot be suspended."),
        (lambda moderator: UserFactory(is_staff=True), "Only a superuser can suspend staff."),
    ],
    ids=["self", "superuser", "staff"],
)
def test_a_moderator_cannot_suspend_themself_a_superuser_or_other_staff(moderator, make_target, message):
    target = make_target(moderator)

    with pytest.raises(Invalid) as caught:
        user_suspend(moderator=moderator, user=target, reason="Power trip.")

    assert caught.value.errors == {"user": [message]}
    target.refresh_from_db()
    assert target.suspended_at is None
    assert target.is_active
    assert not ModerationAction.objects.exists()


def test_a_superuser_may_suspend_staff():
    boss = UserFactory(is_staff=True, is_superuser=True)
    staff = UserFactory(is_staff=True)

    assert user_suspend(moderator=boss, user=staff, reason="Abused the admin.") is not None
    staff.refresh_from_db()
    assert staff.is_suspended


# Dismiss


def test_dismissing_closes_the_open_reports_and_leaves_the_content_alone(moderator, api_client):
    post = PostFactory()
    reports = [report_on(post), report_on(post)]
    resolved_before = report_on(post, status=ReportStatus.RESOLVED)

    with time_machine.travel(NOW, tick=False):
        action = reports_dismiss(moderator=moderator, target=post, reason="Satire, not misinformation.")

    assert action is not None
    assert (action.action, action.reports_resolved, action.target_type) == (Action.DISMISS, 2, "post")
    for report in reports:
        report.refresh_from_db()
        assert (report.status, report.resolved_at, report.resolved_by) == (ReportStatus.DISMISSED, NOW, moderator)
    assert statuses(resolved_before) == [ReportStatus.RESOLVED]
    assert api_client.get(f"/api/v1/posts/{post.pk}").status_code == 200
    assert reports_dismiss(moderator=moderator, target=post, reason="Again.") is None
    assert ModerationAction.objects.count() == 1


def test_dismissing_reports_on_a_user_keeps_the_user_active(moderator):
    user = UserFactory()
    report = report_on(user)

    action = reports_dismiss(moderator=moderator, target=user, reason="Not a bot.")

    assert action is not None
    assert action.target_type == "user"
    assert statuses(report) == [ReportStatus.DISMISSED]
    user.refresh_from_db()
    assert user.is_active
    assert not user.is_suspended


# Who may act, and the reason


@pytest.mark.parametrize(
    ("fields", "in_group"),
    [({"is_staff": True}, False), ({"is_staff": False}, True), ({"is_staff": True, "is_active": False}, True)],
    ids=["staff-without-group", "group-without-staff", "inactive-moderator"],
)
def test_only_active_staff_with_the_moderate_permission_may_act(moderators_group, fields, in_group):
    actor = UserFactory(**fields)
    if in_group:
        actor.groups.add(moderators_group)
    post, user = PostFactory(), UserFactory()
    report_on(post)

    calls = [
        lambda: content_hide(moderator=actor, target=post, reason="x"),
        lambda: content_unhide(moderator=actor, target=post, reason="x"),
        lambda: content_delete(moderator=actor, target=post, reason="x"),
        lambda: user_suspend(moderator=actor, user=user, reason="x"),
        lambda: user_unsuspend(moderator=actor, user=user, reason="x"),
        lambda: reports_dismiss(moderator=actor, target=post, reason="x"),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            call()

    post.refresh_from_db()
    assert (post.is_hidden, post.deleted_at) == (False, None)
    assert Report.objects.get().status == ReportStatus.OPEN
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize(("reason", "message"), [("   ", "Say why"), ("x" * 501, "At most 500 characters.")])
def test_a_reason_is_required_and_bounded(moderator, reason, message):
    post = PostFactory()

    with pytest.raises(Invalid) as caught:
        content_hide(moderator=moderator, target=post, reason=reason)

    assert list(caught.value.errors) == ["reason"]
    assert str(caught.value.errors["reason"][0]).startswith(message)
    assert not Post.objects.get(pk=post.pk).is_hidden


def test_a_suspended_users_bearer_token_is_refused_on_reads_and_writes(moderator):
    user = UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    user_suspend(moderator=moderator, user=user, reason="Spam.")

    assert client.get("/api/v1/users/me").status_code == 401
    assert client.post("/api/v1/posts", {"content": "still here?"}, format="json").status_code == 401
    assert not Post.objects.filter(author=user).exists()
