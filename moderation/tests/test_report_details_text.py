"""Report details: normalised like every text a member writes; invisible-only is refused."""

from __future__ import annotations

import pytest

from content.tests.factories import PostFactory
from core.testing import assert_problem
from moderation.models import Report

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports"


def report(client, **extra):
    post = PostFactory()
    return client.post(
        URL, {"target_type": "post", "target_id": str(post.pk), "reason": "spam", **extra}, format="json"
    )


def test_report_details_of_only_invisible_characters_are_refused(auth_client):
    assert_problem(report(auth_client, details="\u200b\u202e\u3164"), 400, "details")

    assert not Report.objects.exists()


def test_report_details_are_stored_normalised(auth_client):
    response = report(auth_client, details="\u202espam\u200b link")

    assert response.status_code == 201, response.content
    assert Report.objects.get().details == "spam link"


def test_report_details_may_be_left_out(auth_client):
    assert report(auth_client).status_code == 201
    assert Report.objects.get().details == ""
