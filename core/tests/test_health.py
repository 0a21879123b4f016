import time

import pytest
from django.core.cache import cache

from core import testing_celery
from core.testing_celery import require_broker
from metrics import health

pytestmark = pytest.mark.django_db


def test_liveness_answers_ok(api_client):
    response = api_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_checks_database_cache_and_storage(api_client, settings):
    response = api_client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
        "down": [],
    }
    # The storage probe cleans up after itself.
    probes = settings.MEDIA_ROOT / "health-probes"
    assert not probes.exists() or not any(probes.iterdir())


@pytest.mark.parametrize("name", ["database", "cache", "storage"])
def test_readiness_is_503_naming_what_is_down(api_client, monkeypatch, name):
    def broken():
        raise ConnectionError("connection refused to 10.1.2.3:5432 as admin")

    monkeypatch.setitem(health.CHECKS, name, broken)
    response = api_client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["down"] == [name]
    assert body["checks"][name] == "down"
    assert "10.1.2.3" not in response.content.decode()


class ForgetfulCache:
    def set(self, key, value, timeout=None):
        pass

    def get(self, key):
        return None


def test_cache_check_fails_when_the_cache_loses_writes(monkeypatch):
    monkeypatch.setattr(health, "cache", ForgetfulCache())
    assert health.readiness()["cache"] == "down"


@pytest.fixture
def storage_writes(monkeypatch):
    """Counts the storage probe's runs (each writes and deletes a file)."""
    runs = []

    def counting_check():
        runs.append(1)
        health.check_storage()

    monkeypatch.setitem(health.CHECKS, "storage", counting_check)
    return runs


def test_readiness_runs_its_checks_once_per_window(api_client, storage_writes):
    first = api_client.get("/health/ready")
    second = api_client.get("/health/ready")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    # One storage write (and one cache probe) for both calls.
    assert len(storage_writes) == 1
    assert cache.get(health.READINESS_CACHE_KEY) == first.json()["checks"]

    cache.delete(health.READINESS_CACHE_KEY)  # the window is over
    assert api_client.get("/health/ready").status_code == 200
    assert len(storage_writes) == 2


def test_readiness_keeps_a_down_answer_for_its_window_too(api_client, monkeypatch, storage_writes):
    def broken():
        raise ConnectionError("no database")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    answers = [api_client.get("/health/ready") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [503, 503, 503]
    assert len(storage_writes) == 1


class BrokenCache:
    def get(self, key):
        raise ConnectionError("cache unreachable")

    set = delete = get


def test_readiness_still_answers_when_the_cache_is_down(api_client, monkeypatch):
    monkeypatch.setattr(health, "cache", BrokenCache())

    response = api_client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["down"] == ["cache"]


def test_staff_health_report_runs_the_checks_fresh(monkeypatch, storage_writes):
    health.readiness()
    health.readiness()

    assert len(storage_writes) == 2


def test_readiness_leaves_the_broker_out_in_eager_mode(api_client, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER  # no CELERY_BROKER_URL: tasks run in-process

    response = api_client.get("/health/ready")

    assert response.status_code == 200
    assert "broker" not in response.json()["checks"]


def test_readiness_checks_the_broker_when_there_is_one(api_client, settings):
    require_broker()
    settings.CELERY_BROKER_URL = testing_celery.BROKER_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = api_client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "storage": "ok", "broker": "ok"}


def test_readiness_is_503_naming_the_broker_when_it_is_down(api_client, settings, caplog):
    settings.CELERY_BROKER_URL = "amqp://pageshare:s3cret-broker-pw@127.0.0.1:1//"  # nothing listens there
    settings.CELERY_TASK_ALWAYS_EAGER = False

    started = time.monotonic()
    response = api_client.get("/health/ready")

    assert time.monotonic() - started < 2 * health.BROKER_CHECK_SECONDS + 1
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]
    assert response.json()["checks"]["broker"] == "down"
    assert "s3cret-broker-pw" not in response.content.decode()
    assert "readiness check broker failed" in caplog.text
    assert "s3cret-broker-pw" not in caplog.text
