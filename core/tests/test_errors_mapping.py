"""Domain errors raised by services become problem details in one place."""

from __future__ import annotations

import pytest
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core import errors


def _answer(exc: Exception):
    class Raising(APIView):
        authentication_classes: list = []
        permission_classes: list = []

        def get(self, request):
            raise exc

    request = APIRequestFactory().get("/api/v1/anything")
    return Raising.as_view()(request)


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (errors.NotFound("No such post."), 404, "not_found"),
        (errors.Forbidden("Not yours."), 403, "permission_denied"),
        (errors.NotAuthenticated("Token expired.", code="token_not_valid"), 401, "token_not_valid"),
        (errors.Conflict("Already following.", code="already_following"), 409, "already_following"),
        (errors.RateLimited("Slow down.", wait=12.2), 429, "throttled"),
    ],
)
def test_each_domain_error_has_its_status_code_and_detail(exc, status, code):
    response = _answer(exc)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert response.data["status"] == status
    assert response.data["detail"].startswith(exc.detail)
    assert response.data["code"] == code


def test_rate_limited_says_when_to_retry():
    response = _answer(errors.RateLimited("Slow down.", wait=12.2))
    assert response["Retry-After"] == "13"
    assert response.data["retry_after"] == 13


def test_invalid_names_each_field_at_fault():
    response = _answer(errors.Invalid({"body": "Too long.", "poll": ["Two options at least."]}))
    assert response.status_code == 400
    assert response.data["errors"] == {"body": ["Too long."], "poll": ["Two options at least."]}
    assert response.data["detail"].startswith("Invalid input: body, poll.")


def test_invalid_without_a_field_is_a_non_field_error():
    exc = errors.Invalid("The poll has ended.", code="poll_closed")
    assert str(exc) == "The poll has ended."
    response = _answer(exc)
    assert response.data["errors"] == {"non_field_errors": ["The poll has ended."]}
