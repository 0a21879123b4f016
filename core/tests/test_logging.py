import json
import logging
import threading
import urllib.error
import urllib.request

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


@pytest.fixture
def request_log(caplog):
    """Every record of a request, stamped by the filter the console handler uses."""
    caplog.handler.addFilter(RequestIDFilter())
    caplog.set_level(logging.INFO)
    return caplog


def test_every_line_of_a_request_carries_its_id_even_after_the_middleware(api_client, monkeypatch, request_log):
    monkeypatch.setattr("core.middleware.SLOW_REQUEST_MS", -1)

    response = api_client.get("/api/v1/no-such-thing", HTTP_X_REQUEST_ID="trace-404")

    assert response.status_code == 404
    lines = [(r.name, r.getMessage(), r.request_id) for r in request_log.records]
    # The slow line is written as the middleware returns, django.request's after the whole chain.
    assert ("pageshare.request", lines[0][1], "trace-404") in lines
    assert lines[0][1].startswith("slow request GET /api/v1/no-such-thing")
    assert ("django.request", "Not Found: /api/v1/no-such-thing", "trace-404") in lines
    # Once the response is closed, the id is gone: a later line is not blamed on this request.
    assert request_id_var.get() == "-"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/v1/no-such-thing", "Not Found: /api/v1/no-such-thing"),  # Django's 404, re-rendered
        ("/api/v1/posts/999999", "Not Found: /api/v1/posts/999999"),  # DRF's 404
        ("/no-such-page", "Not Found: /no-such-page"),  # outside the API
    ],
)
def test_a_404_is_logged_once(api_client, request_log, path, message):
    response = api_client.get(path, HTTP_X_REQUEST_ID="once-404")

    assert response.status_code == 404
    logged = [(r.name, r.levelname, r.getMessage(), r.request_id) for r in request_log.records]
    assert logged == [("django.request", "WARNING", message, "once-404")]


def test_a_500_is_logged_once_with_its_traceback(api_client, request_log):
    api_client.raise_request_exception = False

    response = api_client.get("/api/test/boom", HTTP_X_REQUEST_ID="once-500")

    assert response.status_code == 500
    errors = [r for r in request_log.records if r.levelno >= logging.ERROR]
    assert [(r.name, r.getMessage(), r.request_id) for r in errors] == [
        ("pageshare.request", "unhandled exception on GET /api/test/boom", "once-500")
    ]
    assert errors[0].exc_info[0] is RuntimeError


def test_runservers_access_line_carries_the_request_id(settings):
    """runserver logs its line after the middleware returned, before it closes the response."""
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer, get_internal_wsgi_application

    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    app = get_internal_wsgi_application()  # (sets logging up again: before our handler goes on)
    records = []
    handler = logging.Handler()
    handler.addFilter(RequestIDFilter())
    handler.emit = records.append
    server_logger = logging.getLogger("django.server")
    server_logger.addHandler(handler)
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(app)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.server_port}/api/v1/no-such-thing", headers={"X-Request-ID": "served-1"}
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=10)
        thread.join(timeout=10)
    finally:
        server_logger.removeHandler(handler)
        server.server_close()

    assert answer.value.code == 404
    [record] = records
    assert '"GET /api/v1/no-such-thing HTTP/1.1" 404' in record.getMessage()
    assert record.request_id == "served-1"


def test_django_lines_go_through_the_one_console_handler():
    """Django's defaults give "django" a console handler of its own: under DEBUG every line printed twice."""
    [console] = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate is True
    assert logging.getLogger("django.request").handlers == []
    assert [h for h in logging.getLogger("django.server").handlers if type(h) is logging.StreamHandler] == [console]
