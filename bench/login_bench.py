#!/usr/bin/env python
"""Times sign-in (``POST auth/login``) through the whole Django stack with the project's password hasher.

    DATABASE_URL=sqlite:////tmp/login_bench.sqlite3 .venv/bin/python bench/login_bench.py [--runs 50]

Migrates the database if needed, makes (once) a user whose password is hashed with the
first entry of ``PASSWORD_HASHERS`` (Argon2id at OWASP's parameters, accounts.hashers),
then signs in ``--runs`` times through ``django.test.Client`` over https, and prints the
median, p95 and max wall time of each request, and the time of the hash check alone
(``check_password``), with the hasher named. ``--hasher pbkdf2_sha256`` hashes the user's
password with another algorithm for comparison (a sign-in then upgrades it, so each run
re-stores the old hash first).
"""

from __future__ import annotations

import argparse
import statistics
import time

from django_setup import django_setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--hasher", default=None, help="algorithm of the stored hash (default: the project's)")
    args = parser.parse_args()
    django_setup()

    from django.contrib.auth.hashers import check_password, get_hasher, make_password
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User

    call_command("migrate", verbosity=0)
    password = "correct horse battery staple"
    hasher = get_hasher(args.hasher or "default")
    user, _ = User.objects.get_or_create(email="login-bench@example.com", defaults={"username": "login_bench"})
    encoded = make_password(password, hasher=hasher)
    client = Client(HTTP_HOST="localhost")
    body = {"email": user.email, "password": password}

    requests, checks = [], []
    for _ in range(args.runs + 1):
        User.objects.filter(pk=user.pk).update(password=encoded)
        started = time.perf_counter()
        assert check_password(password, encoded)
        checks.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = client.post("/api/v1/auth/login", body, content_type="application/json", secure=True)
        requests.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
    requests, checks = requests[1:], checks[1:]  # the first warms up

    def ms(values: list[float]) -> str:
        values = sorted(values)
        p95 = values[max(0, round(len(values) * 0.95) - 1)]
        median = statistics.median(values)
        return f"median {median * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  max {values[-1] * 1000:6.1f} ms"

    print(f"hash stored: {encoded.split('$', 1)[0]} {encoded.split('$')[1:4] if '$' in encoded else ''}")
    print(f"check_password   {ms(checks)}")
    print(f"POST auth/login  {ms(requests)}  ({args.runs} runs)")


if __name__ == "__main__":
    main()
