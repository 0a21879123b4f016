"""Shared fixtures and the test-only settings overrides (README.md, "Development", says how to run the tests)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import UserFactory
from core.testing import moto_s3, s3  # noqa: F401 - shared fixtures: S3 on a moto server

# Every API answer a test gets is checked against the OpenAPI schema (see the module);
# `celery_worker` is a real Celery worker on RabbitMQ for the tests of the queue itself.
pytest_plugins = ["core.schema_testing", "core.testing_celery"]

# CI runs the property tests on a fixed sequence of examples (HYPOTHESIS_PROFILE=ci, set by
# .ci/run), so a red build is reproducible and never a coin toss; local runs keep exploring.
# No per-example deadline there either: two xdist workers on two cores make timings noisy.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Path) -> Iterator[None]:
    # No manifest in tests: collectstatic is a deploy step.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
        settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if settings.REDIS_URL:
        # One Redis database per xdist worker, so cache.clear() (FLUSHDB) in one
        # worker never wipes another's rate-limit counters mid-test.
        worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
        base = settings.REDIS_URL.rsplit("/", 1)[0] if settings.REDIS_URL.count("/") > 2 else settings.REDIS_URL
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": f"{base}/{(worker % 15) + 1}"},
        }
    # The streams' channel layer in this process only, also with REDIS_URL: Redis pub/sub channels
    # ignore the db number, so the suite's events would reach any server subscribed on that Redis.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_rate_limits(settings: Any) -> None:
    settings.RATE_LIMITS_ENABLED = False


@pytest.fixture
def http_settings(settings: Any, no_rate_limits: None) -> None:
    """For browser tests: the live server speaks plain HTTP; production cookies are Secure-only."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def other_user(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def staff_user(db: None) -> Any:
    return UserFactory(is_staff=True)


def bearer(user: Any) -> str:
    return f"Bearer {RefreshToken.for_user(user).access_token}"


@pytest.fixture
def auth_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


@pytest.fixture
def client_for() -> Any:
    """``client_for(user)``: an API client signed in as that user."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer(user))
        return client

    return make
