"""Test helpers shared by every app's tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

# Race tests need real concurrent transactions: SQLite serialises every write.
postgres_only = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def race(call: Callable[[], Any], threads: int = 2, catch: type[BaseException] = Exception) -> list[Any]:
    """Runs ``call()`` in several threads released together, each on its own connection.

    Returns every result, or the exception (of type ``catch``) it raised.
    """
    barrier = threading.Barrier(threads)
    outcomes: list[Any] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(call())
        except catch as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert len(outcomes) == threads, "a racing thread hung or died"
    return outcomes
