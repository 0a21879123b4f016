from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection

from metrics.services import refresh_lock
from metrics.tests.hand_counted_activity import NOW, build_world


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    with time_machine.travel(NOW, tick=False):
        return build_world()


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def refresh_running_elsewhere() -> Iterator[Callable[[], None]]:
    """Another run holds the refresh lock (from another thread, so another connection: PostgreSQL's
    advisory lock is re-entrant within one) until the test calls the ``release()`` this yields."""
    holding, released = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with refresh_lock() as acquired:
                assert acquired
                holding.set()
                released.wait(timeout=10)
        finally:
            connection.close()

    other = threading.Thread(target=hold)
    other.start()

    def release() -> None:
        released.set()
        other.join(timeout=10)

    try:
        assert holding.wait(timeout=10)
        yield release
    finally:
        release()
