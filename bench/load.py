#!/usr/bin/env python
"""Load harness: the project and a bare Django view under the same gunicorn settings, loaded alternately with wrk.

    createdb -h 127.0.0.1 -U postgres load100k
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load100k \\
        .venv/bin/python bench/load.py --seed-users 10000 --seed-posts 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load100k REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/load.py [--rounds 3 --duration 10] [--only feed]

It starts two gunicorn servers on free ports with the same options (``--workers 2 --threads 4``
by default): the project (``config.wsgi:application``, production-like environment: ``DEBUG=false``,
no rate limits, ``LOG_LEVEL=WARNING``; ``REDIS_URL`` passed on when set) and the bare view
(``bench/bare_wsgi.py``: ``JsonResponse({"ok": True})`` with no middleware and no database), and
waits for ``/health`` on both. The requests are signed in as ``--user`` (by default the user who
follows the most people) with a real bearer token, made in-process with the project's token code,
and carry ``X-Forwarded-Proto: https`` as behind a TLS-terminating proxy.

Targets: ``feed?scope=following`` and ``feed?scope=all``, page 1 and page ``--depth + 1`` (the
``next`` cursors walked over HTTP first), ``tickers/{--ticker}/posts``, ``posts?author=`` (by
default the author with the most posts) and ``bookmarks`` (read as ``--bookmarks-user``, by default
the user with the most bookmarks: the viewer's own may be a page of two), each ``?limit=20``. For each target:
one request in-process under ``CaptureQueriesContext`` (the queries per request), one over HTTP
that must answer 200, then ``--rounds`` times wrk on the bare view, then wrk on the target
(``wrk -t2 -c16 -d10s --latency``, p95 from ``bench/wrk_report.lua``), so machine noise hits both
alike. Printed: a Markdown table (req/s and p95: medians of the rounds; the ratio to the bare
view's median over the same rounds; non-2xx answers, which make a run invalid; queries per
request), the gunicorn workers' RSS (from /proc) at the start and end of each target's load, the
commit, the database and ``uptime`` before and after.

``--seed-users N --seed-posts M`` first runs ``migrate`` and, when the database has no posts,
``seed_demo --users N --posts M`` (10,000 users and 100,000 posts: 3 s of migrate and 49 s of seeding on 2 cores;
docs/performance.md). ``--max-load 1.5`` waits (up to ``--max-wait`` seconds) for the 1-minute
load average to drop below it before starting. wrk is installed with apt-get when missing and
running as root; otherwise the harness says how. PostgreSQL only: SQLite figures would measure
its file locking, not the project. Nothing is written to the database except by seeding and by
the requests themselves (the viewer's activity mark, at most once per 5 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from django_setup import ROOT, django_setup
from wrk import WrkResult, run_wrk, wrk_path

# Sent with every request: the project redirects plain http to https unless a proxy says it terminated TLS.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
# The servers' environment beyond bench/django_setup.py's defaults.
SERVER_ENV = {"LOG_LEVEL": "WARNING"}


@dataclass
class Target:
    label: str
    path: str
    # A fresh bearer token of the user the target is read as.
    token: Callable[[], str]
    deep: bool = False
    queries: int = 0
    bare: list[WrkResult] = field(default_factory=list)
    runs: list[WrkResult] = field(default_factory=list)
    rss_start: dict[int, int] = field(default_factory=dict)
    rss_end: dict[int, int] = field(default_factory=dict)


class _DefaultsHelp(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default unless it has none."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return action.help if action.default is None else super()._get_help_string(action)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0], formatter_class=_DefaultsHelp)
    parser.add_argument("--user", help="Username of the viewer (default: the user with the largest following_count).")
    parser.add_argument("--ticker", default="NVDA", help="Symbol for tickers/{symbol}/posts.")
    parser.add_argument(
        "--bookmarks-user", help="Username whose bookmarks page is loaded (default: the one with the most bookmarks)."
    )
    parser.add_argument("--author", help="Username for posts?author= (default: the user with the most posts).")
    parser.add_argument("--limit", type=int, default=20, help="Page size.")
    parser.add_argument("--depth", type=int, default=50, help="Pages walked before the deep feed pages.")
    parser.add_argument("--only", action="append", help="Load only targets whose label contains this (repeatable).")
    parser.add_argument("--rounds", type=int, default=3, help="Bare-then-target rounds per target.")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of each wrk run.")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk -t.")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c.")
    parser.add_argument(
        "--timeout", type=int, default=10, help="wrk --timeout in seconds (a slower answer is an error)."
    )
    parser.add_argument("--warmup", type=int, default=2, help="Seconds of wrk on each server before measuring.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn --workers, both servers.")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn --threads, both servers.")
    parser.add_argument("--seed-users", type=int, help="Migrate, and seed_demo this many users if there are no posts.")
    parser.add_argument("--seed-posts", type=int, help="Posts for seed_demo (with --seed-users).")
    parser.add_argument("--max-load", type=float, help="Wait until the 1-minute load average is below this.")
    parser.add_argument("--max-wait", type=int, default=600, help="Longest wait for --max-load, in seconds.")
    args = parser.parse_args()
    if (args.seed_users is None) != (args.seed_posts is None):
        parser.error("--seed-users and --seed-posts go together")
    if args.connections < args.wrk_threads:
        parser.error("--connections must be at least --wrk-threads")
    return args


def main() -> int:
    args = parse_args()
    django_setup()
    # The API serves no static files; WhiteNoise's warning about their missing folder is noise here.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    # Ctrl-C (even when started with SIGINT ignored, as in a background job) and SIGTERM (a timeout,
    # kill) end the run through the servers' cleanup.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit_on_signal)

    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(
            f"The load figures need PostgreSQL, not {connection.vendor}: set "
            "DATABASE_URL=postgres://user@host:port/name (createdb first; --seed-users/--seed-posts fill it)."
        )
    if args.seed_users is not None:
        seed(args.seed_users, args.seed_posts)
    wrk = wrk_path()

    commit = git_commit()
    database = describe_database()
    print(f"commit {commit}; {database}")
    print(f"cache: {'Redis' if os.environ.get('REDIS_URL') else 'per-process memory (REDIS_URL unset)'}")
    wait_for_quiet(args.max_load, args.max_wait)
    uptime_before = uptime()
    print(f"uptime before: {uptime_before}")

    gunicorn = [f"--workers={args.workers}", f"--threads={args.threads}"]
    wrk_options = f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s --latency"
    print(
        f"gunicorn {' '.join(gunicorn)} (both servers); {wrk_options}; {args.rounds} rounds of bare then target; "
        f"cpus: {os.cpu_count()}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="pageshare-load-") as logs,
        server("config.wsgi:application", gunicorn, Path(logs) / "project.log") as project,
        server("bench.bare_wsgi:application", gunicorn, Path(logs) / "bare.log") as bare,
    ):
        viewer_line, targets = prepare(args, project.base)
        print(viewer_line)
        print()
        load(args, wrk, bare, project, targets)
    uptime_after = uptime()

    print()
    print(f"commit {commit}; {database}")
    print(viewer_line)
    print(f"gunicorn {' '.join(gunicorn)}; {wrk_options}; {args.rounds} rounds; cpus: {os.cpu_count()}")
    print(f"uptime before: {uptime_before}")
    print(f"uptime after:  {uptime_after}")
    print()
    print_table(targets)
    print()
    print_memory(targets)
    invalid = [target.label for target in targets if any(run.non_2xx or run.socket_errors for run in target.runs)]
    if invalid:
        print()
        print(f"INVALID: non-2xx answers or socket errors under load for {', '.join(invalid)}.")
        return 1
    return 0


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


# --- the database ------------------------------------------------------------------------------


def seed(users: int, posts: int) -> None:
    """Migrates, then fills an empty database with the demo set (timed)."""
    from django.db import connection

    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM content_post")
        existing = cursor.fetchone()[0]
    connection.close()
    if existing:
        print(f"seed: the database already has {existing} posts, not seeding")
        return
    print(f"seed: seed_demo --users {users} --posts {posts} ...", flush=True)
    started = time.monotonic()
    subprocess.run([*manage, "seed_demo", f"--users={users}", f"--posts={posts}"], cwd=ROOT, check=True)
    print(f"seed: {time.monotonic() - started:.0f} s")


def describe_database() -> str:
    from django.db import connection

    if "content_post" not in connection.introspection.table_names():
        sys.exit(
            "The database is not migrated: add --seed-users N --seed-posts M (or run manage.py migrate, seed_demo)."
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), pg_size_pretty(pg_database_size(current_database()))")
        version, size = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM content_post")
        posts = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM accounts_user")
        users = cursor.fetchone()[0]
    name = connection.settings_dict["NAME"]
    return f"database {name} ({version.split(' on ')[0]}, {size}): {posts:,} posts, {users:,} users"


# --- the machine -------------------------------------------------------------------------------


def git_commit() -> str:
    def git(*command: str) -> str:
        return subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True, check=False).stdout

    commit = git("rev-parse", "--short=12", "HEAD").strip() or "unknown"
    return f"{commit} (uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else commit


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def load_average() -> float:
    return os.getloadavg()[0]


def wait_for_quiet(max_load: float | None, max_wait: int) -> None:
    if max_load is None:
        return
    deadline = time.monotonic() + max_wait
    while load_average() >= max_load and time.monotonic() < deadline:
        print(f"load {load_average():.2f} >= {max_load}: waiting", flush=True)
        time.sleep(15)
    if load_average() >= max_load:
        print(f"load still {load_average():.2f} after {max_wait} s: measuring anyway")


def worker_rss(master: int) -> dict[int, int]:
    """RSS in kB of each process whose parent is ``master`` (gunicorn's workers), from /proc."""
    rss = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) == master and "VmRSS" in fields:
            rss[int(entry.name)] = int(fields["VmRSS"].split()[0])
    return rss


# --- the servers -------------------------------------------------------------------------------


@dataclass
class Server:
    app: str
    base: str
    process: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(app: str, options: list[str], log: Path) -> Iterator[Server]:
    """gunicorn serving ``app`` on a free port until the block ends (also on Ctrl-C or an error)."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), app, f"--bind=127.0.0.1:{port}", "--log-level=warning", *options]
    # Both servers get the same options: none from the caller's gunicorn variables.
    env = {name: value for name, value in os.environ.items() if name not in {"GUNICORN_CMD_ARGS", "WEB_CONCURRENCY"}}
    env.update(SERVER_ENV)
    with log.open("wb") as output:
        # A session of its own: Ctrl-C reaches only this script, which then stops the server in order.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_health(base, process, log)
        yield Server(app, base, process)
    finally:
        stop(process)


def wait_for_health(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    sys.exit(f"{base}/health did not answer 200 within 60 s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Graceful shutdown (SIGTERM to the master), then SIGKILL to its process group after 20 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- the targets -------------------------------------------------------------------------------


def prepare(args: argparse.Namespace, base: str) -> tuple[str, list[Target]]:
    """Chooses the users, builds the targets (walking to the deep pages), counts their queries."""
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from content.models import Bookmark

    users = User.objects.in_good_standing()
    viewer = users.by_username(args.user).get() if args.user else users.order_by("-following_count", "id").first()
    author = users.by_username(args.author).get() if args.author else users.order_by("-posts_count", "id").first()
    # The viewer's own bookmarks may be a page of two; by default the bookmarks page is read as a keen bookmarker.
    keen = users.annotate(bookmarked=Count("bookmarks")).order_by("-bookmarked", "id")
    bookmarker = users.by_username(args.bookmarks_user).get() if args.bookmarks_user else keen.first()
    if viewer is None or author is None or bookmarker is None:
        sys.exit("No users in the database: seed it (--seed-users N --seed-posts M).")
    viewer_line = (
        f"viewer {viewer.username} (following {viewer.following_count}); "
        f"posts?author= {author.username} ({author.posts_count} posts); bookmarks of {bookmarker.username} "
        f"({Bookmark.objects.filter(user=bookmarker).count()} bookmarks); limit={args.limit}; "
        f"deep pages = page {args.depth + 1}"
    )

    def token_of(user: User) -> Callable[[], str]:
        # A fresh access token per wrk run never expires mid-run; minting one writes nothing.
        return lambda: str(AccessToken.for_user(user))

    token = token_of(viewer)

    def http_get(path: str) -> Any:
        request = urllib.request.Request(
            f"{base}{path}", headers={"Authorization": f"Bearer {token()}", **PROXY_HEADERS}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            sys.exit(f"GET {path}: {error.code} {error.read()[:300]!r}")

    def deep(path: str) -> str:
        for number in range(args.depth):
            next_url = http_get(path)["next"]
            if next_url is None:
                sys.exit(f"{path}: no next page after page {number + 1}")
            parts = urlsplit(next_url)
            path = f"{parts.path}?{parts.query}"
        return path

    limit = args.limit
    following = f"/api/v1/feed?scope=following&limit={limit}"
    everyone = f"/api/v1/feed?scope=all&limit={limit}"
    targets = [
        Target("feed?scope=following", following, token),
        Target(f"feed?scope=following, page {args.depth + 1}", following, token, deep=True),
        Target("feed?scope=all", everyone, token),
        Target(f"feed?scope=all, page {args.depth + 1}", everyone, token, deep=True),
        Target(f"tickers/{args.ticker}/posts", f"/api/v1/tickers/{args.ticker}/posts?limit={limit}", token),
        Target("posts?author=", f"/api/v1/posts?author={author.pk}&limit={limit}", token),
        Target("bookmarks", f"/api/v1/bookmarks?limit={limit}", token_of(bookmarker)),
    ]
    if args.only:
        targets = [target for target in targets if any(part in target.label for part in args.only)]
    if not targets:
        sys.exit(f"No target matches --only {' '.join(args.only)}")
    client = Client(SERVER_NAME="localhost")
    for target in targets:
        if target.deep:
            target.path = deep(target.path)
        headers = {"authorization": f"Bearer {target.token()}"}
        client.get(target.path, secure=True, headers=headers)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            response = client.get(target.path, secure=True, headers=headers)
        if response.status_code != 200:
            sys.exit(f"GET {target.path} in-process: {response.status_code} {response.content[:300]!r}")
        target.queries = len(captured.captured_queries)
    # The servers have their own connections; this process needs none while they are loaded.
    connection.close()
    return viewer_line, targets


def check_200(url: str, headers: dict[str, str]) -> None:
    """wrk counts a redirect as a success: make sure the URL answers 200 itself."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        sys.exit(f"GET {url}: {status}, expected 200")


def load(
    args: argparse.Namespace,
    wrk: str,
    bare: Server,
    project: Server,
    targets: list[Target],
) -> None:
    def run(url: str, target: Target, seconds: int) -> WrkResult:
        # The bare view gets the target's headers too (it reads none of them): the same bytes on the wire.
        headers = {"Authorization": f"Bearer {target.token()}", **PROXY_HEADERS}
        check_200(url, headers)
        result, _ = run_wrk(
            wrk,
            url,
            threads=args.wrk_threads,
            connections=args.connections,
            seconds=seconds,
            timeout_seconds=args.timeout,
            headers=headers,
        )
        return result

    bare_url = f"{bare.base}/"
    if args.warmup:
        run(bare_url, targets[0], args.warmup)
        for target in targets:
            run(f"{project.base}{target.path}", target, args.warmup)
    for target in targets:
        url = f"{project.base}{target.path}"
        print(f"{target.label}: {url}", flush=True)
        target.rss_start = worker_rss(project.process.pid)
        for number in range(1, args.rounds + 1):
            target.bare.append(run(bare_url, target, args.duration))
            target.runs.append(run(url, target, args.duration))
            print(
                f"  round {number}: bare {describe(target.bare[-1])} | target {describe(target.runs[-1])}", flush=True
            )
        target.rss_end = worker_rss(project.process.pid)


# --- the report --------------------------------------------------------------------------------


def describe(result: WrkResult) -> str:
    errors = f", {result.non_2xx} non-2xx" if result.non_2xx else ""
    errors += f", {result.socket_errors} socket errors ({result.timeouts} timeouts)" if result.socket_errors else ""
    return f"{result.requests_per_second:,.1f} req/s, p50 {ms(result.p50_ms)}, p95 {ms(result.p95_ms)}{errors}"


def ms(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def median_of(results: list[WrkResult], attribute: str) -> float:
    return statistics.median(getattr(result, attribute) for result in results)


def spread(results: list[WrkResult], attribute: str, show: Callable[[float], str]) -> str:
    values = [getattr(result, attribute) for result in results]
    if len(values) < 2:
        return show(values[0])
    return f"{show(statistics.median(values))} ({show(min(values))}-{show(max(values))})"


def print_table(targets: list[Target]) -> None:
    """Medians of the rounds, with (min-max) across them; the ratio against the bare runs of the same rounds."""
    bare_runs = [result for target in targets for result in target.bare]
    print("| target | req/s | p95 | ratio to bare | non-2xx | queries per request |")
    print("|---|---|---|---|---|---|")
    print(
        f"| bare Django view (all its runs) | {spread(bare_runs, 'requests_per_second', rate)} "
        f"| {spread(bare_runs, 'p95_ms', ms)} | 1 | {sum(run.non_2xx for run in bare_runs)} | 0 |"
    )
    for target in targets:
        ratio = median_of(target.runs, "requests_per_second") / median_of(target.bare, "requests_per_second")
        non_2xx = sum(run.non_2xx for run in target.runs)
        socket_errors = sum(run.socket_errors for run in target.runs)
        errors = f"{non_2xx}" + (f" + {socket_errors} socket errors" if socket_errors else "")
        if non_2xx or socket_errors:
            errors += " (invalid)"
        print(
            f"| `{target.label}` | {spread(target.runs, 'requests_per_second', rate)} "
            f"| {spread(target.runs, 'p95_ms', ms)} | {ratio:.4f} | {errors} | {target.queries} |"
        )


def print_memory(targets: list[Target]) -> None:
    print("| target | workers' RSS at the start of its load (MB) | at the end (MB) |")
    print("|---|---|---|")
    for target in targets:
        start = ", ".join(f"{kb / 1024:.0f}" for _, kb in sorted(target.rss_start.items()))
        end = ", ".join(f"{kb / 1024:.0f}" for _, kb in sorted(target.rss_end.items()))
        if sorted(target.rss_start) != sorted(target.rss_end):
            end += " (other worker pids: a worker was restarted)"
        print(f"| `{target.label}` | {start} | {end} |")


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: the servers are stopped")
