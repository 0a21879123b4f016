from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from metrics.tests.hand_counted_activity import NOW, build_world


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    with time_machine.travel(NOW, tick=False):
        return build_world()


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
