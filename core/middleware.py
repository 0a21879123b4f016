"""Request ids, problem details outside DRF and rate-limit headers."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.log import log_response

from core.exceptions import PROBLEM_CONTENT_TYPE, problem, problem_response, request_limit_exceeded
from core.logging import forget_request_id, request_id_var

logger = logging.getLogger("pageshare.request")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
SLOW_REQUEST_MS = 500


def _without_trailing_slash(request: HttpRequest) -> str | None:
    """The URL a 404 with a trailing slash meant, when it exists without it (``/api/v1/posts/``)."""
    if not request.path_info.endswith("/"):
        return None
    try:
        resolve(request.path_info.rstrip("/"), getattr(request, "urlconf", None))
    except Resolver404:
        return None
    meant = request.path.rstrip("/")
    query = request.META.get("QUERY_STRING", "")
    return f"{meant}?{query}" if query else meant


def _not_found(request: HttpRequest) -> HttpResponse:
    meant = _without_trailing_slash(request)
    if meant is None:
        return problem_response(request, 404, "No such resource.", code="not_found")
    extra = {"did_you_mean": meant}
    if getattr(request, "request_id", None):
        extra["request_id"] = request.request_id  # type: ignore[attr-defined]
    body = problem(404, f"No such resource. Paths have no trailing slash: {meant}", code="not_found", **extra)
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)


class RequestIDMiddleware:
    """Gives every request an id (the caller's ``X-Request-ID`` when sane) and echoes it.

    Also logs requests slower than ``SLOW_REQUEST_MS`` and adds the rate-limit
    headers a throttle left on the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset when this returns: Django logs 4xx/5xx answers (django.request) and runserver its
        # access line after the middleware chain, so the id stays until the response is closed
        # (core.logging.forget_request_id, on request_finished).
        request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except BaseException:
            forget_request_id()
            raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["X-Request-ID"] = request_id
        for header, value in getattr(request, "ratelimit_headers", {}).items():
            response[header] = value
        if elapsed_ms > SLOW_REQUEST_MS:
            logger.warning(
                "slow request %s %s took %.0f ms",
                request.method,
                request.path,
                elapsed_ms,
                extra={"duration_ms": round(elapsed_ms), "path": request.path, "status": response.status_code},
            )
        return response


class ProblemDetailsMiddleware:
    """Problem details for /api/ answers that DRF did not produce: unknown routes and crashes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code == 404
            and response.get("Content-Type", "").split(";")[0] != PROBLEM_CONTENT_TYPE
        ):
            replacement = _not_found(request)
            # Django logged the 404 it answered (django.request); the replacement is the same answer.
            replacement._has_been_logged = getattr(response, "_has_been_logged", False)  # type: ignore[attr-defined]
            return replacement
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith("/api/"):
            return None
        too_large = request_limit_exceeded(exception)
        if too_large is not None:
            # The client's doing, not a crash: no error log row, no Sentry event.
            return problem_response(
                request, too_large.status_code, str(too_large.detail), code=str(too_large.get_codes())
            )
        # Sentry and the error log listen to this signal; Django would send it
        # itself had we let the exception through.
        got_request_exception.send(sender=type(self), request=request)
        response = problem_response(request, 500, "An unexpected error occurred.", code="server_error")
        # One line with the traceback; marking the response logged keeps Django's handler from adding
        # a second "Internal Server Error" line (django.request) without it.
        log_response(
            "unhandled exception on %s %s",
            request.method,
            request.path,
            response=response,
            request=request,
            logger=logger,
            exception=exception,
        )
        return response
