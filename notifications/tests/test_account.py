"""Account deletion and the data export: notifications go with the account; preferences are exported."""

from __future__ import annotations

import json

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from content.services.interactions import post_reaction_toggle
from content.tests.factories import PostFactory
from notifications.models import NotificationAct, NotificationGroup, NotificationPreferences
from notifications.preferences import preferences_update

pytestmark = pytest.mark.django_db(transaction=True)


def test_deleting_an_account_removes_its_notifications_and_its_acts_in_others(client_for):
    user, friend = UserFactory(), UserFactory()
    post_reaction_toggle(user=friend, post_id=PostFactory(author=user).pk, reacted=True)
    post_reaction_toggle(user=user, post_id=PostFactory(author=friend).pk, reacted=True)
    preferences_update(user=user, email_digest="daily")
    assert NotificationGroup.objects.count() == 2

    response = client_for(user).delete("/api/v1/users/me", {"password": DEFAULT_PASSWORD})

    assert response.status_code == 204
    assert not NotificationGroup.objects.filter(recipient=user).exists()
    assert not NotificationAct.objects.filter(actor=user).exists()
    assert not NotificationGroup.objects.filter(recipient=friend).exists()  # its only act was the user's
    assert not NotificationPreferences.objects.filter(user=user).exists()


def test_a_users_rows_cascade_when_the_row_itself_is_deleted():
    user, friend = UserFactory(), UserFactory()
    post_reaction_toggle(user=friend, post_id=PostFactory(author=user).pk, reacted=True)
    preferences_update(user=user, email_digest="weekly")
    user.delete()
    assert NotificationGroup.objects.count() == 0
    assert NotificationAct.objects.count() == 0
    assert NotificationPreferences.objects.count() == 0


def test_the_export_has_the_notification_preferences(client_for):
    user = UserFactory()
    preferences_update(user=user, types={"follow": {"in_app": False}}, email_digest="weekly")
    response = client_for(user).get("/api/v1/users/me/export")
    data = json.loads(b"".join(response.streaming_content))
    [row] = data["notification_preferences"]
    assert row["email_digest"] == "weekly"
    assert row["types"]["follow"] == {"in_app": False, "email": False}
