"""RFC 9457 problem details for every error under /api/."""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core import errors as domain

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Conflict(exceptions.APIException):
    """409: the request clashes with the current state (duplicate, expired, taken)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class ContentTooLarge(exceptions.APIException):
    """413: the request is more than the server takes (Django's upload limits)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


def request_limit_exceeded(exc: BaseException) -> ContentTooLarge | None:
    """The 413 for a request over one of Django's limits on what it reads (``DATA_UPLOAD_MAX_*``), else None.

    Django raises these while reading the body, wherever that happens (DRF's
    ``request.data``, a form's ``request.POST``, a multipart upload): the DRF
    handler and ``ProblemDetailsMiddleware`` both ask here, so every endpoint
    answers them alike, never as a crash.
    """
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return ContentTooLarge(f"The request body is over {limit} bytes.", code="too_large")
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return ContentTooLarge(f"The request has more than {limit} fields.", code="too_many_fields")
    if isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return ContentTooLarge(f"The request has more than {limit} files.", code="too_many_files")
    return None


def api_exception(exc: domain.DomainError) -> exceptions.APIException:
    """The DRF exception that answers a domain error: the one mapping from the domain to HTTP."""
    if isinstance(exc, domain.Invalid):
        return exceptions.ValidationError(exc.errors, code=exc.code)
    if isinstance(exc, domain.RateLimited):
        return exceptions.Throttled(wait=exc.wait, detail=exc.detail, code=exc.code)
    kinds: list[tuple[type[domain.DomainError], type[exceptions.APIException]]] = [
        (domain.NotFound, exceptions.NotFound),
        (domain.Forbidden, exceptions.PermissionDenied),
        (domain.NotAuthenticated, exceptions.AuthenticationFailed),
        (domain.Conflict, Conflict),
    ]
    api_class = next((api for domain, api in kinds if isinstance(exc, domain)), exceptions.ValidationError)
    if api_class is exceptions.ValidationError:
        return exceptions.ValidationError({"non_field_errors": [exc.detail]}, code=exc.code)
    return api_class(exc.detail, code=exc.code)


def problem(status_code: int, detail: str, *, code: str | None = None, **extra: Any) -> dict[str, Any]:
    """The body of a problem details answer."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
    }
    if code:
        body["code"] = code
    body.update(extra)
    return body


def problem_response(request: HttpRequest, status_code: int, detail: str, *, code: str) -> JsonResponse:
    """A problem details answer outside DRF (unknown routes, unhandled errors)."""
    body = problem(status_code, detail, code=code)
    request_id = getattr(request, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def _flatten(detail: Any) -> Any:
    """DRF's ErrorDetail tree to plain strings, keeping the field structure."""
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _first_message(errors: Any) -> str | None:
    if isinstance(errors, dict):
        for value in errors.values():
            message = _first_message(value)
            if message:
                return message
    elif isinstance(errors, list):
        for value in errors:
            message = _first_message(value)
            if message:
                return message
    elif errors:
        return str(errors)
    return None


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler answering with problem details.

    Returns None for exceptions DRF does not know, so they reach
    ``core.middleware.ProblemDetailsMiddleware`` as a 500.
    """
    if isinstance(exc, domain.DomainError):
        exc = api_exception(exc)
        view, request = context.get("view"), context.get("request")
        if isinstance(exc, exceptions.AuthenticationFailed) and view is not None and request is not None:
            # What DRF does for its own 401s, which a service's error reaches too late for:
            # a 401 names the scheme to authenticate with (RFC 9110, WWW-Authenticate).
            exc.auth_header = view.get_authenticate_header(request)  # type: ignore[attr-defined]
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    else:
        exc = request_limit_exceeded(exc) or exc

    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    request = context.get("request")
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors if isinstance(errors, list) else [errors]}
        detail = _first_message(errors) or "Invalid input."
        fields = ", ".join(errors)
        body = problem(400, f"Invalid input: {fields}. {detail}", code="invalid", errors=errors)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body = problem(response.status_code, str(exc.detail), code=code)
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            retry_after = max(math.ceil(wait), 1)
            body["retry_after"] = retry_after
            response["Retry-After"] = str(retry_after)
    request_id = getattr(request, "request_id", None) if request is not None else None
    if request_id:
        body["request_id"] = request_id
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
