"""The notifications admin: groups and acts read-only, filterable by type, searchable by recipient,
and reachable from a user's admin page."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from content.services.interactions import post_reaction_toggle
from content.tests.factories import PostFactory
from notifications.admin import notifications_admin_url
from notifications.models import NotificationGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def liked(committed):
    author, other = UserFactory(username="ana"), UserFactory(username="bob")
    with committed():
        post_reaction_toggle(user=UserFactory(), post_id=PostFactory(author=author).pk, reacted=True)
        post_reaction_toggle(user=UserFactory(), post_id=PostFactory(author=other).pk, reacted=True)
    return author, other


def test_the_users_admin_page_links_to_their_notifications(admin_client, liked):
    author, _ = liked
    page = admin_client.get(f"/admin/accounts/user/{author.pk}/change/")
    assert page.status_code == 200
    assert notifications_admin_url(author.pk).replace("&", "&amp;") in page.content.decode()

    listing = admin_client.get(notifications_admin_url(author.pk))
    assert listing.status_code == 200
    shown = list(listing.context["cl"].result_list)
    assert [group.recipient_id for group in shown] == [author.pk]


def test_groups_filter_by_type_search_by_recipient_and_are_read_only(admin_client, liked):
    author, _ = liked
    url = "/admin/notifications/notificationgroup/"
    assert [g.recipient_id for g in admin_client.get(url, {"q": "ana"}).context["cl"].result_list] == [author.pk]
    assert len(admin_client.get(url, {"type__exact": "reaction"}).context["cl"].result_list) == 2
    assert len(admin_client.get(url, {"type__exact": "follow"}).context["cl"].result_list) == 0
    group = NotificationGroup.objects.get(recipient=author)
    assert admin_client.get(f"{url}{group.pk}/change/").status_code == 200
    assert admin_client.post(f"{url}{group.pk}/delete/").status_code == 403
    acts = admin_client.get("/admin/notifications/notificationact/", {"q": "ana"})
    assert len(acts.context["cl"].result_list) == 1
