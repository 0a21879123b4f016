#!/usr/bin/env python
"""Times ``refresh_metrics`` and the staff metrics endpoints through the whole Django stack.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench1m \\
        .venv/bin/python bench/metrics_bench.py [--refresh-days 3] [--runs 9]

First runs ``refresh_metrics --days N`` once and reports its wall time (this writes the
roll-ups, as cron would). Then, as a staff user (the demo admin, ``admin@pageshare.local``,
with a real bearer token), requests each of ``metrics/dashboard``, ``metrics/users``,
``metrics/engagement``, ``metrics/growth``, ``metrics/health``, ``metrics/trending`` and
``tickers/trending`` (``?days=30``): one warm-up, then ``--runs`` timed requests (median,
min, max of the wall time of ``Client.get``), and the admin's metrics dashboard page the
same way. (Query budgets are pinned by the tests, not here.)
The shared cache is cleared before every timed request, so cached answers do not hide
the cost. Settings as in ``bench/feed_bench.py``: ``DEBUG=false``, rate limits off.
"""

from __future__ import annotations

import argparse
import statistics
import time

from django_setup import django_setup

API = [
    "/api/v1/metrics/dashboard",
    "/api/v1/metrics/users",
    "/api/v1/metrics/engagement",
    "/api/v1/metrics/growth",
    "/api/v1/metrics/health",
    "/api/v1/metrics/trending",
    "/api/v1/tickers/trending",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refresh-days", type=int, default=3, help="--days for refresh_metrics (default 3).")
    parser.add_argument("--skip-refresh", action="store_true", help="Time the endpoints only.")
    parser.add_argument("--runs", type=int, default=9, help="Timed requests per endpoint (default 9).")
    parser.add_argument("--staff", default="admin@pageshare.local", help="E-mail of a staff user.")
    args = parser.parse_args()
    django_setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User

    connection.settings_dict["CONN_MAX_AGE"] = None
    if not args.skip_refresh:
        started = time.perf_counter()
        call_command("refresh_metrics", days=args.refresh_days)
        print(f"refresh_metrics --days {args.refresh_days}: {time.perf_counter() - started:.1f} s")

    staff = User.objects.get(email=args.staff)
    token = RefreshToken.for_user(staff).access_token
    api = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    admin = Client(SERVER_NAME="localhost")
    admin.force_login(staff)

    print(f"{'url':<42} {'median':>8} {'min':>8} {'max':>8}")
    for client, url, params in [(api, path, {"days": 30}) for path in API] + [
        (admin, reverse("admin:metrics_dashboard"), {})
    ]:
        cache.clear()
        client.get(url, params, secure=True)  # warm-up
        cache.clear()
        response = client.get(url, params, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(args.runs):
            cache.clear()
            started = time.perf_counter()
            client.get(url, params, secure=True)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{url:<42} {statistics.median(times):>6.0f}ms {min(times):>6.0f}ms {max(times):>6.0f}ms")


if __name__ == "__main__":
    main()
