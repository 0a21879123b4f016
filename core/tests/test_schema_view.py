"""``/api/schema`` is generated once per process (core.schema_view), and again after a settings change."""

from __future__ import annotations

import pytest
from drf_spectacular.views import SpectacularAPIView

from core import schema_view


@pytest.fixture
def generations(monkeypatch):
    schema_view._generated.clear()
    calls = []
    generate = SpectacularAPIView._get_schema_response

    def counted(self, *args, **kwargs):
        calls.append(1)
        return generate(self, *args, **kwargs)

    # The view's own generations (the suite's response checker generates one of its own).
    monkeypatch.setattr(SpectacularAPIView, "_get_schema_response", counted)
    yield calls
    schema_view._generated.clear()


def test_the_schema_is_generated_once_and_served_in_every_format(api_client, generations):
    first = api_client.get("/api/schema?format=json")
    again = api_client.get("/api/schema?format=json")
    yaml = api_client.get("/api/schema")

    assert (first.status_code, again.status_code, yaml.status_code) == (200, 200, 200)
    assert first.content == again.content
    assert first.json()["openapi"].startswith("3.")
    assert yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"openapi: 3." in yaml.content
    assert len(generations) == 1


def test_a_settings_change_forgets_the_schema(api_client, generations, settings):
    api_client.get("/api/schema?format=json")
    settings.CONTENT_RETENTION_DAYS = 7  # any setting: the schema may read settings

    assert api_client.get("/api/schema?format=json").status_code == 200
    assert len(generations) == 2
