"""Two ASGI processes on one Redis: a post written through process A reaches a socket on process B.

Real uvicorn processes, the Redis pub/sub channel layer and the Redis cache (presence), on db 0
with key prefixes of this test's own (the suite's cache uses dbs 1-15; only these keys are
deleted afterwards), and one database both processes share: a SQLite file migrated here, or the
test database itself on PostgreSQL. Skipped without Redis, unless ``PAGESHARE_REQUIRE_REDIS=1``.
The Redis server is ``STREAMING_TEST_REDIS_URL``'s, else ``REDIS_URL``'s, else 127.0.0.1:6379.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from core.testing import skip_unless_required

ROOT = Path(__file__).resolve().parents[2]
SETUP = """
import json
from rest_framework_simplejwt.tokens import RefreshToken
from accounts.models import User
from social.services import follow_create
author = User.objects.create_user(email="author@example.com", username="author_two", password="x-Secret-123456")
viewer = User.objects.create_user(email="viewer@example.com", username="viewer_two", password="x-Secret-123456")
follow_create(follower=viewer, target=author)
print(json.dumps({"author": str(RefreshToken.for_user(author).access_token),
                  "viewer": str(RefreshToken.for_user(viewer).access_token)}))
"""


def redis_url() -> str:
    base = os.environ.get("STREAMING_TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    return base.rsplit("/", 1)[0] + "/0" if base.count("/") > 2 else base.rstrip("/") + "/0"


def redis_missing(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {url} ({exc})"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"uvicorn on {port} exited: {process.stdout.read().decode() if process.stdout else ''}"
            )
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/streaming/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"uvicorn on {port} did not start")


@pytest.fixture
def shared_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    url = redis_url()
    skip_unless_required(redis_missing(url), what="two-process streaming", required_by="PAGESHARE_REQUIRE_REDIS")
    prefix = f"streamtest-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "REDIS_URL": url,
        "STREAMING_CHANNEL_PREFIX": prefix,
        "CACHE_KEY_PREFIX": prefix,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "RATE_LIMITS_ENABLED": "false",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)  # the fan-out runs eagerly in process A
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        login = quote(db.get("USER") or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = (
            f"postgres://{login}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    yield env
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


def start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--lifespan", "off"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def post_through(port: int, token: str, content: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/posts",
        data=json.dumps({"content": content}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201
        return dict(json.loads(answer.read()))


async def receive_updates(port_a: int, port_b: int, tokens: dict[str, str]) -> tuple[dict[str, Any], list[Any]]:
    from websockets.asyncio.client import connect

    async with connect(f"ws://127.0.0.1:{port_b}/api/v1/streaming?access_token={tokens['viewer']}") as ws:
        for stream in ("user", "public"):
            await ws.send(json.dumps({"type": "subscribe", "stream": stream}))
        # Answered after both subscribes (handled in order): B has joined its groups on Redis.
        await ws.send(json.dumps({"type": "sync"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["status"] == 400
        await asyncio.sleep(0.5)  # the pub/sub subscription is confirmed by Redis asynchronously
        created = await asyncio.to_thread(post_through, port_a, tokens["author"], "Across processes, $NVDA")
        frames = [json.loads(await asyncio.wait_for(ws.recv(), 15)) for _ in range(2)]
    return created, frames


@pytest.mark.django_db(transaction=True)
def test_post_through_one_process_reaches_a_socket_on_another(shared_env: dict[str, str]) -> None:
    setup = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT,
        env=shared_env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    tokens = json.loads(setup.stdout.decode().strip().splitlines()[-1])
    port_a, port_b = free_port(), free_port()
    processes = [start(shared_env, port_a), start(shared_env, port_b)]
    try:
        for port, process in zip((port_a, port_b), processes, strict=True):
            wait_healthy(port, process)
        created, frames = asyncio.run(receive_updates(port_a, port_b, tokens))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
    assert sorted(frame["stream"][0] for frame in frames) == ["public", "user"]
    for frame in frames:
        assert frame["event"] == "update"
        assert json.loads(frame["payload"])["id"] == created["id"]
