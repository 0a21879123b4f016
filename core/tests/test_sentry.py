import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from core.sentry import init_sentry

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]


class CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)

    def flush(self, timeout, callback=None):
        pass

    def kill(self):
        pass


@pytest.fixture
def sentry_events():
    init_sentry(dsn="http://public@127.0.0.1:9/1", environment="test", send_default_pii=False, traces_sample_rate=0.0)
    transport = CapturingTransport()
    sentry_sdk.get_client().transport = transport
    yield transport.events
    sentry_sdk.init()  # back to a client that sends nothing


def test_unhandled_api_errors_reach_sentry_without_personal_data(client_for, user, sentry_events):
    client = client_for(user)
    client.raise_request_exception = False
    response = client.get(
        "/api/test/boom",
        HTTP_X_REQUEST_ID="req-42",
        HTTP_COOKIE="sessionid=secret-cookie",
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 500
    assert len(sentry_events) == 1
    event = sentry_events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["environment"] == "test"
    sent = repr(event)
    assert user.email not in sent
    assert "198.51.100.7" not in sent
    assert "secret-cookie" not in sent
    assert "Bearer" not in sent


def test_events_carry_no_local_variables_or_bodies(client_for, user, sentry_events):
    client = client_for(user)
    client.raise_request_exception = False
    client.get("/api/test/boom?token=abc123")
    frames = sentry_events[0]["exception"]["values"][-1]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)
    assert "abc123" not in repr(sentry_events[0])


def test_settings_start_sentry_only_when_a_dsn_is_set():
    code = (
        "import django, sentry_sdk; django.setup(); "
        "client = sentry_sdk.get_client(); "
        "print(client.is_active(), client.dsn, client.options['environment'])"
    )
    base = {key: value for key, value in os.environ.items() if not key.startswith("SENTRY")}
    base.update(DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings")
    off = subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, cwd=ROOT, check=True)
    assert off.stdout.split()[1] == "None"
    on = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "SENTRY_DSN": "http://public@127.0.0.1:9/1", "SENTRY_ENVIRONMENT": "staging"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert on.stdout.split() == ["True", "http://public@127.0.0.1:9/1", "staging"]
