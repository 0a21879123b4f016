"""Django for the benchmark scripts: production-like settings unless already set, then setup."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Production settings (DEBUG off), no rate limits and no request log line per request.
ENV_DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdef",
    "RATE_LIMITS_ENABLED": "false",
    "LOG_LEVEL": "WARNING",
}


def django_setup() -> None:
    """Requires ``DATABASE_URL`` (benchmarks run against a chosen database), validates settings, sets up Django."""
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/bench1m).")
    sys.path.insert(0, str(ROOT))
    for name, value in ENV_DEFAULTS.items():
        os.environ.setdefault(name, value)
    from config.env import settings_or_exit

    settings_or_exit()
    import django

    django.setup()
