"""Reports and moderation speak the domain: the services raise ``core.errors``, and the admin shows their messages."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from content.tests.factories import PostFactory
from core.errors import Conflict, Invalid, NotFound
from moderation.models import ModerationAction, Reason, Report
from moderation.services import report_create
from moderation.tests.factories import report_on

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/reportqueue/"


def test_reporting_ones_own_post_is_invalid_naming_target_id(user):
    post = PostFactory(author=user)

    with pytest.raises(Invalid) as caught:
        report_create(reporter=user, target_type="post", target_id=post.pk, reason=Reason.SPAM)

    assert caught.value.errors == {"target_id": ["You cannot report your own post."]}
    assert caught.value.code == "self_report"
    assert not Report.objects.exists()


def test_reporting_a_hidden_post_is_not_found(user):
    post = PostFactory(is_hidden=True)

    with pytest.raises(NotFound, match=r"^No such post\.$"):
        report_create(reporter=user, target_type="post", target_id=post.pk, reason=Reason.SPAM)


def test_a_second_open_report_on_the_same_post_is_a_conflict(user):
    post = PostFactory()
    report_create(reporter=user, target_type="post", target_id=post.pk, reason=Reason.SPAM)

    with pytest.raises(Conflict, match="already have an open report on this post"):
        report_create(reporter=user, target_type="post", target_id=post.pk, reason=Reason.OTHER)

    assert Report.objects.count() == 1


def test_the_report_page_shows_the_services_refusal_above_the_form(moderator, admin_client_for):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    report_on(superuser)

    response = admin_client_for(moderator).post(
        f"{QUEUE}user/{superuser.pk}/", {"action": "suspend", "reason": "Abuse of power."}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["A superuser cannot be suspended."]
    assert b"A superuser cannot be suspended." in response.content
    superuser.refresh_from_db()
    assert not superuser.is_suspended
    assert not ModerationAction.objects.exists()
