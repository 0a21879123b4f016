"""Structured logging: every line carries the request id of the request that wrote it."""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def forget_request_id(**kwargs: Any) -> None:
    """Ends the current request's id: a ``request_finished`` receiver (see ``CoreConfig.ready``).

    Django sends the signal when the server closes the response, after the 4xx/5xx line of
    ``django.request`` and runserver's access line, so those carry the id too.
    """
    request_id_var.set("-")


class RequestIDFilter(logging.Filter):
    """Adds ``request_id`` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id == "-":
            # Records that name their request (django.request's) keep its id even when logged
            # outside its context (an ASGI thread, a log written after the response closed).
            request_id = getattr(getattr(record, "request", None), "request_id", request_id)
        record.request_id = request_id
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extras."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


ACCESS_TOKEN = re.compile(r"(access_token=)[^&\s\"']*")


class AccessTokenFilter(logging.Filter):
    """Blanks ``access_token=...`` (the streaming API's token in a query string) in every line.

    uvicorn logs a WebSocket's full path with its query; the token would otherwise sit in the logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "access_token=" in message:
            record.msg = ACCESS_TOKEN.sub(r"\1***", message)
            record.args = None
        return True
