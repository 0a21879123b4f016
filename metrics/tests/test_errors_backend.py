"""Unhandled backend exceptions land in the error log, next to Sentry, without changing the 500 answer."""

import logging

import pytest
from django.db import DatabaseError
from django.http import Http404
from django.urls import include, path
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from core.testing import assert_problem
from core.tests.test_sentry import sentry_events  # noqa: F401 - fixture: events captured by a fake transport
from metrics.models import ErrorLog

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def price_of(symbol):
    raise ValueError(f"no price for order 4711 (password=hunter2, symbol {symbol})")


class CrashView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return price_of("AAPL")


class ClientErrorView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        kind = request.query_params.get("kind")
        if kind == "invalid":
            raise ValidationError({"field": ["bad"]})
        if kind == "denied":
            raise PermissionDenied()
        raise Http404()


def plain_crash(request):
    raise KeyError("missing-key")


class EchoCrashView(APIView):
    """Crashes with the client's text in the message, as careless code does."""

    permission_classes = [AllowAny]

    def get(self, request, rest):
        raise ValueError(f"bad value {request.query_params.get('q')}")


urlpatterns = [
    path("api/test/crash", CrashView.as_view()),
    path("api/test/client-error", ClientErrorView.as_view()),
    path("pages/crash", plain_crash),
    path("api/test/echo-crash/<path:rest>", EchoCrashView.as_view()),
    path("", include("config.urls")),
]


@pytest.fixture
def crashing_client(client_for, user):
    client = client_for(user)
    client.raise_request_exception = False
    return client


def test_an_unhandled_api_exception_is_stored_with_its_request(crashing_client, user):
    response = crashing_client.get("/api/test/crash?q=1&token=abc", HTTP_USER_AGENT="pytest-agent")

    body = assert_problem(response, 500)
    assert "hunter2" not in response.content.decode()
    saved = ErrorLog.objects.get()
    # The stored error carries the id the response gave the caller (header and body).
    assert saved.request_id == response["X-Request-ID"] == body["request_id"]
    assert (saved.source, saved.level, saved.count, saved.user) == ("backend", "error", 1, user)
    assert saved.message == "ValueError: no price for order 4711 (password=[scrubbed], symbol AAPL)"
    assert (saved.path, saved.url, saved.user_agent) == (
        "/api/test/crash",
        "/api/test/crash?q=1&token=[scrubbed]",
        "pytest-agent",
    )
    assert saved.context == {
        "exception": "builtins.ValueError",
        "method": "GET",
        "view": "metrics.tests.test_errors_backend.CrashView",
    }
    assert saved.stack.startswith("Traceback (most recent call last):")
    assert "in price_of" in saved.stack
    assert "hunter2" not in saved.stack


def test_the_same_crash_again_counts_on_one_group(crashing_client, api_client):
    api_client.raise_request_exception = False
    crashing_client.get("/api/test/crash")
    api_client.get("/api/test/crash", HTTP_X_REQUEST_ID="second")

    saved = ErrorLog.objects.get()
    assert (saved.count, saved.request_id, saved.user) == (2, "second", None)


def test_a_resolved_crash_that_comes_back_is_reopened_with_the_latest_example(crashing_client, staff_user):
    crashing_client.get("/api/test/crash", HTTP_X_REQUEST_ID="first")
    ErrorLog.objects.update(resolved=True, resolved_by=staff_user)

    crashing_client.get("/api/test/crash", HTTP_X_REQUEST_ID="again")

    saved = ErrorLog.objects.get()
    assert (saved.count, saved.resolved, saved.resolved_by, saved.request_id) == (2, False, None, "again")


def test_a_crash_with_a_nul_in_its_text_is_stored_with_a_replacement_character(api_client):
    api_client.raise_request_exception = False

    response = api_client.get("/api/test/echo-crash/a%00b?q=x%00y", HTTP_USER_AGENT="agent\x00")

    assert_problem(response, 500)
    saved = ErrorLog.objects.get()
    assert saved.message == "ValueError: bad value x\ufffdy"
    assert (saved.path, saved.url, saved.user_agent) == (
        "/api/test/echo-crash/a\ufffdb",
        "/api/test/echo-crash/a%00b?q=x%00y",
        "agent\ufffd",
    )
    assert "\x00" not in saved.stack


def test_a_crash_outside_the_api_is_stored_too(client):
    client.raise_request_exception = False

    response = client.get("/pages/crash", HTTP_X_REQUEST_ID="page-1")

    assert response.status_code == 500
    saved = ErrorLog.objects.get()
    assert (saved.source, saved.message, saved.path, saved.request_id) == (
        "backend",
        "KeyError: 'missing-key'",
        "/pages/crash",
        "page-1",
    )


def test_errors_are_grouped_by_type_and_our_innermost_frame():
    from metrics.errors import backend_place

    try:
        price_of("MSFT")
    except ValueError as exc:
        place = backend_place(exc)

    assert place.startswith("builtins.ValueError at metrics.tests.test_errors_backend:price_of:")


@pytest.mark.parametrize("kind", ["invalid", "denied", "missing"])
def test_client_errors_are_not_stored(api_client, kind):
    response = api_client.get("/api/test/client-error", {"kind": kind})

    assert 400 <= response.status_code < 500
    assert not ErrorLog.objects.exists()


def test_a_broken_error_log_never_changes_the_500_answer(crashing_client, monkeypatch, caplog):
    def broken(**kwargs):
        raise DatabaseError("database is down")

    monkeypatch.setattr("metrics.signals.backend_error_record", broken)

    with caplog.at_level(logging.ERROR, logger="metrics.signals"):
        response = crashing_client.get("/api/test/crash", HTTP_X_REQUEST_ID="down-1")

    body = assert_problem(response, 500)
    assert body["request_id"] == "down-1"
    [record] = [r for r in caplog.records if r.name == "metrics.signals"]
    assert record.getMessage() == "could not store an unhandled exception in the error log"
    assert record.exc_info[0] is DatabaseError


def test_a_failing_insert_is_rolled_back_and_logged(crashing_client, monkeypatch, caplog):
    def failing_create(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(ErrorLog.objects, "create", failing_create)

    with caplog.at_level(logging.ERROR, logger="metrics.signals"):
        response = crashing_client.get("/api/test/crash")

    assert_problem(response, 500)
    assert not ErrorLog.objects.exists()
    assert any(r.name == "metrics.signals" for r in caplog.records)
    # The connection is still usable after the failed write.
    assert ErrorLog.objects.count() == 0


def test_crashes_still_reach_sentry_and_the_error_log(crashing_client, sentry_events):  # noqa: F811
    crashing_client.get("/api/test/crash")

    assert len(sentry_events) == 1
    assert sentry_events[0]["exception"]["values"][-1]["type"] == "ValueError"
    assert ErrorLog.objects.get().source == "backend"
