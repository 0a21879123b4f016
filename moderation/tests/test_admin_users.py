"""The user admin for moderators: search, suspend and lift with a reason, and the moderation panel."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from content.tests.factories import PostFactory
from moderation.models import ModerationAction, ReportStatus
from moderation.tests.factories import CommentFactory, report_on

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"


def change_page(user: User) -> str:
    return f"{USERS}{user.pk}/change/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(response) -> list[User]:
    return list(response.context["cl"].result_list)


def act(browser, action: str, users: list[User], **extra):
    return browser.post(USERS, {"action": action, "_selected_action": [user.pk for user in users], **extra})


@pytest.mark.parametrize("query", ["trader_bob", "BOB@EXAMPLE", "bob@example.com"])
def test_moderators_find_users_by_username_or_email(moderator, admin_client_for, query):
    bob = UserFactory(username="trader_bob", email="bob@example.com")
    UserFactory(username="someone_else")

    response = admin_client_for(moderator).get(USERS, {"q": query})

    assert response.status_code == 200
    assert listed(response) == [bob]


def test_the_list_filters_suspended_users(moderator, admin_client_for):
    suspended = UserFactory(suspended_at=timezone.now(), is_active=False)
    browser = admin_client_for(moderator)

    assert listed(browser.get(USERS, {"suspended": "yes"})) == [suspended]
    assert suspended not in listed(browser.get(USERS, {"suspended": "no"}))


def test_suspending_asks_for_a_reason_first(moderator, admin_client_for):
    target = UserFactory()

    response = act(admin_client_for(moderator), "suspend_users", [target])

    assert response.status_code == 200
    assert response.templates[0].name == "admin/moderation/action_reason.html"
    assert f'name="_selected_action" value="{target.pk}"'.encode() in response.content
    target.refresh_from_db()
    assert not target.is_suspended


def test_suspending_with_a_reason_suspends_each_user_through_the_service(moderator, admin_client_for, client):
    targets = [UserFactory(), UserFactory()]
    report = report_on(targets[0])

    response = act(admin_client_for(moderator), "suspend_users", targets, apply="1", reason="Spam ring.")

    assert response.status_code == 302
    assert messages_of(response) == ["2 users suspended."]
    for target in targets:
        target.refresh_from_db()
        assert (target.is_active, target.is_suspended, target.suspension_reason) == (False, True, "Spam ring.")
    assert ModerationAction.objects.filter(action="suspend", moderator=moderator).count() == 2
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED
    # Suspended users cannot sign in to the admin either.
    assert not client.login(email=targets[0].email, password=DEFAULT_PASSWORD)


def test_suspending_without_a_reason_asks_again(moderator, admin_client_for):
    target = UserFactory()

    response = act(admin_client_for(moderator), "suspend_users", [target], apply="1", reason="  ")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    target.refresh_from_db()
    assert not target.is_suspended


def test_refusals_are_reported_per_user_and_the_rest_goes_ahead(moderator, admin_client_for):
    staff, member = UserFactory(is_staff=True, username="staff_x"), UserFactory()

    response = act(admin_client_for(moderator), "suspend_users", [staff, member, moderator], apply="1", reason="Bye.")

    assert messages_of(response) == [
        "@mod_mia: You cannot suspend yourself.",
        "@staff_x: Only a superuser can suspend staff.",
        "1 user suspended.",
    ]
    assert list(User.objects.filter(suspended_at__isnull=False)) == [member]


def test_lifting_suspensions_with_a_reason(moderator, admin_client_for):
    suspended = UserFactory(suspended_at=timezone.now(), is_active=False, suspension_reason="Spam.")
    never = UserFactory()

    response = act(admin_client_for(moderator), "unsuspend_users", [suspended, never], apply="1", reason="Appeal.")

    assert messages_of(response) == ["1 user reinstated."]
    suspended.refresh_from_db()
    assert (suspended.is_active, suspended.suspended_at, suspended.suspension_reason) == (True, None, "")
    assert ModerationAction.objects.get().action == "unsuspend"


def test_staff_without_the_group_have_no_user_admin_nor_its_actions(staff_outsider, admin_client_for):
    target = UserFactory()
    browser = admin_client_for(staff_outsider)

    assert browser.get(USERS).status_code == 403
    assert act(browser, "suspend_users", [target], apply="1", reason="x").status_code == 403
    target.refresh_from_db()
    assert not target.is_suspended


def test_staff_who_may_view_users_but_not_moderate_are_not_offered_the_actions(staff_outsider, admin_client_for):
    from django.contrib.auth.models import Permission

    staff_outsider.user_permissions.add(Permission.objects.get(codename="view_user"))
    target = UserFactory()
    browser = admin_client_for(staff_outsider)

    page = browser.get(USERS)
    response = act(browser, "suspend_users", [target], apply="1", reason="x")

    assert page.status_code == 200
    assert b"suspend_users" not in page.content
    assert response.status_code == 200  # the changelist again, with "no action selected"
    target.refresh_from_db()
    assert not target.is_suspended


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_anonymous_and_non_staff_are_sent_to_the_login_for_the_user_admin(client, admin_client_for, who):
    target = UserFactory()
    browser = client if who == "anonymous" else admin_client_for(UserFactory())

    for response in (
        browser.get(USERS),
        browser.get(change_page(target)),
        act(browser, "suspend_users", [target], apply="1", reason="x"),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
    target.refresh_from_db()
    assert not target.is_suspended


def test_the_change_page_shows_recent_posts_and_reports_about_the_user(moderator, admin_client_for):
    user = UserFactory()
    post = PostFactory(author=user, content="<em>Moon</em> soon")
    hidden = PostFactory(author=user, is_hidden=True)
    on_user = report_on(user, details="spam bot")
    on_comment = report_on(CommentFactory(author=user))
    elsewhere = report_on(PostFactory())

    response = admin_client_for(moderator).get(change_page(user))

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;em&gt;Moon&lt;/em&gt; soon" in html
    assert f'href="/admin/content/post/{post.pk}/change/"' in html
    assert f'href="/admin/content/post/{hidden.pk}/change/">{hidden.pk}</a>' in html
    assert f'href="/admin/moderation/reportqueue/user/{user.pk}/">user {user.pk}</a>' in html
    assert f'href="/admin/moderation/reportqueue/comment/{on_comment.comment_id}/">comment' in html
    assert f"@{on_user.reporter.username}" in html
    assert f"@{elsewhere.reporter.username}" not in html
    # Moderators only view users: no editable field, and suspension stays with the actions.
    assert b'name="suspension_reason"' not in response.content


@pytest.mark.parametrize("items", [1, 30])
def test_the_change_page_costs_the_same_queries_for_1_and_30_posts_and_reports(
    moderator, admin_client_for, django_assert_max_num_queries, items
):
    user = UserFactory()
    for _ in range(items):
        report_on(PostFactory(author=user))
    browser = admin_client_for(moderator)

    # session, user, the page's user, permissions (2), content types, groups, permissions, posts, reports
    with django_assert_max_num_queries(10):
        response = browser.get(change_page(user))

    assert response.status_code == 200
    assert len(re.findall(r'href="/admin/content/post/\d+/change/"', response.content.decode())) == min(items, 10)
