"""Races POST reports must win: the same report sent twice at once.

PostgreSQL only: SQLite serialises every write transaction, so there is no race to lose.
"""

from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from conftest import bearer
from content.tests.factories import PostFactory
from core.testing import postgres_only, race
from moderation.models import Report, ReportStatus
from moderation.tests.factories import CommentFactory

pytestmark = postgres_only

URL = "/api/v1/reports"


def send(reporter, target_type, target_id):
    """One request on its own client (each racing thread has its own database connection)."""

    def call():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer(reporter))
        body = {"target_type": target_type, "target_id": str(target_id), "reason": "spam"}
        return client.post(URL, body, format="json").status_code

    return call


def test_two_identical_reports_at_once_make_one_report_and_one_409():
    reporter, post = UserFactory(), PostFactory()

    outcomes = race(send(reporter, "post", post.pk))

    assert sorted(outcomes) == [201, 409]
    assert Report.objects.filter(reporter=reporter, post=post, status=ReportStatus.OPEN).count() == 1


def test_four_identical_reports_on_a_user_at_once_make_one_report():
    reporter, target = UserFactory(), UserFactory()

    outcomes = race(send(reporter, "user", target.pk), threads=4)

    assert sorted(outcomes) == [201, 409, 409, 409]
    assert Report.objects.filter(reporter=reporter, user=target).count() == 1


def test_two_reporters_at_once_each_get_their_report():
    comment = CommentFactory()
    reporters = [UserFactory(), UserFactory()]
    calls = iter([send(reporter, "comment", comment.pk) for reporter in reporters])

    outcomes = race(lambda: next(calls)())

    assert outcomes == [201, 201]
    assert set(Report.objects.filter(comment=comment).values_list("reporter_id", flat=True)) == {
        reporter.pk for reporter in reporters
    }
