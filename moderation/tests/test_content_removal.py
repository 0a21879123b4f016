"""DELETE posts/{id} and comments/{id} of someone else's content: moderators only, with a reason, in the audit log.

The API's door to ``moderation.services.content_delete`` (plugged into
``content.moderation_hooks``): the same checks, the same log entry and the
same reports closed as the admin's. Authors deleting their own content need
no reason and leave no entry.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.tests.factories import UserFactory
from content.models import Comment, Post
from content.services.posts import post_create
from core.testing import assert_problem
from moderation.models import ModerationAction, ReportStatus
from moderation.tests.factories import CommentFactory, report_on

pytestmark = pytest.mark.django_db

KINDS = ["post", "comment"]


def url_of(target: Post | Comment) -> str:
    kind = "posts" if isinstance(target, Post) else "comments"
    return f"/api/v1/{kind}/{target.pk}"


@pytest.fixture
def author():
    return UserFactory(username="author_ann")


@pytest.fixture
def make(author):
    """``make(kind)``: a live post (made by the service, so it is counted) or comment by ``author``."""

    def build(kind: str) -> Any:
        post = post_create(author=author, content="Guaranteed 10x on $AAPL, DM me")
        return post if kind == "post" else CommentFactory(post=post, author=author)

    return build


def refreshed(target: Post | Comment) -> Post | Comment:
    return type(target).objects.get(pk=target.pk)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("send", ["body", "query"])
def test_a_moderator_deletes_someone_elses_content_with_a_reason(moderator, client_for, make, author, kind, send):
    target = make(kind)
    reports = [report_on(target), report_on(target, reason="misinformation")]
    closed_before = report_on(target, status=ReportStatus.DISMISSED)
    client = client_for(moderator)

    if send == "body":
        response = client.delete(url_of(target), {"reason": "  Pump and dump.  "}, format="json")
    else:
        response = client.delete(f"{url_of(target)}?reason=Pump+and+dump.")

    assert response.status_code == 204, response.content
    assert refreshed(target).deleted_at is not None
    action = ModerationAction.objects.get()
    assert (action.moderator, action.action, action.target_type, action.target_id) == (
        moderator,
        "delete",
        kind,
        str(target.pk),
    )
    assert (action.reason, action.reports_resolved) == ("Pump and dump.", 2)
    for report in reports:
        report.refresh_from_db()
        assert (report.status, report.resolved_by) == (ReportStatus.RESOLVED, moderator)
    closed_before.refresh_from_db()
    assert closed_before.status == ReportStatus.DISMISSED
    author.refresh_from_db()
    assert author.posts_count == (0 if kind == "post" else 1)
    assert_problem(client.delete(url_of(target), {"reason": "Again."}, format="json"), 404)
    assert ModerationAction.objects.count() == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": 42}, {"reason": "x" * 501}])
def test_a_moderator_without_a_valid_reason_gets_400_naming_it(moderator, client_for, make, kind, body):
    target = make(kind)

    response = client_for(moderator).delete(url_of(target), body, format="json")

    assert_problem(response, 400, "reason")
    assert refreshed(target).deleted_at is None
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_staff_without_the_permission_get_403_even_with_a_reason(staff_outsider, client_for, make, kind):
    target = make(kind)
    report = report_on(target)

    response = client_for(staff_outsider).delete(url_of(target), {"reason": "I say so."}, format="json")

    assert_problem(response, 403)
    assert refreshed(target).deleted_at is None
    assert not ModerationAction.objects.exists()
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


@pytest.mark.parametrize("kind", KINDS)
def test_a_member_gets_403_and_anonymous_401(client_for, api_client, make, kind):
    target = make(kind)

    assert_problem(api_client.delete(url_of(target), {"reason": "Spam."}, format="json"), 401)
    assert_problem(client_for(UserFactory()).delete(url_of(target), {"reason": "Spam."}, format="json"), 403)

    assert refreshed(target).deleted_at is None
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_content_hidden_from_the_moderator_is_404(moderator, client_for, make, kind):
    target = make(kind)
    type(target).objects.filter(pk=target.pk).update(is_hidden=True)

    assert_problem(client_for(moderator).delete(url_of(target), {"reason": "Spam."}, format="json"), 404)

    assert refreshed(target).deleted_at is None
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_moderator_deleting_their_own_content_needs_no_reason_and_is_not_logged(moderator, client_for, kind):
    post = post_create(author=moderator, content="My own $AAPL take")
    target = post if kind == "post" else CommentFactory(post=post, author=moderator)

    assert client_for(moderator).delete(url_of(target)).status_code == 204

    assert refreshed(target).deleted_at is not None
    assert not ModerationAction.objects.exists()
