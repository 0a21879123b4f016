import logging
from typing import Any

from core.logging import AccessTokenFilter


def test_access_token_is_blanked_in_uvicorn_lines() -> None:
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:5000", "/api/v1/streaming?stream=user&access_token=eyJ.secret.sig&x=1"), None,
    )  # fmt: skip

    assert AccessTokenFilter().filter(record) is True

    assert record.getMessage() == (
        '127.0.0.1:5000 - "WebSocket /api/v1/streaming?stream=user&access_token=***&x=1" [accepted]'
    )


def test_lines_without_a_token_are_left_alone() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "GET %s", ("/api/v1/feed",), None)

    AccessTokenFilter().filter(record)

    assert (record.msg, record.args) == ("GET %s", ("/api/v1/feed",))


def test_the_console_handler_applies_it() -> None:
    from django.conf import settings

    logging_config: Any = settings.LOGGING
    assert "access_token" in logging_config["handlers"]["console"]["filters"]
