"""Background work on the task queue (Celery), the way every app declares and sends it.

- ``@task`` declares a task: retried with exponential backoff and jitter when
  a database, network or mail error interrupts it, acknowledged only once it
  has run (``CELERY_TASK_ACKS_LATE``), so every task must be **idempotent**: it
  may run twice, or after the state it was sent for has changed again. Tasks
  take ids, never model instances, and read the current rows.
- ``enqueue(task, **kwargs)`` sends it when the current transaction commits:
  a rolled-back write sends nothing, and the worker never looks for a row
  that is not committed yet. Outside a transaction it is sent at once.

Without ``CELERY_BROKER_URL`` the tasks run eagerly, in-process, at that same
moment, so development and the test suite need no broker.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from celery import shared_task
from django.db import DatabaseError, transaction

F = TypeVar("F", bound=Callable[..., Any])

# Errors worth another try: the database, the network, the mail server, the cache (a ConnectionError is an OSError).
RETRYABLE: tuple[type[BaseException], ...] = (DatabaseError, OSError, smtplib.SMTPException)
MAX_RETRIES = 6
# Seconds before the first retry; doubles each time (with jitter) up to RETRY_BACKOFF_MAX.
RETRY_BACKOFF = 2
RETRY_BACKOFF_MAX = 600


def task(**options: Any) -> Callable[[F], Any]:
    """``@task()``: a Celery shared task with PageShare's retry policy (override any option)."""
    defaults: dict[str, Any] = {
        "autoretry_for": RETRYABLE,
        "retry_backoff": RETRY_BACKOFF,
        "retry_backoff_max": RETRY_BACKOFF_MAX,
        "retry_jitter": True,
        "max_retries": MAX_RETRIES,
        "ignore_result": True,
    }
    return shared_task(**{**defaults, **options})


def enqueue(task_: Any, /, **kwargs: Any) -> None:
    """Sends ``task_`` with keyword arguments ``kwargs`` once the current transaction commits.

    A failure to send (the broker down; in eager mode, the task itself failing
    for good) is logged, not raised: the write it follows has committed, and
    its request must not answer 500 for a side effect.
    """
    transaction.on_commit(partial(task_.apply_async, kwargs=kwargs), robust=True)
