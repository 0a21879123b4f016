"""Two moderators acting on the same target at once: one change, one log entry, no error.

PostgreSQL only: SQLite serialises every write transaction, so there is no race to lose.
"""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from content.models import Post
from content.services.posts import post_create
from content.tests.factories import PostFactory
from core.testing import postgres_only, race
from moderation.models import ModerationAction, Report, ReportStatus
from moderation.services import content_delete, content_hide, reports_dismiss, user_suspend
from moderation.tests.factories import report_on

pytestmark = postgres_only


@pytest.fixture
def two_moderators(moderators_group):
    moderators = [UserFactory(is_staff=True), UserFactory(is_staff=True)]
    for moderator in moderators:
        moderator.groups.add(moderators_group)
    return moderators


def each(moderators, act):
    """A call for ``race``: each thread acts as the next moderator (fresh objects: no shared state)."""
    turns = iter(moderators)
    return lambda: act(next(turns))


def only_one_acted(outcomes) -> ModerationAction:
    assert sorted(outcome is None for outcome in outcomes) == [False, True], outcomes
    assert ModerationAction.objects.count() == 1
    return ModerationAction.objects.get()


def test_two_hides_at_once_hide_once_and_log_once(two_moderators):
    post = post_create(author=UserFactory(), content="$AAPL pump")
    reports = [report_on(post), report_on(post)]

    outcomes = race(
        each(
            two_moderators,
            lambda who: content_hide(moderator=who, target=Post.objects.get(pk=post.pk), reason="Spam."),
        )
    )

    action = only_one_acted(outcomes)
    assert action.reports_resolved == 2
    assert Post.objects.get(pk=post.pk).is_hidden
    assert {Report.objects.get(pk=report.pk).resolved_by_id for report in reports} == {action.moderator_id}


def test_two_deletes_at_once_uncount_the_post_once(two_moderators):
    author = UserFactory()
    post = post_create(author=author, content="Delete me")

    outcomes = race(
        each(
            two_moderators,
            lambda who: content_delete(moderator=who, target=Post.objects.get(pk=post.pk), reason="Scam."),
        )
    )

    only_one_acted(outcomes)
    author.refresh_from_db()
    assert author.posts_count == 0


def test_two_suspensions_at_once_suspend_once_and_log_once(two_moderators):
    target = UserFactory()
    PostFactory(author=target)
    report_on(target)

    outcomes = race(
        each(
            two_moderators,
            lambda who: user_suspend(moderator=who, user=type(target).objects.get(pk=target.pk), reason="Bot."),
        )
    )

    action = only_one_acted(outcomes)
    assert action.reports_resolved == 1
    target.refresh_from_db()
    assert target.is_suspended
    assert not target.is_active


def test_two_dismissals_at_once_dismiss_once_and_log_once(two_moderators):
    post = PostFactory()
    report_on(post)
    report_on(post)

    outcomes = race(each(two_moderators, lambda who: reports_dismiss(moderator=who, target=post, reason="Fine.")))

    action = only_one_acted(outcomes)
    assert action.reports_resolved == 2
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DISMISSED}
