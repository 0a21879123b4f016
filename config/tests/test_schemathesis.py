"""Schemathesis over every operation of the schema, in-process against the WSGI app.

Each operation gets a fixed number of generated requests (derandomized, so a
failure is reproducible) in three passes: valid requests naming real objects,
valid requests with generated values, and invalid ones. Every request is sent
with a signed-in staff member's token, so authed and staff operations answer
past their permission checks, and runs in a savepoint rolled back afterwards,
so each starts from the same seeded data. The checks: no 5xx, and every
response (status, content type, body) is one the schema documents.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tests.factories import UserFactory
from conftest import bearer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# (mode, examples, use the seeded objects in the path): about 20 requests an operation.
PASSES = [
    (GenerationMode.POSITIVE, 8, True),
    (GenerationMode.POSITIVE, 6, False),
    (GenerationMode.NEGATIVE, 6, True),
]


class InTestTransaction(WSGIHandler):
    """Django's WSGI handler, minus the closing of "old" connections around each request.

    Inside the test's transaction that would throw the connection away (PostgreSQL). Django's test
    client disconnects the same receivers, but only around its own requests, and connects them
    again afterwards: so this handler disconnects them again on every call.
    """

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return super().__call__(environ, start_response)


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    try:
        yield InTestTransaction()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def seed(staff: Any) -> dict[str, str]:
    """Objects for the path parameters, made through the API; keyed by the path segment naming them."""
    author: Any = UserFactory()
    as_author, as_staff = APIClient(), APIClient()
    as_author.credentials(HTTP_AUTHORIZATION=bearer(author))
    as_staff.credentials(HTTP_AUTHORIZATION=bearer(staff))
    post = as_author.post(
        "/api/v1/posts",
        {
            "content": "Long $AAPL into earnings",
            "sentiment": "bullish",
            "poll": {"options": ["Up", "Down"], "duration_hours": 24},
        },
        format="json",
    )
    assert post.status_code == 201, post.content
    comment = as_staff.post(f"/api/v1/posts/{post.json()['id']}/comments", {"content": "Why?"}, format="json")
    assert comment.status_code == 201, comment.content
    as_staff.post("/api/v1/users/me/watchlist", {"symbol": "AAPL"}, format="json")
    error = as_staff.post("/api/v1/errors/log", {"message": "TypeError: x is undefined"}, format="json")
    assert error.status_code == 201, error.content
    errors = as_staff.get("/api/v1/errors").json()["results"]
    return {
        "posts": post.json()["id"],
        "comments": comment.json()["id"],
        "polls": post.json()["poll"]["id"],
        "users": str(author.pk),
        "by-username": author.username,
        "tickers": "AAPL",
        "watchlist": "AAPL",
        "errors": errors[0]["id"],
    }


def seeded_path_parameters(path: str, objects: dict[str, str]) -> dict[str, str]:
    """``/posts/{post_id}/comments`` -> ``{"post_id": <the seeded post>}``: the segment before names the kind."""
    segments = path.strip("/").split("/")
    parameters = {}
    for before, segment in itertools.pairwise(segments):
        if segment.startswith("{") and before in objects:
            parameters[segment.strip("{}")] = objects[before]
    return parameters


@pytest.mark.django_db
def test_every_operation_answers_as_its_schema_says(wsgi_app, no_rate_limits):
    staff = UserFactory(is_staff=True)
    objects = seed(staff)
    headers = {"Authorization": bearer(staff)}
    schema = schemathesis.openapi.from_wsgi("/api/schema?format=json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    # The loaded profile (conftest.py; HYPOTHESIS_PROFILE=ci in CI), always derandomized here: a bounded,
    # reproducible run. No shrinking: each failure is reported as found, with its operation and check.
    base = hypothesis_settings(
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    failures: list[str] = []
    requests = 0
    for operation in operations:
        for mode, examples, use_seeded in PASSES:
            path_parameters = seeded_path_parameters(operation.path, objects) if use_seeded else {}
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)

            @hypothesis_settings(base, max_examples=examples)
            @given(case=strategy)
            def run(case: schemathesis.Case) -> None:
                nonlocal requests
                requests += 1
                with transaction.atomic():
                    response = case.call(headers=headers)
                    transaction.set_rollback(True)
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                run()
            except Unsatisfiable:
                # Nothing in this request can be made invalid (no body, no parameters left to generate).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as error:  # every operation is tried; all failures reported
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, f"{len(failures)} failing:\n\n" + "\n\n".join(failures)
    assert requests >= len(operations) * sum(examples for _, examples, _ in PASSES) // 2
