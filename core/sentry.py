"""Sentry set-up, called from settings only when SENTRY_DSN is set."""

from __future__ import annotations

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration


def init_sentry(*, dsn: str, environment: str, send_default_pii: bool, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        # No user emails, IPs, cookies or request bodies unless SENTRY_SEND_PII=true.
        send_default_pii=send_default_pii,
        traces_sample_rate=traces_sample_rate,
    )
