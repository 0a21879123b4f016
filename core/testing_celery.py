"""A real Celery worker for tests: the ``celery_worker`` fixture (registered by the root conftest.py).

The suite runs tasks eagerly (no ``CELERY_BROKER_URL``); a test that needs the
queue itself (on-commit sending, retries, acknowledgement) asks for
``celery_worker``: a worker thread in this process consuming a queue of its own
on RabbitMQ (``PAGESHARE_TEST_BROKER_URL``, default the local guest account),
with eager mode off for that test. The queue's name is unique per test, so
parallel xdist workers and messages left over by an interrupted run never mix.

The worker thread has its own database connection, so it only sees committed
rows: the fixture uses ``transactional_db``. ``celery_worker.wait(name)``
blocks until the named task has succeeded (or fails the test at once if it
failed for good, or after ``timeout`` seconds).

Without a reachable broker the test is skipped; with
``PAGESHARE_REQUIRE_BROKER=1`` (set by .ci/run) it fails instead.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker, test_worker_started
from celery.signals import task_postrun
from kombu import Connection

from config.celery import app
from core.testing import skip_unless_required

BROKER_URL = os.environ.get("PAGESHARE_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")


def broker_missing(url: str | None = None, timeout: int = 2) -> str | None:
    """Why the broker at ``url`` (default: the test broker) cannot be reached, or None."""
    url = url or BROKER_URL
    try:
        with Connection(url, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    except Exception as error:  # any failure means "no broker"; the reason is reported
        return f"no message broker at {url} ({type(error).__name__}: {error})"
    return None


def require_broker() -> None:
    """Skips the test when the broker is unreachable, or fails it when CI requires the broker."""
    skip_unless_required(broker_missing(), what="broker", required_by="PAGESHARE_REQUIRE_BROKER")


@dataclass(frozen=True)
class Run:
    """One run of a task on the worker: its name, keyword arguments and final state (SUCCESS, RETRY, FAILURE)."""

    name: str
    kwargs: dict[str, Any]
    state: str


@dataclass
class CeleryWorker:
    """The running worker's record of task runs (see ``wait``)."""

    queue: str
    runs: list[Run] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def record(self, run: Run) -> None:
        with self._changed:
            self.runs.append(run)
            self._changed.notify_all()

    def ran(self, name: str, state: str = "SUCCESS") -> list[Run]:
        """The runs of task ``name`` that ended in ``state``."""
        with self._changed:
            return [run for run in self.runs if run.name == name and run.state == state]

    def wait(self, name: str, timeout: float = 15.0, count: int = 1, state: str = "SUCCESS") -> list[Run]:
        """Blocks until task ``name`` has ended in ``state`` ``count`` times and returns those runs.

        Fails the test after ``timeout`` seconds, or at once when waiting for a success and the task
        failed for good.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                failed = [run for run in self.runs if run.name == name and run.state == "FAILURE"]
                if failed and state != "FAILURE":
                    pytest.fail(f"Task {name} failed on the worker: {failed}; all runs: {self.runs}")
                ended = [run for run in self.runs if run.name == name and run.state == state]
                if len(ended) >= count:
                    return ended
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"Task {name} did not end in {state} {count}x within {timeout}s; runs: {self.runs}")
                self._changed.wait(left)


def _tick(sender: Any = None, worker: Any = None, **_: Any) -> None:
    """Wakes the worker's event loop every 0.1 s (in the worker thread, once it has started).

    Without it the loop sleeps up to 10 s in ``poll`` when no timer is due, and both a
    retried task (an ETA message) and the worker's shutdown wait for that.
    """
    worker.hub.call_repeatedly(0.1, lambda: None)


def _reset_connections() -> None:
    """Drops the app's cached broker pool and queue declarations, so the next send reads ``app.conf`` again."""
    vars(app)["_pool"] = None
    vars(app).pop("amqp", None)


@contextmanager
def celery_conf(**overrides: Any) -> Iterator[None]:
    """Overrides the Celery app's configuration (``broker_url``, ``task_always_eager``...) within the block.

    ``app.conf`` reads Django's settings live, below a layer of changes made on it: the overrides go
    into that layer and leave it as they found it, so the values below show through again (a value
    saved and written back would stay, and hide a later change of the Django setting).
    """
    changes = app.conf.changes
    assert changes is not None  # the app's configuration is loaded (app.conf did it)
    before = {key: changes[key] for key in overrides if key in changes}
    changes.update(overrides)
    _reset_connections()
    try:
        yield
    finally:
        for key in overrides:
            changes.pop(key, None)
        changes.update(before)
        _reset_connections()


@pytest.fixture
def celery_worker(transactional_db: None, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[CeleryWorker]:
    """A real Celery worker (a thread) on a queue of this test's own, eager mode off (see the module)."""
    require_broker()
    worker = CeleryWorker(queue=f"pageshare-test-{uuid.uuid4().hex}")
    settings.CELERY_BROKER_URL = BROKER_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # The worker runs Django's system checks when it starts: the suite has just run them.
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")

    def on_postrun(sender: Any = None, kwargs: Any = None, state: str | None = None, **_: Any) -> None:
        worker.record(Run(name=getattr(sender, "name", "?"), kwargs=dict(kwargs or {}), state=state or "?"))

    task_postrun.connect(on_postrun, weak=False)
    test_worker_started.connect(_tick)
    try:
        with (
            # No pidbox (remote control) queues left behind on the broker.
            celery_conf(
                broker_url=BROKER_URL,
                task_always_eager=False,
                task_default_queue=worker.queue,
                worker_enable_remote_control=False,
            ),
            start_worker(app, perform_ping_check=False, shutdown_timeout=30),
        ):
            yield worker
    finally:
        task_postrun.disconnect(on_postrun)
        test_worker_started.disconnect(_tick)
        with Connection(BROKER_URL, connect_timeout=2) as connection:
            channel: Any = connection.default_channel
            channel.queue_delete(worker.queue)
            channel.exchange_delete(worker.queue)
