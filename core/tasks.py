"""Background work on the task queue (Celery), the way every app declares and sends it.

- ``@task`` declares a task: retried with exponential backoff and jitter when
  a database, network or mail error interrupts it, acknowledged only once it
  has run (``CELERY_TASK_ACKS_LATE``), so every task must be **idempotent**: it
  may run twice, or after the state it was sent for has changed again. Tasks
  take ids, never model instances, and read the current rows.
- Its name is stable and explicit, ``@task(name="<app>.tasks.<function>")``:
  queued messages and the beat schedule (``CELERY_BEAT_SCHEDULE``) name tasks,
  so moving or renaming the function must not change it.
- ``enqueue(task, **kwargs)`` sends it when the current transaction commits:
  a rolled-back write sends nothing, and the worker never looks for a row
  that is not committed yet. Outside a transaction it is sent at once.
- A task that fails for good (not retryable, or out of retries) is logged
  with its name and arguments (``PageShareTask.on_failure``): arguments are
  ids and names, never secrets, so that log line is safe.

Without ``CELERY_BROKER_URL`` the tasks run eagerly, in-process, at that same
moment, so development and the test suite need no broker. An eager task runs
once: no retries (they would run back to back, inside the request), and its
failure is logged, never raised into the request.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from celery import Task, shared_task
from django.db import DatabaseError, transaction

F = TypeVar("F", bound=Callable[..., Any])

logger = logging.getLogger(__name__)

# Errors worth another try: the database, the network, the mail server, the cache (a ConnectionError is an OSError).
RETRYABLE: tuple[type[BaseException], ...] = (DatabaseError, OSError, smtplib.SMTPException)
MAX_RETRIES = 6
# Seconds before the first retry; doubles each time (with jitter) up to RETRY_BACKOFF_MAX.
RETRY_BACKOFF = 2
RETRY_BACKOFF_MAX = 600


class PageShareTask(Task[Any, Any]):
    """The base of every task: a final failure is logged with the task's name and arguments."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        # An eager task runs once, as if on its last retry (enqueue): it was not retried.
        tries = "run once, eagerly" if self.request.is_eager else f"after {self.request.retries} retries"
        logger.error(
            "Task %s failed for good (%s) with args %r and kwargs %r: %r",
            self.name,
            tries,
            tuple(args or ()),
            dict(kwargs or {}),
            exc,
            exc_info=(type(exc), exc, exc.__traceback__),
        )


def task(**options: Any) -> Callable[[F], Any]:
    """``@task(name="<app>.tasks.<function>")``: a Celery shared task with PageShare's retry policy.

    Any option can be overridden; ``name`` should always be given (module docstring).
    """
    defaults: dict[str, Any] = {
        "base": PageShareTask,
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

    A failure to send (the broker down; in eager mode, the task itself failing)
    is logged, not raised: the write it follows has committed, and its request
    must not answer 500 for a side effect. A task that could not be sent is
    lost: the periodic tasks repair what they own on their next run.
    """
    transaction.on_commit(partial(_send, task_, kwargs))


def _send(task_: Any, kwargs: dict[str, Any]) -> None:
    try:
        if task_.app.conf.task_always_eager:
            # Run once, as if on its last retry: a retryable error fails it (logged by on_failure)
            # instead of retrying it at once in a loop; throw=False keeps its error out of the request.
            task_.apply(kwargs=kwargs, retries=task_.max_retries or 0, throw=False)
        else:
            task_.apply_async(kwargs=kwargs)
    except Exception:
        logger.exception("Could not send task %s with kwargs %r", task_.name, kwargs)
