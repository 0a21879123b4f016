import pytest

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
