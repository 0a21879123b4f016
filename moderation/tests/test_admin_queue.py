"""The report queue in the admin and a reported target's page: who may see them, what they show, acting from them."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import Post
from content.services.posts import post_create
from content.tests.factories import PostFactory
from moderation.models import ModerationAction, Reason, Report, ReportStatus
from moderation.services import content_hide
from moderation.tests.factories import CommentFactory, report_on

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/reportqueue/"


def target_page(kind: str, pk: object) -> str:
    return f"{QUEUE}{kind}/{pk}/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def rows(response) -> list[tuple[str, int]]:
    """(target type, id) of each queue row, in order."""
    return [(row.target_type, row.target_id) for row in response.context["rows"]]


def aged(report: Report, minutes: int) -> Report:
    """Backdates a report, so the queue's order is decided by the test."""
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    return report


# Who may see and use the pages


def test_urls_are_the_ones_documented():
    assert reverse("admin:moderation_reportqueue_changelist") == QUEUE
    assert reverse("admin:moderation_reportqueue_target", args=["post", 7]) == target_page("post", 7)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_anonymous_and_non_staff_are_sent_to_the_admin_login_on_every_page(client, admin_client_for, method, who):
    post = PostFactory()
    report_on(post)
    browser = client if who == "anonymous" else admin_client_for(UserFactory())

    for url in (QUEUE, target_page("post", post.pk), f"{QUEUE}?status=resolved"):
        response = getattr(browser, method)(url, {"action": "hide", "reason": "x"} if method == "post" else None)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/?next=")
    assert not Post.objects.get(pk=post.pk).is_hidden
    assert not ModerationAction.objects.exists()


def test_staff_without_the_moderators_group_get_403_and_cannot_act(staff_outsider, admin_client_for):
    post = PostFactory()
    report_on(post)
    browser = admin_client_for(staff_outsider)

    assert browser.get(QUEUE).status_code == 403
    assert browser.get(target_page("post", post.pk)).status_code == 403
    assert browser.post(target_page("post", post.pk), {"action": "hide", "reason": "Spam."}).status_code == 403
    assert not Post.objects.get(pk=post.pk).is_hidden
    assert not ModerationAction.objects.exists()


def test_staff_who_may_view_reports_but_not_moderate_see_the_queue_and_get_403_when_acting(
    staff_outsider, admin_client_for
):
    from django.contrib.auth.models import Permission

    staff_outsider.user_permissions.add(Permission.objects.get(codename="view_report"))
    post = PostFactory()
    report_on(post)
    browser = admin_client_for(staff_outsider)

    assert rows(browser.get(QUEUE)) == [("post", post.pk)]
    page = browser.get(target_page("post", post.pk))
    assert page.status_code == 200
    assert b'id="moderation-form"' not in page.content
    assert browser.post(target_page("post", post.pk), {"action": "hide", "reason": "Spam."}).status_code == 403
    assert not Post.objects.get(pk=post.pk).is_hidden


def test_the_admin_index_links_moderators_to_the_queue(moderator, admin_client_for):
    response = admin_client_for(moderator).get("/admin/")

    assert response.status_code == 200
    assert f'href="{QUEUE}"'.encode() in response.content


def test_posting_without_the_csrf_token_is_refused(moderator, admin_client_for):
    post = PostFactory()
    report_on(post)
    browser = admin_client_for(moderator, enforce_csrf_checks=True)

    response = browser.post(target_page("post", post.pk), {"action": "hide", "reason": "Spam."})

    assert response.status_code == 403
    assert not Post.objects.get(pk=post.pk).is_hidden


# What the queue shows


def test_open_reports_are_grouped_by_target_newest_report_first(moderator, admin_client_for):
    post, comment, user = PostFactory(), CommentFactory(), UserFactory()
    aged(report_on(post, reason=Reason.SPAM), 50)
    aged(report_on(post, reason=Reason.SPAM), 40)
    aged(report_on(post, reason=Reason.MISINFORMATION), 30)
    aged(report_on(user, reason=Reason.HARASSMENT), 20)
    aged(report_on(comment), 10)
    aged(report_on(PostFactory(), status=ReportStatus.RESOLVED), 5)  # closed: not in the open queue

    response = admin_client_for(moderator).get(QUEUE)

    assert response.status_code == 200
    assert rows(response) == [("comment", comment.pk), ("user", user.pk), ("post", post.pk)]
    row = response.context["rows"][2]
    assert (row.reports, row.reporters) == (3, 3)
    assert row.reasons == [("Spam", 2), ("Misinformation", 1)]
    assert row.newest == Report.objects.filter(post=post).latest("created_at").created_at
    assert row.author == post.author
    assert b"Spam &times;2, Misinformation &times;1" in response.content


def test_the_same_reporter_twice_counts_as_one_reporter(moderator, admin_client_for):
    post = PostFactory()
    first = report_on(post, status=ReportStatus.DISMISSED)
    report_on(post, reporter=first.reporter, status=ReportStatus.DISMISSED)

    row = admin_client_for(moderator).get(f"{QUEUE}?status=dismissed").context["rows"][0]

    assert (row.reports, row.reporters) == (2, 1)


def test_the_preview_is_escaped_and_cut_and_links_to_the_author(moderator, admin_client_for):
    author = UserFactory(username="shady_sue")
    post = PostFactory(author=author, content="<script>alert('x')</script> " + "buy now " * 40)
    report_on(post)

    response = admin_client_for(moderator).get(QUEUE)

    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert response.context["rows"][0].preview.endswith("…")
    assert len(response.context["rows"][0].preview) == 140
    assert f'href="/admin/accounts/user/{author.pk}/change/">@shady_sue</a>' in html
    assert f'href="{target_page("post", post.pk)}?back=' in html


def test_what_became_of_a_target_is_shown(moderator, admin_client_for):
    hidden = PostFactory(is_hidden=True)
    report_on(hidden)
    suspended = UserFactory(suspended_at=timezone.now(), is_active=False)
    report_on(suspended)

    response = admin_client_for(moderator).get(QUEUE)

    states = {(row.target_type, row.target_id): row.states for row in response.context["rows"]}
    assert states == {("post", hidden.pk): ["hidden"], ("user", suspended.pk): ["suspended"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["post", "comment", "user"]),
        ("?target_type=comment", ["comment"]),
        ("?reason=harassment", ["post", "user"]),
        ("?reason=harassment&target_type=user", ["user"]),
        ("?status=resolved", ["resolved-post"]),
        ("?status=dismissed&reason=spam", []),
        ("?status=bogus&target_type=video&reason=&page=abc", ["post", "comment", "user"]),
    ],
    ids=["open", "type", "reason", "reason-and-type", "resolved", "nothing", "bad-values-ignored"],
)
def test_the_queue_filters_by_status_target_type_and_reason(moderator, admin_client_for, query, expected):
    targets = {
        "post": PostFactory(),
        "comment": CommentFactory(),
        "user": UserFactory(),
        "resolved-post": PostFactory(),
    }
    aged(report_on(targets["user"], reason=Reason.HARASSMENT), 30)
    aged(report_on(targets["comment"], reason=Reason.SPAM), 20)
    aged(report_on(targets["post"], reason=Reason.SPAM), 10)
    aged(report_on(targets["post"], reason=Reason.HARASSMENT), 15)
    report_on(targets["resolved-post"], status=ReportStatus.RESOLVED)

    response = admin_client_for(moderator).get(f"{QUEUE}{query}")

    assert response.status_code == 200
    names = {(("post" if name.endswith("post") else name), target.pk): name for name, target in targets.items()}
    assert [names[row] for row in rows(response)] == expected


def test_the_queue_is_paginated(moderator, admin_client_for):
    for minutes in range(51):
        aged(report_on(PostFactory()), minutes)
    browser = admin_client_for(moderator)

    first, second = browser.get(QUEUE), browser.get(f"{QUEUE}?page=2")

    assert len(rows(first)) == 50
    assert len(rows(second)) == 1
    assert not set(rows(first)) & set(rows(second))
    assert b"51 reported targets" in first.content
    assert b'href="?status=open&amp;page=2"' in first.content


@pytest.mark.parametrize("targets", [1, 50])
def test_the_queue_costs_the_same_queries_for_1_and_50_targets(
    moderator, admin_client_for, django_assert_max_num_queries, targets
):
    kinds = [PostFactory, CommentFactory, UserFactory]
    for index in range(targets):
        target = kinds[index % 3]()
        report_on(target)
        report_on(target, reason=Reason.OTHER)
    browser = admin_client_for(moderator)

    # session, user, the user's and group's permissions, count, page, one per target type
    with django_assert_max_num_queries(9):
        response = browser.get(QUEUE)

    assert len(rows(response)) == targets


# A target's page and acting from it


def test_the_target_page_shows_the_content_its_reports_and_the_actions_that_apply(moderator, admin_client_for):
    post = PostFactory(content="<b>Guaranteed</b> returns")
    report_on(post, details="Obvious scam <i>link</i>")
    report_on(post, status=ReportStatus.DISMISSED)

    response = admin_client_for(moderator).get(target_page("post", post.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;b&gt;Guaranteed&lt;/b&gt; returns" in html
    assert "Obvious scam &lt;i&gt;link&lt;/i&gt;" in html
    assert response.context["open_reports"] == 1
    choices = [value for value, _ in response.context["form"].fields["action"].choices]
    assert choices == ["hide", "delete", "suspend", "dismiss"]


def test_a_hidden_post_offers_unhide_and_a_suspended_user_offers_lifting(moderator, admin_client_for):
    post = PostFactory(is_hidden=True, author=UserFactory(suspended_at=timezone.now(), is_active=False))
    browser = admin_client_for(moderator)

    post_choices = browser.get(target_page("post", post.pk)).context["form"].fields["action"].choices
    user_choices = browser.get(target_page("user", post.author_id)).context["form"].fields["action"].choices

    assert [value for value, _ in post_choices] == ["unhide", "delete", "unsuspend"]
    assert [value for value, _ in user_choices] == ["unsuspend"]


@pytest.mark.parametrize(
    "path",
    ["post/999999/", "video/1/", "post/abc/", "post/0/", f"post/{2**63}/", "comment/-1/", "user/99999999999999999999/"],
)
def test_an_unknown_target_is_a_404(moderator, admin_client_for, path):
    assert admin_client_for(moderator).get(f"{QUEUE}{path}").status_code == 404


def test_hiding_from_the_target_page_redirects_to_the_same_queue_page_with_a_message(moderator, admin_client_for):
    post = PostFactory()
    report_on(post, reason=Reason.SPAM)
    report_on(post, reason=Reason.SPAM)
    back = urlencode({"status": "open", "reason": "spam", "page": "1"})
    url = f"{target_page('post', post.pk)}?{urlencode({'back': back})}"

    response = admin_client_for(moderator).post(url, {"action": "hide", "reason": "Spam wave."})

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?{back}"
    assert messages_of(response) == [f"Done: hide (post {post.pk}). 2 reports resolved."]
    assert Post.objects.get(pk=post.pk).is_hidden
    action = ModerationAction.objects.get()
    assert (action.moderator, action.action, action.reason, action.reports_resolved) == (
        moderator,
        "hide",
        "Spam wave.",
        2,
    )
    assert not Report.objects.filter(status=ReportStatus.OPEN).exists()


def test_the_back_link_only_ever_leads_to_the_queue(moderator, admin_client_for):
    post = PostFactory()
    report_on(post)
    url = f"{target_page('post', post.pk)}?back=https://evil.example/&next=//evil.example"

    response = admin_client_for(moderator).post(url, {"action": "dismiss", "reason": "Fine."})

    assert response["Location"] == QUEUE


def test_suspending_the_author_from_a_post_page_resolves_the_reports_on_them(moderator, admin_client_for):
    post = PostFactory()
    on_post, on_author = report_on(post), report_on(post.author)

    response = admin_client_for(moderator).post(
        target_page("post", post.pk), {"action": "suspend", "reason": "Scam account."}
    )

    assert response.status_code == 302
    assert messages_of(response) == [f"Done: suspend author (user {post.author_id}). 2 reports resolved."]
    post.author.refresh_from_db()
    assert post.author.is_suspended
    assert post.author.suspension_reason == "Scam account."
    assert {Report.objects.get(pk=r.pk).status for r in (on_post, on_author)} == {ReportStatus.RESOLVED}


def test_dismissing_from_a_user_page(moderator, admin_client_for):
    user = UserFactory()
    report = report_on(user)

    response = admin_client_for(moderator).post(target_page("user", user.pk), {"action": "dismiss", "reason": "Ok."})

    assert response.status_code == 302
    assert messages_of(response) == [f"Done: dismiss reports (user {user.pk}). 1 report dismissed."]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DISMISSED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"action": "hide", "reason": ""}, "reason"),
        ({"action": "hide", "reason": "x" * 501}, "reason"),
        ({"action": "unhide", "reason": "Not hidden."}, "action"),
        ({"action": "explode", "reason": "Why not."}, "action"),
        ({"reason": "No action."}, "action"),
    ],
    ids=["no-reason", "long-reason", "unavailable-action", "unknown-action", "missing-action"],
)
def test_bad_input_re_renders_the_form_naming_the_field_and_changes_nothing(moderator, admin_client_for, data, field):
    post = PostFactory()
    report_on(post)

    response = admin_client_for(moderator).post(target_page("post", post.pk), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Post.objects.get(pk=post.pk).is_hidden
    assert not ModerationAction.objects.exists()


def test_a_refusal_by_the_service_is_shown_on_the_form(moderators_group, admin_client_for):
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(moderators_group)
    post = PostFactory(author=UserFactory(is_staff=True))  # a staff author: only a superuser may suspend

    response = admin_client_for(moderator).post(
        target_page("post", post.pk), {"action": "suspend", "reason": "Bad post."}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Only a superuser can suspend staff."]
    post.author.refresh_from_db()
    assert not post.author.is_suspended


def test_acting_just_after_another_moderator_says_there_was_nothing_to_do(
    moderator, moderators_group, admin_client_for, monkeypatch
):
    post = PostFactory()
    report_on(post)
    colleague = UserFactory(is_staff=True)
    colleague.groups.add(moderators_group)

    def colleague_first(**kwargs):
        # The colleague's hide lands between our form check and our own hide.
        content_hide(moderator=colleague, target=Post.objects.get(pk=post.pk), reason="Spam.")
        return content_hide(**kwargs)

    monkeypatch.setattr("moderation.admin_views.content_hide", colleague_first)

    response = admin_client_for(moderator).post(target_page("post", post.pk), {"action": "hide", "reason": "Spam!"})

    assert response.status_code == 302
    assert messages_of(response) == ["Nothing to do: another moderator may have acted first."]
    assert list(ModerationAction.objects.values_list("moderator", flat=True)) == [colleague.pk]


def test_a_form_made_stale_by_another_moderator_asks_again(moderator, admin_client_for):
    post = PostFactory()
    browser = admin_client_for(moderator)
    assert "hide" in dict(browser.get(target_page("post", post.pk)).context["form"].fields["action"].choices)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)  # meanwhile, someone else hid it

    response = browser.post(target_page("post", post.pk), {"action": "hide", "reason": "Spam."})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["action"]
    assert not ModerationAction.objects.exists()


def test_a_superuser_may_use_the_queue_and_act(admin_client_for):
    boss = UserFactory(is_staff=True, is_superuser=True)
    post = post_create(author=UserFactory(), content="Delete me")
    report_on(post)
    browser = admin_client_for(boss)

    assert rows(browser.get(QUEUE)) == [("post", post.pk)]
    assert browser.post(target_page("post", post.pk), {"action": "delete", "reason": "Gone."}).status_code == 302
    assert Post.objects.get(pk=post.pk).deleted_at is not None


@pytest.mark.parametrize("reports", [1, 50])
def test_the_target_page_costs_the_same_queries_for_1_and_50_reports(
    moderator, admin_client_for, django_assert_max_num_queries, reports
):
    post = PostFactory()
    for _ in range(reports):
        report_on(post)
    browser = admin_client_for(moderator)

    # session, user, permissions (2), target, open count, reports, history
    with django_assert_max_num_queries(8):
        response = browser.get(target_page("post", post.pk))

    assert len(response.context["reports"]) == reports


def test_the_audit_log_is_read_only_for_moderators(moderator, admin_client_for):
    post = PostFactory()
    report_on(post)
    browser = admin_client_for(moderator)
    browser.post(target_page("post", post.pk), {"action": "hide", "reason": "Spam."})
    action = ModerationAction.objects.get()

    listing = browser.get("/admin/moderation/moderationaction/?action=hide&q=Spam")
    change = browser.get(f"/admin/moderation/moderationaction/{action.pk}/change/")
    delete = browser.post(f"/admin/moderation/moderationaction/{action.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [action]
    assert change.status_code == 200
    assert b'name="reason"' not in change.content
    assert delete.status_code == 403
    assert ModerationAction.objects.filter(pk=action.pk).exists()
