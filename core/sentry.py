"""Sentry set-up, called from settings only when SENTRY_DSN is set."""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

# Headers that identify a person or carry credentials are never sent.
_SENSITIVE = ["authorization", "cookie", "forwarded", "-ip", "remote-", "via", "-user", "token", "password"]


def init_sentry(*, dsn: str, environment: str, send_default_pii: bool, traces_sample_rate: float) -> None:
    """Errors (and optionally traces) to Sentry; personal data only when ``send_default_pii``.

    Without it: no user details, cookies, request bodies, SQL parameters or
    stack-frame local variables (which may hold passwords and tokens).
    """
    data_collection: dict[str, Any]
    if send_default_pii:
        data_collection = {"user_info": True, "stack_frame_variables": True}
    else:
        data_collection = {
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "denylist", "terms": _SENSITIVE}},
            "http_bodies": [],
            "url_query_params": {"mode": "denylist", "terms": ["token", "uid", "password", "email", "cursor"]},
            "database_query_data": False,
            "stack_frame_variables": False,
        }
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        data_collection=data_collection,  # type: ignore[arg-type]
        traces_sample_rate=traces_sample_rate,
    )
