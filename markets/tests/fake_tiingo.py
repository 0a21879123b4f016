"""A stand-in for Tiingo's end-of-day API on 127.0.0.1, in a thread, for the provider's tests.

Each path answers from a script: a list of answers given in turn, the last one repeated. An
answer is ``(status, body)`` or ``(status, body, headers)``; a body that is not ``bytes`` is sent
as JSON. A path without a script answers 404 as Tiingo does for an unknown ticker. Every request
is recorded (path, query, headers), so tests can check what was asked and how often.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]]


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeTiingo:
    url: str = ""
    scripts: dict[str, list[Answer]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def answer(self, symbol: str, *answers: Answer) -> None:
        """Scripts the answers to ``/tiingo/daily/{symbol}/prices`` (``symbol`` as Tiingo writes it)."""
        self.scripts[f"/tiingo/daily/{symbol}/prices"] = list(answers)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def _next(self, path: str) -> Answer:
        script = self.scripts.get(path)
        if not script:
            return (404, {"detail": "Error: Ticker not found"})
        return script.pop(0) if len(script) > 1 else script[0]


def tiingo_row(date: str, close: float, **fields: Any) -> dict[str, Any]:
    """One day as Tiingo's JSON has it."""
    row = {
        "date": f"{date}T00:00:00.000Z",
        "open": close,
        "high": close + 1,
        "low": close - 1,
        "close": close,
        "volume": 1000,
        "adjClose": close,
        "adjHigh": close + 1,
        "adjLow": close - 1,
        "adjOpen": close,
        "adjVolume": 1000,
        "divCash": 0.0,
        "splitFactor": 1.0,
    }
    return {**row, **fields}


@contextmanager
def fake_tiingo() -> Iterator[FakeTiingo]:
    fake = FakeTiingo()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {name: values[0] for name, values in parse_qs(parts.query).items()}
            fake.requests.append(Request(parts.path, query, dict(self.headers.items())))
            status, body, *rest = fake._next(parts.path)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (rest[0] if rest else {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
