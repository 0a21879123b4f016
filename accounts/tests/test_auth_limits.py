"""Failed attempts limited per account (sign-in, by email from any address) and per user (password change)."""

from __future__ import annotations

import logging

import pytest
import time_machine

from accounts.tests.factories import DEFAULT_PASSWORD
from core.testing import assert_problem

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
PASSWORD_CHANGE = "/api/v1/auth/password/change"
NEW_PASSWORD = "a-new-and-long-passphrase"
NOW = "2026-03-02 09:30:15Z"  # the hourly window ends at 10:00:00, 1785 s later


@pytest.fixture(autouse=True)
def _limits(settings):
    # Per-IP limits out of the way: these tests are about the per-account ones.
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "login": "100/m",
        "anon_write": "100/m",
        "login_failures": "3/h",
        "password_change_failures": "3/h",
    }


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def login(api_client, email, password, n=0):
    # Every attempt from another address: the limit is per account, not per IP.
    return api_client.post(LOGIN, {"email": email, "password": password}, REMOTE_ADDR=f"198.51.100.{n + 1}")


def test_failed_sign_ins_from_many_addresses_lock_the_account_even_for_the_right_password(api_client, user):
    failures = [login(api_client, user.email, f"guess-{n}", n).status_code for n in range(3)]

    refused = login(api_client, user.email, DEFAULT_PASSWORD, 10)

    assert failures == [401, 401, 401]
    body = assert_problem(refused, 429)
    assert body["code"] == "throttled"
    assert refused["Retry-After"] == "1785"
    assert refused["X-RateLimit-Limit"] == "3"
    assert refused["X-RateLimit-Remaining"] == "0"
    assert refused["X-RateLimit-Reset"] == "1772445600"  # 10:00:00 UTC
    assert "access" not in refused.json()


def test_the_lock_ends_with_its_window(api_client, user):
    for n in range(3):
        login(api_client, user.email, f"guess-{n}", n)

    with time_machine.travel("2026-03-02 10:00:01Z", tick=False):
        response = login(api_client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(user.pk)


def test_an_unknown_email_is_locked_alike_so_nothing_tells_which_accounts_exist(api_client, user):
    known = [login(api_client, user.email, "nope", n) for n in range(4)]
    unknown = [login(api_client, "nobody@example.com", "nope", n) for n in range(4)]

    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401, 401, 401, 429]
    for a, b in zip(known, unknown, strict=True):
        assert a.json()["detail"] == b.json()["detail"]
        assert [a.get(h) for h in ("Retry-After", "X-RateLimit-Remaining")] == [
            b.get(h) for h in ("Retry-After", "X-RateLimit-Remaining")
        ]


def test_a_successful_sign_in_is_not_counted(api_client, user):
    statuses = [
        login(api_client, user.email, "nope", 0).status_code,
        login(api_client, user.email, "nope", 1).status_code,
    ]
    statuses += [login(api_client, user.email, DEFAULT_PASSWORD, n).status_code for n in range(2, 6)]

    assert statuses == [401, 401, 200, 200, 200, 200]


def test_the_email_counts_whatever_its_case(api_client, user):
    for n in range(3):
        login(api_client, user.email.upper(), "nope", n)

    assert_problem(login(api_client, user.email, DEFAULT_PASSWORD, 5), 429)


def test_one_locked_account_leaves_the_others_alone(api_client, user, other_user):
    for n in range(3):
        login(api_client, user.email, "nope", n)

    response = login(api_client, other_user.email, DEFAULT_PASSWORD, 0)

    assert response.status_code == 200


def test_a_lock_is_logged_once_without_the_email(api_client, user, caplog):
    with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        for n in range(5):
            login(api_client, user.email, "nope", n)

    locks = [record for record in caplog.records if record.name == "core.ratelimit"]
    assert len(locks) == 1
    assert locks[0].scope == "login_failures"
    assert user.email not in locks[0].getMessage()
    assert user.email not in str(vars(locks[0]))


def test_a_bad_request_is_not_a_failed_attempt(api_client, user):
    for _ in range(4):
        assert api_client.post(LOGIN, {"email": user.email}).status_code == 400

    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 200


# Password change: a stolen access token must not be a way to guess the current password.


def change(client, old_password, new_password=NEW_PASSWORD):
    return client.post(PASSWORD_CHANGE, {"old_password": old_password, "new_password": new_password})


def test_wrong_current_passwords_lock_password_change_for_the_user(client_for, user):
    client = client_for(user)
    failures = [change(client, f"guess-{n}") for n in range(3)]

    refused = change(client, DEFAULT_PASSWORD)

    for failure in failures:
        assert_problem(failure, 400, "old_password")
    body = assert_problem(refused, 429)
    assert body["code"] == "throttled"
    assert refused["Retry-After"] == "1785"
    assert refused["X-RateLimit-Remaining"] == "0"
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_a_refused_new_password_is_not_a_wrong_guess(client_for, user):
    client = client_for(user)
    for _ in range(3):
        assert_problem(change(client, DEFAULT_PASSWORD, new_password="short"), 400, "new_password")

    assert change(client, DEFAULT_PASSWORD).status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_one_users_wrong_guesses_leave_another_user_alone(client_for, user, other_user):
    for n in range(3):
        change(client_for(user), f"guess-{n}")

    assert change(client_for(other_user), DEFAULT_PASSWORD).status_code == 204
