"""The Content-Security-Policy in a real browser: the pages it guards still work, and nothing is blocked.

Chromium (driven as in moderation/tests/test_browser_admin.py) records every
``securitypolicyviolation`` event and every console error while a staff member
signs in, opens the metrics dashboard, the moderation pages, a change form
and the Swagger UI at ``api/docs``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from content.services.posts import post_create
from core.testing import chromium_page, require_browser, snap
from moderation.models import Reason
from moderation.tests.factories import report_on

# Runs before any script of each page: CSP cannot block it.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_and_the_api_docs_work_under_the_policy_without_a_violation(live_server, http_settings, tmp_path):
    require_browser()
    base = live_server.url
    staff = UserFactory(is_staff=True, is_superuser=True, username="staff_sam")
    post = post_create(author=staff, content="Watching $ACME today")
    report_on(post, reason=Reason.SPAM)
    # Besides the dashboard and the docs: our moderation pages, and a stock change form with its scripts.
    pages = [
        reverse("admin:moderation_reportqueue_changelist"),
        reverse("admin:moderation_reportqueue_target", args=["post", post.pk]),
        reverse("admin:content_post_change", args=[post.pk]),
    ]
    violations: dict[str, list[str]] = {}

    with chromium_page(tmp_path) as page:
        errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and errors.append(_where(message)))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(RECORD_VIOLATIONS)

        page.goto(f"{base}/admin/login/?next={reverse('admin:metrics_dashboard')}")
        page.fill("#id_username", staff.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}{reverse('admin:metrics_dashboard')}")
        drawn = page.locator("svg.chart").filter(has=page.locator("path, polyline, rect"))
        drawn.first.wait_for()
        snap(page, "1-dashboard")
        assert drawn.count() >= 1
        # The nonce-carrying <style> applied: the tiles are laid out as flex boxes.
        assert page.eval_on_selector("#metrics-dashboard .tiles", "el => getComputedStyle(el).display") == "flex"
        violations["dashboard"] = page.evaluate("window.cspViolations")

        for path in pages:
            page.goto(f"{base}{path}")
            page.wait_for_selector("#content")
            violations[path] = page.evaluate("window.cspViolations")

        page.goto(f"{base}/api/docs")
        page.locator(".swagger-ui .info .title").filter(has_text="PageShare API").wait_for()
        page.locator(".swagger-ui .opblock").first.wait_for()
        snap(page, "2-api-docs")
        assert page.locator(".swagger-ui .opblock").count() > 10
        assert page.eval_on_selector("body", "el => getComputedStyle(el).margin") == "0px"  # the nonced style
        violations["docs"] = page.evaluate("window.cspViolations")

    assert violations == {key: [] for key in ["dashboard", *pages, "docs"]}
    assert [error for error in errors if "Content Security Policy" in error] == []
    assert [error for error in errors if not error.endswith("/favicon.ico")] == []  # the admin has none


def _where(message: Any) -> str:
    return f"{message.text} {message.location.get('url', '')}"
