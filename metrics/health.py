"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)

PROBE_PREFIX = "health-probes/"
# /health/ready is anonymous and each run writes to the cache and the storage:
# its answer is kept this long, so a flood of probes costs one run per window.
READINESS_CACHE_KEY = "health:ready"
READINESS_CACHE_SECONDS = 5
# The broker check's connect timeout: a probe must answer before the orchestrator gives up on it.
BROKER_CHECK_SECONDS = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def check_storage() -> None:
    # A real write and delete: a reachable bucket we cannot write to is not ready.
    name = default_storage.save(f"{PROBE_PREFIX}{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


def check_broker() -> None:
    # A connection, opened and closed: the broker accepts ours (the address, the credentials, the vhost).
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_CHECK_SECONDS) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_CHECK_SECONDS)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "broker": check_broker,
}


def _checks() -> dict[str, Callable[[], None]]:
    """The checks that apply: the broker only when there is one (tasks run eagerly, in-process, without)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {name: check for name, check in CHECKS.items() if name != "broker"}
    return CHECKS


def readiness() -> dict[str, str]:
    """``{"database": "ok", "cache": "down", ...}``; the reason goes to the log, not the answer."""
    results = {}
    for name, check in _checks().items():
        try:
            check()
        except Exception:
            logger.exception("readiness check %s failed", name)
            results[name] = "down"
        else:
            results[name] = "ok"
    return results


def readiness_recent() -> dict[str, str]:
    """``readiness()`` as run at most ``READINESS_CACHE_SECONDS`` ago (by any worker): for the anonymous probe.

    A cache that is down is no reason to refuse the probe: the checks then run
    every time (and report the cache down).
    """
    try:
        recent = cache.get(READINESS_CACHE_KEY)
    except Exception:
        recent = None
    if isinstance(recent, dict):
        return recent
    results = readiness()
    try:
        cache.set(READINESS_CACHE_KEY, results, timeout=READINESS_CACHE_SECONDS)
    except Exception:
        logger.warning("could not keep the readiness answer in the cache", exc_info=True)
    return results
