"""core.tasks in eager mode (the default without a broker): on-commit sending, failures logged and
never raised, the broker down; the tasks' names and the beat schedule."""

from __future__ import annotations

import importlib.util
import logging
from collections import Counter

import pytest
from django.conf import settings
from django.db import transaction

from config.celery import app as celery_app
from core.tasks import enqueue, task
from core.testing_celery import celery_conf

CALLS: Counter[str] = Counter()


@task(name="core.tests.counting")
def counting(key: str) -> None:
    CALLS[key] += 1


@task(name="core.tests.network_down")
def network_down(key: str) -> None:
    CALLS[key] += 1
    raise ConnectionError("the mail server is unreachable")  # retryable (an OSError)


@task(name="core.tests.bug")
def bug(key: str) -> None:
    CALLS[key] += 1
    raise ValueError("a bug")  # not retryable


class WriteFailedError(Exception):
    pass


@pytest.mark.django_db
def test_an_enqueued_task_runs_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(counting, key="after-commit")
        assert CALLS["after-commit"] == 0

    assert CALLS["after-commit"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs():
    def failing_write():
        with transaction.atomic():
            enqueue(counting, key="rolled-back")
            raise WriteFailedError

    with pytest.raises(WriteFailedError):
        failing_write()

    assert CALLS["rolled-back"] == 0


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_task_runs_at_once():
    enqueue(counting, key="autocommit")

    assert CALLS["autocommit"] == 1


@pytest.mark.parametrize(("failing", "error"), [(network_down, "ConnectionError"), (bug, "ValueError")])
@pytest.mark.django_db
def test_in_eager_mode_a_failing_task_runs_once_and_is_logged_not_raised(
    failing, error, caplog, django_capture_on_commit_callbacks
):
    key = f"eager-{failing.name}"
    with caplog.at_level(logging.ERROR, logger="core.tasks"), django_capture_on_commit_callbacks(execute=True):
        enqueue(failing, key=key)

    # Once: no retry loop inside the request, retryable error or not.
    assert CALLS[key] == 1
    [record] = [record for record in caplog.records if record.name == "core.tasks"]
    message = record.getMessage()
    assert message.startswith(f"Task {failing.name} failed for good (run once, eagerly)")
    assert f"'key': '{key}'" in message
    assert error in message
    assert record.exc_info is not None


@pytest.mark.django_db
def test_when_the_broker_is_down_enqueue_logs_and_the_write_commits(caplog, django_capture_on_commit_callbacks):
    with (
        celery_conf(broker_url="amqp://guest:guest@127.0.0.1:1//", task_always_eager=False),
        caplog.at_level(logging.ERROR, logger="core.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue(counting, key="no-broker")

    assert CALLS["no-broker"] == 0
    [record] = [record for record in caplog.records if record.name == "core.tasks"]
    assert record.getMessage() == "Could not send task core.tests.counting with kwargs {'key': 'no-broker'}"


def test_celery_conf_leaves_the_app_reading_django_settings_again(settings):
    # As the celery_worker fixture does: the Django setting first, then the app's own configuration.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with celery_conf(task_always_eager=False, broker_url="amqp://guest:guest@127.0.0.1:1//"):
        assert not celery_app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True  # as pytest-django's settings fixture restores it

    assert celery_app.conf.task_always_eager
    assert celery_app.conf.broker_url == "memory://"


# The periodic tasks, by the app that declares them (config.settings.CELERY_BEAT_SCHEDULE).
SCHEDULED_TASKS = {
    "metrics.tasks.refresh_metrics",
    "content.tasks.purge_deleted_content",
    "content.tasks.score_calls",
    "content.tasks.purge_unattached_media",
    "content.tasks.trim_home_timelines",
    "content.tasks.drop_idle_home_timelines",
    "notifications.tasks.notify_ended_polls",
    "notifications.tasks.send_digests",
}


def project_tasks():
    """Every task of the project's apps once Celery has loaded them all (as a worker does), by name."""
    celery_app.loader.import_default_modules()
    return {
        name: t
        for name, t in celery_app.tasks.items()
        if not name.startswith("celery.") and ".tests" not in t.__module__
    }


def test_the_beat_schedule_names_the_periodic_tasks():
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} == SCHEDULED_TASKS


def test_every_scheduled_task_of_an_app_with_tasks_is_registered():
    registered = project_tasks()
    for name in SCHEDULED_TASKS:
        if importlib.util.find_spec(name.rsplit(".", 1)[0]) is None:
            # A scheduled task whose app has no tasks module yet (another branch): nothing to register.
            continue
        assert name in registered, f"{name} is scheduled but no such task is registered"
    assert {"metrics.tasks.refresh_metrics", "content.tasks.purge_deleted_content"} <= registered.keys()


def test_every_task_is_named_after_its_app_tasks_module_and_function():
    tasks = project_tasks()

    assert "accounts.tasks.send_password_reset" in tasks
    for name, declared in tasks.items():
        assert declared.__module__.endswith(".tasks"), (
            f"{name} is declared in {declared.__module__}, not a tasks module"
        )
        assert name == f"{declared.__module__}.{declared.run.__name__}", f"{name}: say name=... in its @task()"
