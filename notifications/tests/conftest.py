from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager[Any]]:
    """``with committed():`` runs what the block enqueued (the fan-out tasks, eagerly) as a commit would."""

    def run() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def signals_seen() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every notification_grouped/notification_removed sent during the test, in order."""
    from notifications import signals

    seen: list[tuple[str, dict[str, Any]]] = []

    def grouped(sender: Any, **kwargs: Any) -> None:
        seen.append(("grouped", {k: v for k, v in kwargs.items() if k != "signal"}))

    def removed(sender: Any, **kwargs: Any) -> None:
        seen.append(("removed", {k: v for k, v in kwargs.items() if k != "signal"}))

    signals.notification_grouped.connect(grouped, dispatch_uid="test-grouped")
    signals.notification_removed.connect(removed, dispatch_uid="test-removed")
    yield seen
    signals.notification_grouped.disconnect(dispatch_uid="test-grouped")
    signals.notification_removed.disconnect(dispatch_uid="test-removed")
