"""Recording Django signals in tests: which were sent, with which arguments."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.dispatch import Signal


@contextmanager
def signals_recorded(**signals: Signal) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """``with signals_recorded(created=follow_created) as sent:`` collects ``("created", kwargs)`` per send."""
    sent: list[tuple[str, dict[str, Any]]] = []
    receivers = {}
    for name, signal in signals.items():

        def receiver(sender: Any, *, _name: str = name, **kwargs: Any) -> None:
            kwargs.pop("signal", None)
            sent.append((_name, kwargs))

        receivers[name] = receiver
        signal.connect(receiver, weak=False)
    try:
        yield sent
    finally:
        for name, signal in signals.items():
            signal.disconnect(receivers[name])
