from contextlib import ExitStack

import pytest
import time_machine
from rest_framework.test import APIRequestFactory

from core.errors import RateLimited
from core.ratelimit import failures_limited

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]


@pytest.fixture
def tight_limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/m", "anon_write": "2/m"}


def test_limited_answers_carry_rate_limit_headers(api_client, tight_limits):
    with time_machine.travel("2026-01-01 12:00:10Z", tick=False):
        response = api_client.get("/api/test/limited")
    assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == "2"
    assert response["X-RateLimit-Remaining"] == "1"
    # Fixed one-minute windows: this one ends at 12:01:00 UTC.
    assert response["X-RateLimit-Reset"] == "1767268860"


def test_over_the_limit_is_a_429_with_retry_after(api_client, tight_limits):
    with time_machine.travel("2026-01-01 12:00:10Z", tick=False):
        api_client.get("/api/test/limited")
        api_client.get("/api/test/limited")
        response = api_client.get("/api/test/limited")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Retry-After"] == "50"
    assert response.json()["retry_after"] == 50
    assert response["X-RateLimit-Remaining"] == "0"
    assert response.json()["code"] == "throttled"


def test_a_new_window_lets_requests_through_again(api_client, tight_limits):
    with time_machine.travel("2026-01-01 12:00:10Z", tick=False):
        for _ in range(3):
            api_client.get("/api/test/limited")
    with time_machine.travel("2026-01-01 12:01:01Z", tick=False):
        assert api_client.get("/api/test/limited").status_code == 200


def test_clients_are_counted_apart_by_ip(api_client, tight_limits):
    for _ in range(3):
        api_client.get("/api/test/limited", REMOTE_ADDR="10.0.0.1")
    assert api_client.get("/api/test/limited", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_forwarded_for_cannot_dodge_the_limit_without_a_trusted_proxy(api_client, tight_limits):
    statuses = [
        api_client.get("/api/test/limited", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_switched_off_by_setting(api_client, tight_limits, settings):
    settings.RATE_LIMITS_ENABLED = False
    responses = [api_client.get("/api/test/limited") for _ in range(5)]
    assert {response.status_code for response in responses} == {200}
    assert "X-RateLimit-Limit" not in responses[0]


def test_anonymous_writes_share_one_budget(api_client, tight_limits):
    statuses = [api_client.post("/api/test/write", {}, format="json").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    # Reads are not writes.
    assert api_client.get("/api/test/write").status_code == 200


def test_signed_in_writes_are_not_anonymous_writes(auth_client, tight_limits):
    statuses = [auth_client.post("/api/test/write", {}, format="json").status_code for _ in range(3)]
    assert statuses == [201, 201, 201]


# failures_limited: failed attempts per key (the endpoints are tested in accounts/tests/test_auth_limits.py).


class WrongGuessError(Exception):
    pass


def _attempt(scope_key="trader@example.com"):
    request = APIRequestFactory().post("/api/v1/auth/login")
    return failures_limited(request, "login_failures", scope_key, counts=lambda exc: isinstance(exc, WrongGuessError))


def test_attempts_in_flight_hold_their_place_so_a_parallel_burst_cannot_exceed_the_limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_failures": "3/h"}

    with ExitStack() as in_flight:
        for _ in range(3):
            in_flight.enter_context(_attempt())
        # A fourth attempt while three are still running is refused before it runs.
        with pytest.raises(RateLimited):
            in_flight.enter_context(_attempt())

    # None of the three failed, so they gave their places back.
    with _attempt():
        pass


def test_only_counted_failures_stay_counted(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_failures": "2/h"}

    for error in (ValueError, ValueError, ValueError, WrongGuessError, WrongGuessError):
        with pytest.raises(error), _attempt():
            raise error()

    with pytest.raises(RateLimited), _attempt():
        pass
    with _attempt("someone-else@example.com"):
        pass
