"""Strict parsing of deploy-time settings from the environment.

Every problem is collected, then reported together with one line per variable,
so an operator fixes a bad deploy in one go instead of one restart per typo.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable
from typing import Any, TypeVar

import environ
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Reads variables from ``os.environ`` and remembers every bad one."""

    def __init__(self, environ_: dict[builtins.str, builtins.str] | None = None) -> None:
        self.environ = os.environ if environ_ is None else environ_
        self.errors: builtins.list[builtins.str] = []

    def raw(self, name: builtins.str) -> builtins.str | None:
        value = self.environ.get(name)
        if value is None:
            return None
        return value.strip()

    def _parse(self, name: builtins.str, default: T, parser: Callable[[builtins.str], T], expected: str) -> T:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            return parser(value)
        except (ValueError, TypeError, KeyError, ImproperlyConfigured):
            self.errors.append(f"{name}: expected {expected}, got {value!r}")
            return default

    def str(self, name: builtins.str, default: builtins.str = "") -> builtins.str:
        return self._parse(name, default, lambda v: v, "a string")

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        def parse(value: builtins.str) -> builtins.bool:
            lowered = value.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError(value)

        return self._parse(name, default, parse, "true or false")

    def int(self, name: builtins.str, default: builtins.int, *, minimum: builtins.int = 0) -> builtins.int:
        def parse(value: builtins.str) -> builtins.int:
            number = int(value)
            if number < minimum:
                raise ValueError(value)
            return number

        return self._parse(name, default, parse, f"an integer >= {minimum}")

    def float(self, name: builtins.str, default: builtins.float) -> builtins.float:
        return self._parse(name, default, float, "a number")

    def choice(self, name: builtins.str, default: builtins.str, choices: tuple[builtins.str, ...]) -> builtins.str:
        def parse(value: builtins.str) -> builtins.str:
            if value not in choices:
                raise ValueError(value)
            return value

        return self._parse(name, default, parse, f"one of {', '.join(choices)}")

    def rate(self, name: builtins.str, default: builtins.str) -> builtins.str:
        """A rate limit, ``count/period`` with a period of s, m, h or d (as ``core.throttling`` reads it)."""

        def parse(value: builtins.str) -> builtins.str:
            count, _, period = value.partition("/")
            if not count.isdigit() or int(count) < 1 or period[:1] not in {"s", "m", "h", "d"}:
                raise ValueError(value)
            return value

        return self._parse(name, default, parse, "a rate such as 30/h (count/s, m, h or d)")

    def rates(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        """Comma-separated rate limits that all apply (``50/h,1000/d``), each as ``rate`` reads it."""

        def parse(value: builtins.str) -> builtins.list[builtins.str]:
            rates = [item.strip() for item in value.split(",") if item.strip()]
            for rate in rates:
                count, _, period = rate.partition("/")
                if not count.isdigit() or int(count) < 1 or period[:1] not in {"s", "m", "h", "d"}:
                    raise ValueError(rate)
            return rates

        return self._parse(name, list(default), parse, "comma-separated rates such as 50/h,1000/d")

    def list(
        self, name: builtins.str, default: builtins.list[builtins.str] | None = None
    ) -> builtins.list[builtins.str]:
        def parse(value: builtins.str) -> builtins.list[builtins.str]:
            return [item.strip() for item in value.split(",") if item.strip()]

        return self._parse(name, list(default or []), parse, "a comma-separated list")

    def origins(
        self, name: builtins.str, default: builtins.list[builtins.str] | None = None
    ) -> builtins.list[builtins.str]:
        def parse(value: builtins.str) -> builtins.list[builtins.str]:
            origins = [item.strip().rstrip("/") for item in value.split(",") if item.strip()]
            for origin in origins:
                if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
                    raise ValueError(origin)
            return origins

        return self._parse(name, list(default or []), parse, "comma-separated origins like https://app.example.com")

    def url(self, name: builtins.str, schemes: tuple[builtins.str, ...]) -> builtins.str | None:
        def parse(value: builtins.str) -> builtins.str:
            if "://" not in value or value.split("://", 1)[0] not in schemes:
                raise ValueError(value)
            return value

        return self._parse(name, None, parse, f"a URL with scheme {' or '.join(schemes)}")

    def database(self, name: builtins.str, default: builtins.str) -> dict[builtins.str, Any]:
        def parse(value: builtins.str) -> dict[builtins.str, Any]:
            scheme = value.split("://", 1)[0]
            if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
                raise ValueError(value)
            config: dict[builtins.str, Any] = environ.Env.db_url_config(value)
            if scheme != "sqlite" and not config.get("NAME"):
                raise ValueError(value)
            return config

        fallback = environ.Env.db_url_config(default)
        return self._parse(name, fallback, parse, "sqlite:///path or postgres://user:pass@host:port/name")

    def email(self, name: builtins.str) -> dict[builtins.str, Any]:
        console = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}

        def parse(value: builtins.str) -> dict[builtins.str, Any]:
            scheme = value.split("://", 1)[0]
            if scheme in {"console", "consolemail"}:
                return console
            if scheme in {"locmem", "memory"}:
                return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
            if scheme not in {"smtp", "smtps", "smtp+tls", "smtp+ssl"}:
                raise ValueError(value)
            config: dict[builtins.str, Any] = environ.Env.email_url_config(value)
            if not config.get("EMAIL_HOST"):
                raise ValueError(value)
            return config

        return self._parse(name, console, parse, "smtp://user:pass@host:port or console://")

    def check(self) -> None:
        """Stop the process with one line per bad variable."""
        if self.errors:
            lines = "\n".join(f"  - {error}" for error in self.errors)
            raise ImproperlyConfigured(f"Bad environment configuration:\n{lines}")


def settings_or_exit(exit_code: int = 1) -> None:
    """Loads the settings, or stops the process with their one-line-per-variable message.

    Entry points (manage.py, wsgi, asgi) call this first: Django's own command
    runner swallows a settings error and fails later with an unrelated
    traceback (``AppRegistryNotReady``) instead of naming the bad variable.
    """
    import sys

    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - importing the settings validates them
    except ImproperlyConfigured as error:
        sys.stderr.write(f"{error}\n")
        raise SystemExit(exit_code) from None
