"""Activity: ``last_active_at`` and sessions, written at most once per user and 5 minutes.

The write runs after the request's transaction commits (``transaction.on_commit``);
pytest-django wraps each test in a transaction, so these tests run the
callbacks with ``django_capture_on_commit_callbacks(execute=True)``.
"""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.activity import SESSION_GAP, WRITE_INTERVAL, activity_gate_open, activity_write
from accounts.models import User, UserSession
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from conftest import bearer
from core.net import hash_ip
from core.testing import postgres_only, race

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me"
# The start of a 5-minute window, so "1 minute later" stays in the same window.
NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def visit(client_for, django_capture_on_commit_callbacks):
    """``visit(user, at)``: GET users/me as ``user`` at ``at``; returns the queries it made."""

    def run(user, at, *, user_agent="Mozilla/5.0 Test"):
        with time_machine.travel(at, tick=False):
            client = client_for(user)  # a token issued at `at`
            with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
                response = client.get(ME, HTTP_USER_AGENT=user_agent)
        assert response.status_code == 200, response.content
        return queries

    return run


def sessions(user):
    return list(
        UserSession.objects.filter(user=user)
        .order_by("started_at")
        .values_list("started_at", "last_seen_at", "request_count")
    )


def last_active(user):
    return User.objects.values_list("last_active_at", flat=True).get(pk=user.pk)


def writes(queries):
    """The activity writes among ``queries``."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith(("UPDATE", "INSERT"))
        and ('"accounts_user"' in query["sql"] or '"accounts_usersession"' in query["sql"])
    ]


# Sessions


def test_the_first_request_starts_a_session(visit, user):
    visit(user, NOW, user_agent="Mozilla/5.0 Firefox")

    assert last_active(user) == NOW
    session = UserSession.objects.get(user=user)
    assert (session.started_at, session.last_seen_at, session.request_count) == (NOW, NOW, 1)
    assert (session.user_agent, session.ip_hash) == ("Mozilla/5.0 Firefox", hash_ip("127.0.0.1"))


def test_a_user_agent_postgresql_cannot_store_is_kept_with_replacement_characters(visit, user):
    visit(user, NOW, user_agent="Evil\x00Agent")

    session = UserSession.objects.get(user=user)
    assert session.user_agent == "Evil\ufffdAgent"
    assert last_active(user) == NOW


def test_two_requests_a_minute_apart_write_once(visit, user):
    first = visit(user, NOW)
    second = visit(user, NOW + timedelta(minutes=1))

    assert len(writes(first)) == 3  # the user's mark; extending a session (there is none); the new session
    assert writes(second) == []
    assert last_active(user) == NOW
    assert sessions(user) == [(NOW, NOW, 1)]


def test_six_minutes_later_the_mark_moves_and_the_session_goes_on(visit, user):
    visit(user, NOW)
    visit(user, NOW + timedelta(minutes=6))

    assert last_active(user) == NOW + timedelta(minutes=6)
    assert sessions(user) == [(NOW, NOW + timedelta(minutes=6), 2)]


def test_thirty_one_minutes_later_a_new_session_starts(visit, user):
    visit(user, NOW)
    visit(user, NOW + timedelta(minutes=6))
    later = NOW + timedelta(minutes=6 + 31)

    visit(user, later)

    assert last_active(user) == later
    assert sessions(user) == [(NOW, NOW + timedelta(minutes=6), 2), (later, later, 1)]


def test_exactly_thirty_minutes_later_is_the_same_session(visit, user):
    visit(user, NOW)
    visit(user, NOW + SESSION_GAP)

    assert sessions(user) == [(NOW, NOW + SESSION_GAP, 2)]


def test_each_user_has_their_own_sessions(visit, user, other_user):
    visit(user, NOW)
    visit(other_user, NOW + timedelta(minutes=1))

    assert sessions(user) == [(NOW, NOW, 1)]
    assert sessions(other_user) == [(NOW + timedelta(minutes=1), NOW + timedelta(minutes=1), 1)]


# The two gates


def test_the_cache_gate_opens_once_per_user_and_window():
    assert activity_gate_open(user_id=1, at=NOW) is True
    assert activity_gate_open(user_id=1, at=NOW + timedelta(minutes=4, seconds=59)) is False
    assert activity_gate_open(user_id=2, at=NOW) is True
    assert activity_gate_open(user_id=1, at=NOW + WRITE_INTERVAL) is True


def test_without_the_cache_gate_the_database_still_writes_once_per_window(user):
    assert activity_write(user_id=user.pk, at=NOW) is True
    assert activity_write(user_id=user.pk, at=NOW + timedelta(minutes=2)) is False
    assert activity_write(user_id=user.pk, at=NOW + timedelta(minutes=5)) is True

    assert last_active(user) == NOW + timedelta(minutes=5)
    assert sessions(user) == [(NOW, NOW + timedelta(minutes=5), 2)]


def test_a_closed_gate_adds_no_query_and_an_open_one_a_few(visit, user, monkeypatch):
    opened = visit(user, NOW)
    closed = visit(user, NOW + timedelta(minutes=1))
    monkeypatch.setattr("accounts.authentication.activity_record", lambda **kwargs: None)
    untracked = visit(user, NOW + timedelta(minutes=2))

    assert len(closed) == len(untracked)
    # At most: savepoint, the user's mark, the session update, the session insert, release.
    assert len(opened) - len(untracked) <= 5


# Where marks come from


def test_signing_up_signing_in_and_refreshing_mark_activity(
    api_client, no_rate_limits, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        registered = api_client.post(
            "/api/v1/auth/register",
            {"email": "new@example.com", "username": "newcomer", "password": DEFAULT_PASSWORD},
            format="json",
        )
    user = User.objects.get(email="new@example.com")
    assert registered.status_code == 201, registered.content
    assert sessions(user) == [(NOW, NOW, 1)]

    signed_in_at = NOW + timedelta(minutes=40)
    with time_machine.travel(signed_in_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        login = api_client.post(
            "/api/v1/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
        )
    assert login.status_code == 200, login.content

    refreshed_at = signed_in_at + timedelta(minutes=10)
    with time_machine.travel(refreshed_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        refresh = api_client.post("/api/v1/auth/refresh", {"refresh": login.json()["refresh"]}, format="json")
    assert refresh.status_code == 200, refresh.content

    assert last_active(user) == refreshed_at
    assert sessions(user) == [(NOW, NOW, 1), (signed_in_at, refreshed_at, 2)]


def test_signed_in_admin_pages_mark_activity(client, django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert client.get("/admin/").status_code == 200
        assert client.get("/health").status_code == 200  # not an admin page: no session lookup, no mark

    assert sessions(staff) == [(NOW, NOW, 1)]


def test_requests_refused_by_authentication_mark_nothing(api_client, user, django_capture_on_commit_callbacks):
    token = bearer(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    api_client.credentials(HTTP_AUTHORIZATION=token)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.get(ME)

    assert response.status_code == 401
    assert callbacks == []
    assert last_active(user) is None
    assert not UserSession.objects.exists()


def test_anonymous_requests_mark_nothing(api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert api_client.get("/api/v1/posts").status_code == 200

    assert callbacks == []


# Never a failed request


def test_a_failing_write_never_fails_the_request(visit, user, monkeypatch, caplog):
    def broken(**kwargs):
        raise DatabaseError("database is read-only")

    monkeypatch.setattr("accounts.activity.activity_write", broken)

    with caplog.at_level(logging.ERROR, logger="accounts.activity"):
        visit(user, NOW)

    assert [record.getMessage() for record in caplog.records if record.name == "accounts.activity"] == [
        "could not write an activity mark"
    ]
    assert not UserSession.objects.exists()


def test_a_failing_cache_never_fails_the_request(visit, user, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    # On the backend class: the test settings may swap the cache instance behind ``cache`` mid-test.
    monkeypatch.setattr(type(caches["default"]), "add", broken)

    with caplog.at_level(logging.ERROR, logger="accounts.activity"):
        visit(user, NOW)

    assert [record.getMessage() for record in caplog.records if record.name == "accounts.activity"] == [
        f"could not record the activity of user {user.pk}"
    ]


# Races (PostgreSQL)


def _postgres_only(test):
    for mark in reversed(postgres_only):
        test = mark(test)
    return test


@_postgres_only
def test_concurrent_marks_of_one_user_write_once():
    user = UserFactory()

    outcomes = race(lambda: activity_write(user_id=user.pk, at=NOW), threads=4)

    assert sorted(outcomes) == [False, False, False, True]
    assert sessions(user) == [(NOW, NOW, 1)]


@_postgres_only
def test_concurrent_requests_of_one_user_mark_once_without_a_shared_cache(monkeypatch):
    user = UserFactory()
    token = bearer(user)
    # As if each request ran in its own process without Redis: every cache gate opens.
    monkeypatch.setattr("accounts.activity.activity_gate_open", lambda **kwargs: True)

    def call():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token)
        return client.get(ME).status_code

    outcomes = race(call, threads=3)

    assert outcomes == [200, 200, 200]
    assert UserSession.objects.filter(user=user).count() == 1
    assert UserSession.objects.get(user=user).request_count == 1
