"""wrk for the load harness (bench/load.py): finding or installing it, running it, reading its report."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPORT_SCRIPT = Path(__file__).resolve().with_name("wrk_report.lua")
REPORT_MARKER = "--- pageshare wrk report ---"
INSTALL_HINT = "install wrk: `apt-get install -y wrk` (Debian/Ubuntu, as root), `brew install wrk` (macOS)"

REQUESTS_PER_SECOND = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.MULTILINE)
NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)\s*$", re.MULTILINE)
SOCKET_ERRORS = re.compile(
    r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$", re.MULTILINE
)
REPORT_LINE = re.compile(r"^(\w+) (\d+)$")


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: its throughput, latency percentiles (ms) and errors."""

    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    # Answers with a status above 399 (wrk counts 3xx as successes: load.py checks each URL answers 200 first).
    non_2xx: int
    socket_errors: int
    timeouts: int


def parse_wrk_output(text: str) -> WrkResult:
    """Reads wrk's standard report and the lines bench/wrk_report.lua prints after it.

    The throughput comes from the script's exact counts (wrk's ``Requests/sec`` line is the same
    figure, rounded); the percentiles from ``latency:percentile()``, as wrk's own ``--latency``
    table has no p95. Raises ``ValueError`` when the script's report is missing.
    """
    if REPORT_MARKER not in text:
        raise ValueError(f"no {REPORT_MARKER!r} in wrk's output (was it run with -s {REPORT_SCRIPT.name}?)")
    values: dict[str, int] = {}
    for line in text.split(REPORT_MARKER, 1)[1].splitlines():
        match = REPORT_LINE.match(line.strip())
        if match:
            values[match.group(1)] = int(match.group(2))
    missing = {"requests", "duration_us", "errors_status", "p50_us", "p95_us"} - values.keys()
    if missing:
        raise ValueError(f"wrk report lacks {', '.join(sorted(missing))}")
    seconds = values["duration_us"] / 1e6
    # wrk's own lines, when present, must agree with the script's counts.
    non_2xx = NON_2XX.search(text)
    if non_2xx and int(non_2xx.group(1)) != values["errors_status"]:
        raise ValueError(f"wrk reports {non_2xx.group(1)} non-2xx answers, its script {values['errors_status']}")
    socket = SOCKET_ERRORS.search(text)
    socket_errors = sum(int(count) for count in socket.groups()) if socket else 0
    socket_errors = max(
        socket_errors,
        sum(values.get(name, 0) for name in ("errors_connect", "errors_read", "errors_write", "errors_timeout")),
    )
    return WrkResult(
        requests=values["requests"],
        seconds=seconds,
        requests_per_second=values["requests"] / seconds if seconds else 0.0,
        p50_ms=values["p50_us"] / 1000,
        p90_ms=values.get("p90_us", 0) / 1000,
        p95_ms=values["p95_us"] / 1000,
        p99_ms=values.get("p99_us", 0) / 1000,
        max_ms=values.get("max_us", 0) / 1000,
        non_2xx=values["errors_status"],
        socket_errors=socket_errors,
        timeouts=values.get("errors_timeout", 0),
    )


def wrk_path() -> str:
    """The wrk executable; installs Debian's package when missing and running as root, else exits with how to."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(f"wrk is not installed: {INSTALL_HINT}")
    print("wrk is not installed: apt-get install -y wrk", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        # A fresh container has no package lists yet.
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
        subprocess.run(install, env=env, check=False)
    found = shutil.which("wrk")
    if not found:
        sys.exit(f"could not install wrk: {INSTALL_HINT}")
    return found


def run_wrk(
    wrk: str,
    url: str,
    *,
    threads: int,
    connections: int,
    seconds: int,
    timeout_seconds: int,
    headers: dict[str, str],
) -> tuple[WrkResult, str]:
    """Loads ``url`` for ``seconds``; returns the parsed result and wrk's whole output."""
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={timeout_seconds}s",
        "--latency",
        f"--script={REPORT_SCRIPT}",
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command.append(url)
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    return parse_wrk_output(completed.stdout), completed.stdout
