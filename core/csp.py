"""Content-Security-Policy: django-csp's middleware, with the strictest policy for anything not a page.

HTML pages (the admin, the Swagger UI at ``api/docs``) get ``settings.CONTENT_SECURITY_POLICY``:
scripts and styles from our own origin only, inline ``<style>`` blocks by nonce
(``{{ request.csp_nonce }}``). Every other answer (the API's JSON and problem
details, the schema, scripts) gets ``CONTENT_SECURITY_POLICY_NON_HTML``: it loads
nothing and may be framed by no one, so a response a browser is tricked into
rendering runs nothing. A view's own ``csp.decorators`` policy wins over both.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and not _is_html(response):
            parts.config = settings.CONTENT_SECURITY_POLICY_NON_HTML
        return parts


def _is_html(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").startswith("text/html")
