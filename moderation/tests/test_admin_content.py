"""The post and comment admins: hiding and deleting only through the moderation services, never behind their back.

The change forms show ``is_hidden`` and ``deleted_at`` read-only; the delete
view and "delete selected" (hard deletes that would skip the counters and the
audit log) are refused; the moderation actions ask for a reason and call the
services, as the report queue does.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from accounts.tests.factories import UserFactory
from content.models import Comment, Post
from content.services.posts import post_create
from moderation.models import ModerationAction, ReportStatus
from moderation.tests.factories import CommentFactory, report_on

pytestmark = pytest.mark.django_db

KINDS = ["post", "comment"]


def changelist(kind: str) -> str:
    return f"/admin/content/{kind}/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def make(kind: str) -> Any:
    """A live post (made by the service, so it is counted) or comment."""
    author: Any = UserFactory()
    post = post_create(author=author, content="Guaranteed 10x, DM me")
    return post if kind == "post" else CommentFactory(post=post)


def refreshed(target: Post | Comment) -> Post | Comment:
    return type(target).objects.get(pk=target.pk)


def act(browser, kind: str, action: str, targets: list, **extra):
    return browser.post(changelist(kind), {"action": action, "_selected_action": [t.pk for t in targets], **extra})


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True, username="root")


def change_form_data(response, target: Post | Comment) -> dict[str, object]:
    """What the change form would send back unchanged (the inlines empty), plus the read-only state flipped."""
    data: dict[str, object] = {
        "author": target.author_id,
        "content": "Edited by an admin.",
        "created_at_0": target.created_at.strftime("%Y-%m-%d"),
        "created_at_1": target.created_at.strftime("%H:%M:%S"),
        # Read-only: ignored if the form does not offer them.
        "is_hidden": "on",
        "deleted_at_0": "2025-01-01",
        "deleted_at_1": "12:00:00",
    }
    if isinstance(target, Comment):
        data["post"] = target.post_id
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


@pytest.mark.parametrize("kind", KINDS)
def test_the_change_form_cannot_hide_or_delete(superuser, admin_client_for, kind):
    target = make(kind)
    browser = admin_client_for(superuser)
    url = f"{changelist(kind)}{target.pk}/change/"
    page = browser.get(url)

    response = browser.post(url, change_form_data(page, target))

    assert response.status_code == 302, response.context["adminform"].form.errors
    after = refreshed(target)
    assert after.content == "Edited by an admin."  # the form was taken...
    assert (after.is_hidden, after.deleted_at) == (False, None)  # ...but not those two
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_the_delete_view_and_delete_selected_are_refused_even_to_a_superuser(superuser, admin_client_for, kind):
    target = make(kind)
    browser = admin_client_for(superuser)

    page = browser.get(changelist(kind))
    view = browser.post(f"{changelist(kind)}{target.pk}/delete/", {"post": "yes"})
    selected = act(browser, kind, "delete_selected", [target], post="yes")

    assert b"delete_selected" not in page.content
    assert view.status_code == 403
    assert (selected.status_code, messages_of(selected)) == (302, ["No action selected."])
    assert refreshed(target).deleted_at is None
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_deleting_asks_for_a_reason_first(moderator, admin_client_for, kind):
    target = make(kind)

    response = act(admin_client_for(moderator), kind, "delete_with_reason", [target])

    assert response.status_code == 200
    assert response.templates[0].name == "admin/moderation/action_reason.html"
    assert f'name="_selected_action" value="{target.pk}"'.encode() in response.content
    assert refreshed(target).deleted_at is None


@pytest.mark.parametrize("kind", KINDS)
def test_deleting_with_a_reason_goes_through_the_service(moderator, admin_client_for, kind):
    targets = [make(kind), make(kind)]
    report = report_on(targets[0])

    response = act(admin_client_for(moderator), kind, "delete_with_reason", targets, apply="1", reason="Scam.")

    assert response.status_code == 302
    assert messages_of(response) == [f"2 {kind}s deleted."]
    assert all(refreshed(target).deleted_at is not None for target in targets)
    logged = ModerationAction.objects.order_by("target_id")
    assert [(a.action, a.target_id, a.reason, a.moderator) for a in logged] == [
        ("delete", str(target.pk), "Scam.", moderator) for target in targets
    ]
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED
    if kind == "post":
        assert all(target.author.__class__.objects.get(pk=target.author_id).posts_count == 0 for target in targets)


@pytest.mark.parametrize("kind", KINDS)
def test_hiding_and_showing_again_with_a_reason(moderator, admin_client_for, kind):
    target = make(kind)

    hidden = act(admin_client_for(moderator), kind, "hide_selected", [target], apply="1", reason="Spam.")
    hidden_state = refreshed(target).is_hidden
    shown = act(admin_client_for(moderator), kind, "unhide_selected", [target], apply="1", reason="Appeal.")

    assert messages_of(hidden) == [f"1 {kind} hidden."]
    assert hidden_state
    assert messages_of(shown) == [f"1 {kind} shown again."]
    assert not refreshed(target).is_hidden
    assert list(ModerationAction.objects.order_by("pk").values_list("action", "reason")) == [
        ("hide", "Spam."),
        ("unhide", "Appeal."),
    ]


def test_without_a_reason_it_asks_again(moderator, admin_client_for):
    target = make("post")

    response = act(admin_client_for(moderator), "post", "delete_with_reason", [target], apply="1", reason="  ")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    assert refreshed(target).deleted_at is None


@pytest.mark.parametrize("kind", KINDS)
def test_staff_who_may_view_content_but_not_moderate_are_not_offered_the_actions(
    staff_outsider, admin_client_for, kind
):
    staff_outsider.user_permissions.add(Permission.objects.get(codename=f"view_{kind}"))
    target = make(kind)
    browser = admin_client_for(staff_outsider)

    page = browser.get(changelist(kind))
    response = act(browser, kind, "delete_with_reason", [target], apply="1", reason="x")

    assert page.status_code == 200
    assert b"delete_with_reason" not in page.content
    assert response.status_code == 200  # the change list again, with "no action selected"
    assert refreshed(target).deleted_at is None
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_staff_without_the_group_have_no_content_admin(staff_outsider, admin_client_for, kind):
    target = make(kind)
    browser = admin_client_for(staff_outsider)

    assert browser.get(changelist(kind)).status_code == 403
    assert act(browser, kind, "delete_with_reason", [target], apply="1", reason="x").status_code == 403
    assert refreshed(target).deleted_at is None


@pytest.mark.parametrize("kind", KINDS)
def test_the_change_page_links_to_the_moderation_page_and_shows_the_state_read_only(moderator, admin_client_for, kind):
    target = make(kind)

    response = admin_client_for(moderator).get(f"{changelist(kind)}{target.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/admin/moderation/reportqueue/{kind}/{target.pk}/"' in html
    assert 'name="is_hidden"' not in html
    assert 'name="deleted_at_0"' not in html
