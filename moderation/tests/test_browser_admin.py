"""A moderator's afternoon, in a real browser: Debian's Chromium driven by Playwright against the live server.

Logs in through the admin login form, opens the report queue, hides a
reported post (the API then answers 404 for it), suspends its author (their
bearer token then gets 401), and opens the metrics dashboard, whose charts
must be drawn.

Skipped only when /usr/bin/chromium or the playwright package is missing;
with ``PAGESHARE_REQUIRE_BROWSER=1`` (set by .ci/run) that is a failure instead.
Playwright never downloads a browser here: it drives the system's Chromium.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.urls import reverse

from accounts.services.auth import token_pair_issue
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from content.services.posts import post_create
from core import testing
from core.testing import chromium_page, require_browser, snap
from moderation.models import ModerationAction, Reason, Report, ReportStatus
from moderation.tests.factories import report_on


def api_status(method: str, url: str, *, token: str | None = None, **kwargs: Any) -> int:
    """The status of one API call. ``Connection: close``, so the live server's thread (and its
    database connection) ends with the answer rather than idling on a kept-alive socket."""
    headers = {"Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with requests.request(method, url, headers=headers, timeout=10, **kwargs) as response:
        return response.status_code


def test_without_chromium_the_test_skips_unless_ci_requires_the_browser(monkeypatch):
    monkeypatch.setattr(testing, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("PAGESHARE_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="/nonexistent/chromium is missing"):
        require_browser()

    monkeypatch.setenv("PAGESHARE_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="must run here"):
        require_browser()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_moderator_hides_a_post_suspends_its_author_and_sees_the_dashboard(
    live_server, moderator, http_settings, tmp_path
):
    require_browser()
    base = live_server.url
    author = UserFactory(username="pump_pete")
    post = post_create(author=author, content="Guaranteed 10x on $PUMP <b>tonight</b>, DM me")
    report_on(post, reason=Reason.SPAM)
    report_on(post, reason=Reason.SPAM)
    report_on(post, reason=Reason.MISINFORMATION)
    tokens = token_pair_issue(user=author)
    # Before: the post is public and the author's token works.
    assert api_status("GET", f"{base}/api/v1/posts/{post.pk}") == 200
    assert api_status("GET", f"{base}/api/v1/users/me", token=tokens["access"]) == 200

    with chromium_page(tmp_path) as page:
        # Sign in through the admin login form, on the way to the queue.
        page.goto(f"{base}/admin/login/?next=/admin/moderation/reportqueue/")
        page.fill("#id_username", moderator.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/admin/moderation/reportqueue/")
        snap(page, "1-queue")

        # The queue shows the reported post once, with its reasons, escaped.
        row = page.locator(f'tr[data-target="post-{post.pk}"]')
        assert row.count() == 1
        assert "Guaranteed 10x on $PUMP <b>tonight</b>" in row.inner_text()
        assert "Spam \u00d72, Misinformation \u00d71" in row.inner_text()  # \u00d7: the multiplication sign
        assert "3 by 3 reporters" in row.inner_text()
        assert row.locator("a.author").inner_text() == "@pump_pete"

        # Hide it, with a reason.
        row.locator("th a").click()
        page.wait_for_selector("#moderation-form")
        snap(page, "2-target")
        page.check('input[name="action"][value="hide"]')
        page.fill('textarea[name="reason"]', "Pump and dump.")
        page.click('#moderation-form input[type="submit"]')
        page.wait_for_url(f"{base}/admin/moderation/reportqueue/?**")
        assert "Done: hide" in page.inner_text(".messagelist .success")
        assert page.locator(f'tr[data-target="post-{post.pk}"]').count() == 0  # no open report left on it
        assert api_status("GET", f"{base}/api/v1/posts/{post.pk}") == 404

        # Suspend its author, from the post's page among the resolved reports.
        page.click('#changelist-filter a:text("Resolved (action taken)")')
        page.locator(f'tr[data-target="post-{post.pk}"] th a').click()
        page.check('input[name="action"][value="suspend"]')
        page.fill('textarea[name="reason"]', "Runs a pump-and-dump ring.")
        page.click('#moderation-form input[type="submit"]')
        page.wait_for_url(f"{base}/admin/moderation/reportqueue/?**")
        assert "Done: suspend author" in page.inner_text(".messagelist .success")
        snap(page, "3-after-suspend")
        assert api_status("GET", f"{base}/api/v1/users/me", token=tokens["access"]) == 401
        assert api_status("POST", f"{base}/api/v1/auth/refresh", json={"refresh": tokens["refresh"]}) == 401

        # The metrics dashboard draws its charts.
        page.goto(f"{base}{reverse('admin:metrics_dashboard')}")
        drawn = page.locator("svg.chart").filter(has=page.locator("path, polyline, rect"))
        drawn.first.wait_for()
        snap(page, "4-dashboard")
        assert drawn.count() >= 1

    # After the browser: the audit log holds both actions, and no report on the post is open.
    assert list(ModerationAction.objects.order_by("created_at").values_list("action", "moderator", "reason")) == [
        ("hide", moderator.pk, "Pump and dump."),
        ("suspend", moderator.pk, "Runs a pump-and-dump ring."),
    ]
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.RESOLVED}
