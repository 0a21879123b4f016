"""Unhandled request exceptions go to the error log (cross-cutting, so a signal: STYLE.md rule 8).

``got_request_exception`` is what Sentry's Django integration listens to as
well, so both see the same crashes: Django sends it for crashes outside the
API, ``core.middleware.ProblemDetailsMiddleware`` for those under /api/ (its
500 problem answer replaces Django's handling). DRF-handled errors (4xx
problems) never send it. The receiver takes every sender because the
senders differ: the WSGI/ASGI handler class, ``None`` (Django's
``response_for_exception``) and the middleware.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.http import HttpRequest

from metrics.errors import backend_error_record

logger = logging.getLogger(__name__)


def error_log_unhandled(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Stores the exception being handled; never raises (a broken database is logged, then ignored)."""
    exc = sys.exc_info()[1]
    if exc is None:
        return
    try:
        backend_error_record(exc=exc, request=request)
    except Exception:
        logger.exception("could not store an unhandled exception in the error log")
