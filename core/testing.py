"""Test helpers shared by every app's tests."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
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


# Hostile text for the regexes that read user input: runs of one character or of a
# short unit, each a classic trigger of backtracking (a pattern that rescans a run
# from every position inside it is quadratic on them). Tests repeat each unit, and
# the units their own pattern cares about, to a length (``hostile``).
HOSTILE_UNITS = (
    *("a", "1", "-", ".", " ", "\t", "_", "é", "=", ":", '"', "\\", "$", "#", "@"),
    *("a.", "a-", "a1-", "a=", ":1"),
)


def hostile(unit: str, size: int) -> str:
    """``unit`` repeated to about ``size`` characters."""
    return unit * (size // len(unit))


def seconds_taken(call: Callable[[], Any]) -> tuple[Any, float]:
    """``call()``'s result and the CPU seconds this thread spent on it: only for the few tests that bound a cost.

    CPU time, not wall-clock time: those tests tell linear code (milliseconds)
    from a backtracking pattern (hours), and a machine busy with other
    processes must not push a linear call over its bound.
    """
    started = time.thread_time()
    result = call()
    return result, time.thread_time() - started


# S3: real boto3 HTTP calls against moto's server on loopback (moto is imported only when used).
S3_BUCKET = "pageshare-test-media"
S3_REGION = "us-east-1"
_S3_DUMMY_KEY = "testing"


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[tuple[str, Any]]:
    """``(endpoint_url, boto3 client)`` for a moto S3 server holding an empty, publicly readable ``S3_BUCKET``."""
    import boto3
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as patch:
        # Dummies, so neither boto3 nor storages ever looks for real credentials.
        patch.setenv("AWS_ACCESS_KEY_ID", _S3_DUMMY_KEY)
        patch.setenv("AWS_SECRET_ACCESS_KEY", _S3_DUMMY_KEY)
        patch.setenv("AWS_DEFAULT_REGION", S3_REGION)
        for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SECURITY_TOKEN"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_CONFIG_FILE", "/dev/null")
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # port 0: a free one
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            client = boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name=S3_REGION,
                aws_access_key_id=_S3_DUMMY_KEY,
                aws_secret_access_key=_S3_DUMMY_KEY,
            )
            client.create_bucket(Bucket=S3_BUCKET)
            # How a deploy with unsigned URLs (AWS_QUERYSTRING_AUTH=false) publishes media.
            public_read = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{S3_BUCKET}/*",
                    },
                ],
            }
            client.put_bucket_policy(Bucket=S3_BUCKET, Policy=json.dumps(public_read))
            yield endpoint, client
        finally:
            server.stop()


@pytest.fixture
def s3(moto_s3: tuple[str, Any], settings: Any) -> Iterator[tuple[str, Any]]:
    """The default storage switched to S3Storage on the moto server, as settings.py would build it."""
    from django.core.files.storage import default_storage, storages
    from storages.backends.s3 import S3Storage

    endpoint, client = moto_s3
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "endpoint_url": endpoint,
                "access_key": _S3_DUMMY_KEY,
                "secret_key": _S3_DUMMY_KEY,
                "region_name": S3_REGION,
                "querystring_auth": False,
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    # The setting_changed signal emptied Django's storage cache; FileFields keep the
    # lazy `default_storage` proxy, bound at import, so they follow.
    assert isinstance(storages["default"], S3Storage)
    assert isinstance(default_storage, S3Storage)
    yield endpoint, client
    for item in client.list_objects_v2(Bucket=S3_BUCKET).get("Contents", []):
        client.delete_object(Bucket=S3_BUCKET, Key=item["Key"])


def s3_keys(client: Any) -> list[str]:
    """Every key in the test bucket, sorted."""
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=S3_BUCKET).get("Contents", []))


PROBLEM_CONTENT_TYPE = "application/problem+json"


def assert_problem(response: Any, status: int, *fields: str) -> dict[str, Any]:
    """Asserts an RFC 9457 answer with ``status`` and returns its body.

    With ``fields``, ``errors`` must name exactly those fields.
    """
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body), body
    if fields:
        assert set(body["errors"]) == set(fields), body
    return body


# Browser tests: Debian's Chromium driven by Playwright (never a downloaded browser).

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 15_000


def _browser_missing() -> str | None:
    """Why the browser cannot run here, or None."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -r requirements-dev.txt)"
    return None


def skip_unless_required(reason: str | None, *, what: str, required_by: str) -> None:
    """Skips the test for ``reason`` (what it lacks), or fails it when CI sets ``required_by`` to 1."""
    if reason:
        if os.environ.get(required_by) == "1":
            pytest.fail(f"The {what} test must run here ({required_by}=1), but {reason}.")
        pytest.skip(reason)


def require_browser() -> None:
    """Skips the test when the browser cannot run, or fails it when CI requires the browser."""
    skip_unless_required(_browser_missing(), what="browser", required_by="PAGESHARE_REQUIRE_BROWSER")


@contextmanager
def chromium_page(screenshots: Path) -> Iterator[Any]:
    """A fresh Chromium page; screenshots of each step land in ``screenshots`` for a failed run.

    Playwright's sync API runs an event loop in this thread while it is open,
    and Django then refuses ORM calls here (and would give them connections of
    their own, never closed): make every query before or after this block.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            tab = context.new_page()
            tab.screenshots_dir = screenshots  # type: ignore[attr-defined]
            yield tab
        finally:
            browser.close()


def snap(page: Any, name: str) -> None:
    page.screenshot(path=str(page.screenshots_dir / f"{name}.png"), full_page=True)
