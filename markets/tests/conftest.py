"""Fixtures shared by the tests of fetching prices: Tiingo faked on 127.0.0.1, and the tracked symbols."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
import urllib3.util.retry

from markets.tests.fake_tiingo import FakeTiingo, fake_tiingo
from markets.tracking import tracked_symbols_register


@pytest.fixture
def now() -> datetime.datetime:
    """The frozen clock of the ``tiingo`` fixture; a module overrides it with its own."""
    return datetime.datetime(2026, 3, 6, 23, tzinfo=datetime.UTC)


@pytest.fixture
def tiingo(settings: Any, monkeypatch: pytest.MonkeyPatch, now: datetime.datetime) -> Iterator[FakeTiingo]:
    """The configured provider is Tiingo at a fake server; retries do not sleep; the clock is ``now``."""
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", lambda seconds: None)
    with fake_tiingo() as server, time_machine.travel(now, tick=False):
        settings.MARKET_DATA_PROVIDER = "tiingo"
        settings.MARKET_DATA_API_KEY = "test-key"
        settings.MARKET_DATA_URL = server.url
        settings.MARKET_DATA_RATE_LIMIT = ["1000/h"]
        yield server


@pytest.fixture
def tracked() -> Iterator[list[str]]:
    """The tracked symbols, as content would answer (a test sets them); content's hook afterwards."""
    symbols: list[str] = []
    tracked_symbols_register(lambda: symbols)
    yield symbols
    from content.market_hooks import tracked_symbols

    tracked_symbols_register(tracked_symbols)
