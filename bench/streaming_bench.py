#!/usr/bin/env python
"""The streaming API under load: posting latency by follower count, and delivery to 1,000 sockets.

    .venv/bin/python bench/streaming_bench.py --redis-url redis://127.0.0.1:6380/0

Builds its own database (a SQLite file under /tmp, or ``--database-url``): one author with
10,000 followers, one with 1,000 and one with 10 (bulk-created), then for each configuration
(1 and 2 uvicorn processes on one Redis; tasks eager in the web process, and on a real Celery
worker over RabbitMQ when ``--broker`` is reachable) it opens ``--sockets`` WebSockets (default
1,000) as followers of the 10,000-follower author only, spread over the processes, each
subscribed to ``user``, and measures:

(a) ``POST /api/v1/posts`` latency (median of ``--runs``) by each author: 10 and 1,000 followers
    (none connected) and 10,000 (1,000 connected);
(b) the time from sending the 10,000-follower author's post to each socket receiving its
    ``update`` (median socket and the last one; median over ``--runs`` posts).

Every key it writes to Redis (db 0 of ``--redis-url``) carries a prefix of its own and is deleted
at the end; the Celery queue has a name of its own, so a worker of another checkout on the same
broker never takes its tasks. Processes and sockets stay on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django_setup import ROOT, django_setup

FOLLOWER_COUNTS = (10, 1_000, 10_000)


@dataclass
class Result:
    mode: str
    processes: int
    latency_ms: dict[int, float]
    median_ms: float
    last_ms: float
    received: int
    sockets: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def seed(followers: int) -> dict[int, int]:
    """The three authors (by follower count) and their followers; returns {follower count: author id}."""
    from django.core.management import call_command

    from accounts.models import User
    from social.models import Follow

    call_command("migrate", verbosity=0)
    users = [
        User(email=f"fan{n}@bench.local", username=f"fan_{n}", password="!", onboarded=True) for n in range(followers)
    ]
    User.objects.bulk_create(users, batch_size=2_000)
    fans = list(User.objects.filter(email__endswith="@bench.local").order_by("pk").values_list("pk", flat=True))
    authors = {}
    for count in FOLLOWER_COUNTS:
        author = User.objects.create(
            email=f"author{count}@authors.local", username=f"author_{count}", password="!", onboarded=True
        )
        Follow.objects.bulk_create([Follow(follower_id=fan, following_id=author.pk) for fan in fans[:count]], 5_000)
        User.objects.filter(pk=author.pk).update(followers_count=count)
        authors[count] = author.pk
    return authors


def token(user_id: int) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User

    return str(AccessToken.for_user(User.objects.get(pk=user_id)))


def wait_healthy(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"uvicorn on {port} exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/streaming/health", timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"uvicorn on {port} did not start")


@contextmanager
def servers(env: dict[str, str], count: int, worker: bool) -> Any:
    ports = [free_port() for _ in range(count)]
    processes = []
    for port in ports:
        command = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--lifespan", "off"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env))
    if worker:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"]]
        command += ["--pool", "solo", "--without-mingle", "--without-gossip", "--loglevel", "warning"]
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env))
    try:
        for port, process in zip(ports, processes, strict=False):
            wait_healthy(port, process)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def post(port: int, bearer: str, content: str) -> tuple[str, float]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/posts",
        data=json.dumps({"content": content}).encode(),
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as answer:
        body = json.loads(answer.read())
    return body["id"], time.perf_counter() - started


class Sockets:
    """``count`` sockets as the given followers, round-robin over the ports, recording update times."""

    def __init__(self) -> None:
        self.received: dict[str, list[float]] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.connections: list[Any] = []

    async def open(self, ports: list[int], tokens: list[str]) -> None:
        from websockets.asyncio.client import connect

        async def one(index: int, bearer: str) -> None:
            port = ports[index % len(ports)]
            ws = await connect(f"ws://127.0.0.1:{port}/api/v1/streaming?stream=user&access_token={bearer}")
            await ws.send(json.dumps({"type": "sync"}))  # answered once the subscription is handled
            assert json.loads(await ws.recv())["status"] == 400
            self.connections.append(ws)
            self.tasks.append(asyncio.create_task(self.read(ws)))

        for start in range(0, len(tokens), 100):
            await asyncio.gather(*(one(start + i, bearer) for i, bearer in enumerate(tokens[start : start + 100])))

    async def read(self, ws: Any) -> None:
        async for text in ws:
            now = time.perf_counter()
            frame = json.loads(text)
            if frame.get("event") == "update":
                self.received.setdefault(json.loads(frame["payload"])["id"], []).append(now)

    async def wait_for(self, post_id: str, count: int, seconds: float) -> list[float]:
        deadline = time.perf_counter() + seconds
        while len(self.received.get(post_id, [])) < count and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        return self.received.get(post_id, [])

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.connections), return_exceptions=True)


async def measure(
    mode: str,
    ports: list[int],
    author_tokens: dict[int, str],
    fan_tokens: list[str],
    runs: int,
) -> Result:
    sockets = Sockets()
    await sockets.open(ports, fan_tokens)
    big = max(FOLLOWER_COUNTS)
    # Warm-up: the first post of each process (imports, connections), delivered to every socket.
    warm, _ = await asyncio.to_thread(post, ports[0], author_tokens[big], "Warm-up $NVDA")
    await sockets.wait_for(warm, len(fan_tokens), 120)
    latency: dict[int, float] = {}
    for count in FOLLOWER_COUNTS:
        times = []
        for run in range(runs):
            post_id, elapsed = await asyncio.to_thread(post, ports[0], author_tokens[count], f"Latency {count} #{run}")
            times.append(elapsed)
            # Each request on a quiet server: the previous post's delivery has ended.
            await sockets.wait_for(post_id, len(fan_tokens) if count == big else 0, 120)
            await asyncio.sleep(0.2)
        latency[count] = statistics.median(times) * 1000
    medians, lasts, received = [], [], []
    for run in range(runs):
        started = time.perf_counter()
        post_id, _ = await asyncio.to_thread(post, ports[0], author_tokens[big], f"Delivery #{run} $NVDA")
        times = await sockets.wait_for(post_id, len(fan_tokens), 120)
        received.append(len(times))
        if times:
            medians.append((statistics.median(times) - started) * 1000)
            lasts.append((max(times) - started) * 1000)
        await asyncio.sleep(1)
    await sockets.close()
    return Result(
        mode,
        len(ports),
        latency,
        statistics.median(medians) if medians else float("nan"),
        statistics.median(lasts) if lasts else float("nan"),
        min(received),
        len(fan_tokens),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--broker", default="amqp://guest:guest@127.0.0.1:5672//", help='"none" to skip the worker runs'
    )
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--sockets", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--processes", default="1,2", help="ASGI process counts to measure")
    args = parser.parse_args()

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    prefix = f"streambench-{uuid.uuid4().hex[:10]}"
    database = args.database_url or f"sqlite:///{tempfile.gettempdir()}/{prefix}.sqlite3"
    base_env = {
        "DATABASE_URL": database,
        "REDIS_URL": args.redis_url,
        "STREAMING_CHANNEL_PREFIX": prefix,
        "CACHE_KEY_PREFIX": prefix,
        "CELERY_TASK_DEFAULT_QUEUE": prefix,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "RATE_LIMITS_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(base_env)
    os.environ.pop("CELERY_BROKER_URL", None)
    django_setup()
    print(f"seeding {args.followers} followers into {database} ...", flush=True)
    authors = seed(args.followers)
    author_tokens = {count: token(author) for count, author in authors.items()}
    from social.models import Follow

    only_big = (
        Follow.objects.filter(following_id=authors[max(FOLLOWER_COUNTS)])
        .exclude(
            follower_id__in=Follow.objects.exclude(following_id=authors[max(FOLLOWER_COUNTS)]).values("follower_id")
        )
        .order_by("follower_id")
        .values_list("follower_id", flat=True)[: args.sockets]
    )
    fan_tokens = [token(fan) for fan in only_big]

    modes = [("eager (in the web process)", None)]
    broker_host = args.broker.split("@")[-1].split("/")[0]
    if args.broker != "none" and reachable(broker_host.split(":")[0], int(broker_host.split(":")[1] or 5672)):
        modes.append(("Celery worker on RabbitMQ", args.broker))
    else:
        print(f"broker {args.broker} not reachable: only the eager runs", flush=True)
    results = []
    try:
        for mode, broker in modes:
            for count in (int(n) for n in args.processes.split(",")):
                env = {**os.environ, **base_env, "DEBUG": "false"}
                if broker:
                    env["CELERY_BROKER_URL"] = broker
                print(f"measuring: {mode}, {count} ASGI process(es), {len(fan_tokens)} sockets ...", flush=True)
                with servers(env, count, worker=broker is not None) as ports:
                    results.append(asyncio.run(measure(mode, ports, author_tokens, fan_tokens, args.runs)))
    finally:
        import redis

        client = redis.Redis.from_url(args.redis_url)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
        if database.startswith("sqlite:///"):
            Path(database.removeprefix("sqlite:///")).unlink(missing_ok=True)

    print()
    print(
        "| tasks | ASGI processes | POST latency (10 / 1,000 / 10,000 followers) | median socket | last socket | got |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        latency = " / ".join(f"{r.latency_ms[count]:.0f} ms" for count in FOLLOWER_COUNTS)
        print(
            f"| {r.mode} | {r.processes} | {latency} | {r.median_ms:.0f} ms | {r.last_ms:.0f} ms | "
            f"{r.received} of {r.sockets} |"
        )


if __name__ == "__main__":
    main()
