"""The queue itself, on a real Celery worker and RabbitMQ (core.testing_celery): on-commit sending, retries."""

from __future__ import annotations

import logging
from collections import Counter

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import User
from accounts.tests.factories import UserFactory
from core import testing_celery
from core.tasks import enqueue, task
from core.testing_celery import require_broker

# What the test tasks saw, by key: the worker thread writes, the test reads after ``wait``.
SEEN: dict[int, str] = {}
ATTEMPTS: Counter[str] = Counter()


class WriteFailedError(Exception):
    pass


@task(name="core.tests.remember_username")
def remember_username(user_id: int) -> None:
    # Raises DoesNotExist (not retryable: the run fails) if the row is not committed yet.
    SEEN[user_id] = User.objects.get(pk=user_id).username


@task(name="core.tests.marker")
def marker() -> None:
    pass


@task(name="core.tests.flaky", retry_backoff=1, retry_backoff_max=1)
def flaky(user_id: int, key: str) -> None:
    ATTEMPTS[key] += 1
    # Idempotent: the same update whether this is the first run or a repeat.
    User.objects.filter(pk=user_id).update(bio="refreshed")
    if ATTEMPTS[key] == 1:
        raise ConnectionError("the first try meets a network error")


def test_a_task_enqueued_in_a_committed_transaction_runs_on_the_worker(celery_worker):
    with transaction.atomic():
        user = UserFactory(username="queued_quinn")
        enqueue(remember_username, user_id=user.pk)
        # Nothing is sent before the commit: the worker would not find the row.
        assert celery_worker.runs == []

    celery_worker.wait("core.tests.remember_username")
    assert SEEN[user.pk] == "queued_quinn"


def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(celery_worker):
    def failing_write():
        with transaction.atomic():
            user = UserFactory(username="rolled_back_rita")
            enqueue(remember_username, user_id=user.pk)
            raise WriteFailedError(user.pk)

    with pytest.raises(WriteFailedError) as rolled_back:
        failing_write()
    user_pk = rolled_back.value.args[0]
    # One queue, one task at a time: once a later task has run, the earlier one would have too.
    enqueue(marker)
    celery_worker.wait("core.tests.marker")

    assert [run.name for run in celery_worker.runs] == ["core.tests.marker"]
    assert user_pk not in SEEN
    assert not User.objects.filter(pk=user_pk).exists()


def test_a_task_failing_with_a_retryable_error_is_retried_and_then_succeeds(celery_worker):
    user = UserFactory(bio="stale")
    with transaction.atomic():
        enqueue(flaky, user_id=user.pk, key="retry-once")

    celery_worker.wait("core.tests.flaky", timeout=20)

    assert [run.state for run in celery_worker.runs] == ["RETRY", "SUCCESS"]
    assert ATTEMPTS["retry-once"] == 2
    user.refresh_from_db()
    assert user.bio == "refreshed"


@task(name="core.tests.broken", max_retries=1, retry_backoff=1, retry_backoff_max=1)
def broken(key: str) -> None:
    ATTEMPTS[key] += 1
    raise ConnectionError("the network stays down")


def test_a_task_out_of_retries_fails_for_good_and_is_logged_with_its_arguments(celery_worker, caplog):
    with caplog.at_level(logging.ERROR, logger="core.tasks"), transaction.atomic():
        enqueue(broken, key="for-good")

    celery_worker.wait("core.tests.broken", timeout=20, state="FAILURE")

    assert [run.state for run in celery_worker.runs] == ["RETRY", "FAILURE"]
    assert ATTEMPTS["for-good"] == 2
    [failure] = [record.getMessage() for record in caplog.records if record.name == "core.tasks"]
    assert failure.startswith("Task core.tests.broken failed for good (after 1 retries) with args () and kwargs")
    assert "{'key': 'for-good'}" in failure


def test_the_password_reset_mail_goes_out_through_the_worker(celery_worker, api_client, no_rate_limits):
    user = UserFactory()

    response = api_client.post("/api/v1/auth/password/reset", {"email": user.email})

    assert response.status_code == 202
    celery_worker.wait("accounts.tasks.send_password_reset")
    [message] = mail.outbox
    assert message.to == [user.email]


def test_without_a_broker_the_test_skips_unless_ci_requires_the_broker(monkeypatch):
    monkeypatch.setattr(testing_celery, "BROKER_URL", "amqp://guest:guest@127.0.0.1:1//")
    monkeypatch.delenv("PAGESHARE_REQUIRE_BROKER", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"no message broker at amqp://guest:guest@127\.0\.0\.1:1//"):
        require_broker()

    monkeypatch.setenv("PAGESHARE_REQUIRE_BROKER", "1")
    with pytest.raises(pytest.fail.Exception, match="must run here"):
        require_broker()
