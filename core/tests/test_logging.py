import json
import logging

import pytest

from core.logging import JSONFormatter, RequestIDFilter, request_id_var

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]


def format_record(message, **extra):
    record = logging.makeLogRecord({"name": "pageshare.test", "levelname": "WARNING", "msg": message, **extra})
    RequestIDFilter().filter(record)
    return json.loads(JSONFormatter().format(record))


def test_json_lines_carry_the_request_id_and_extras():
    token = request_id_var.set("req-7")
    try:
        line = format_record("slow request", duration_ms=812)
    finally:
        request_id_var.reset(token)
    assert line["message"] == "slow request"
    assert line["request_id"] == "req-7"
    assert line["duration_ms"] == 812
    assert line["level"] == "WARNING"
    assert line["time"].endswith("+00:00")


def test_outside_a_request_the_id_is_a_dash():
    assert format_record("startup")["request_id"] == "-"


def test_slow_requests_are_logged(api_client, monkeypatch, caplog):
    monkeypatch.setattr("core.middleware.SLOW_REQUEST_MS", -1)
    with caplog.at_level(logging.WARNING, logger="pageshare.request"):
        api_client.get("/health", HTTP_X_REQUEST_ID="slow-1")
    [record] = [r for r in caplog.records if r.name == "pageshare.request"]
    assert record.getMessage().startswith("slow request GET /health")
    assert record.status == 200


def test_fast_requests_are_not_logged(api_client, caplog):
    with caplog.at_level(logging.WARNING, logger="pageshare.request"):
        api_client.get("/health")
    assert not [r for r in caplog.records if r.name == "pageshare.request"]


def test_crashes_are_logged_with_their_request_id(api_client, caplog):
    api_client.raise_request_exception = False
    caplog.handler.addFilter(RequestIDFilter())
    with caplog.at_level(logging.ERROR, logger="pageshare.request"):
        api_client.get("/api/test/boom", HTTP_X_REQUEST_ID="boom-1")
    [record] = [r for r in caplog.records if r.name == "pageshare.request"]
    assert record.exc_info[0] is RuntimeError
    assert record.request_id == "boom-1"
