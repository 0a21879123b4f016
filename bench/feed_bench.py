#!/usr/bin/env python
"""Times the post lists through the whole Django stack: first page and a page ~1,000 posts deep.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/discovery_bench \\
        .venv/bin/python bench/feed_bench.py --user ingrid_invests405 [--explain]

For each endpoint (feed scope=all, feed scope=following, posts, tickers/{symbol}/posts,
posts?author= of the author with the most posts, and bookmarks read as the user with the most)
it requests the first page, walks the ``next`` cursors ``--depth`` pages (50 pages of
``--limit`` 20 = 1,000 posts) or as far as the list goes, and measures the page it reached. Each measured page gets
one warm-up request, one request under ``CaptureQueriesContext`` (the query count), then
``--runs`` timed requests (median, p95, min, max of the wall time of ``Client.get``: URL
routing, middleware, JWT authentication, the queries, serialisation and JSON rendering).

The requests go through ``django.test.Client`` with a real bearer token (an access token
made for ``--user``, no database write) over https, as production settings expect:
``DEBUG=false``, a 32+ character ``SECRET_KEY``, ``RATE_LIMITS_ENABLED=false`` and
``LOG_LEVEL=WARNING`` (no request log line per request) unless already set. The database
connection is persistent (``CONN_MAX_AGE``), as under gunicorn.

``--explain`` also prints ``EXPLAIN (ANALYZE, BUFFERS)`` of each page's list queries (the
ones with ``ORDER BY ... LIMIT`` on posts, ticker links or reposts, captured from a real
request), with the indexes they use and any sequential scan. PostgreSQL only.

Nothing is written to the database.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django_setup import django_setup

# The list queries worth explaining: a page of posts, ticker links or reposts, cut with LIMIT.
LIST_QUERY = re.compile(r'FROM "content_(post|postticker|repost)".*ORDER BY.*LIMIT \d+\s*$', re.DOTALL)
INDEX_USED = re.compile(r"(?:Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)")
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
EXECUTION_TIME = re.compile(r"Execution Time: ([\d.]+) ms")


@dataclass
class Page:
    endpoint: str
    page: int
    url: str
    posts: int = 0
    queries: int = 0
    times_ms: list[float] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    oldest: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        """The 95th percentile (inclusive method); the maximum with fewer than 20 runs."""
        if len(self.times_ms) < 20:
            return max(self.times_ms)
        return statistics.quantiles(self.times_ms, n=20, method="inclusive")[-1]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--user", required=True, help="Username of the viewer (pick one who follows many people).")
    parser.add_argument("--ticker", default="NVDA", help="Symbol for tickers/{symbol}/posts (default NVDA).")
    parser.add_argument("--limit", type=int, default=20, help="Page size (default 20).")
    parser.add_argument("--depth", type=int, default=50, help="Pages walked before the deep page (default 50).")
    parser.add_argument("--runs", type=int, default=5, help="Timed requests per page (default 5).")
    parser.add_argument("--explain", action="store_true", help="Print EXPLAIN (ANALYZE, BUFFERS) of the list queries.")
    parser.add_argument(
        "--only", action="append", help="Measure only endpoints whose label contains this (repeatable)."
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    django_setup()

    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User

    viewer = User.objects.get(username__iexact=args.user)
    # posts?author= reads the author with the most posts; bookmarks are read as the user with the most.
    author = User.objects.order_by("-posts_count", "pk").first()
    bookmarks_user = User.objects.annotate(marked=Count("bookmarks")).order_by("-marked", "pk").first()
    client = Client(SERVER_NAME="localhost")

    as_user = {"user": viewer}

    def get(url: str) -> Any:
        # A fresh token each time costs microseconds and never expires mid-run.
        token = str(AccessToken.for_user(as_user["user"]))
        response = client.get(url, secure=True, headers={"authorization": f"Bearer {token}"})
        if response.status_code != 200:
            sys.exit(f"GET {url}: {response.status_code} {response.content[:300]!r}")
        return response

    def timed(url: str) -> tuple[float, Any]:
        start = time.perf_counter()
        response = get(url)
        return (time.perf_counter() - start) * 1000, response

    def measure(endpoint: str, number: int, url: str) -> Page:
        page = Page(endpoint, number, url)
        get(url)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            body = get(url).json()
        page.queries = len(captured.captured_queries)
        page.sql = [query["sql"] for query in captured.captured_queries]
        page.posts = len(body["results"])
        page.oldest = body["results"][-1]["created_at"] if body["results"] else "-"
        page.times_ms = [timed(url)[0] for _ in range(args.runs)]
        return page

    limit = args.limit
    endpoints = [
        ("feed?scope=all", f"/api/v1/feed?scope=all&limit={limit}"),
        ("feed?scope=following", f"/api/v1/feed?scope=following&limit={limit}"),
        ("posts", f"/api/v1/posts?limit={limit}"),
        (f"tickers/{args.ticker}/posts", f"/api/v1/tickers/{args.ticker}/posts?limit={limit}"),
        ("posts?author=", f"/api/v1/posts?author={author.pk}&limit={limit}"),
        ("bookmarks", f"/api/v1/bookmarks?limit={limit}"),
    ]
    if args.only:
        endpoints = [(label, url) for label, url in endpoints if any(part in label for part in args.only)]

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM content_post")
        total_posts = cursor.fetchone()[0]
        server = connection.vendor
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            server = cursor.fetchone()[0].split(" on ")[0]
    print(f"database: {connection.settings_dict['NAME']} ({server}), {total_posts} posts")
    print(
        f"viewer: {viewer.username} (id {viewer.pk}, following {viewer.following_count}); "
        f"limit={limit}, deep page = page {args.depth + 1}, {args.runs} timed runs per page after 1 warm-up; "
        f"cpus: {os.cpu_count()}"
    )
    print()

    pages: list[Page] = []
    walks: dict[str, list[float]] = {}
    for label, first_url in endpoints:
        as_user["user"] = bookmarks_user if label == "bookmarks" and bookmarks_user is not None else viewer
        pages.append(measure(label, 1, first_url))
        # Walk the next cursors: pages 2..depth+1, each requested once (timed: the "walk" column),
        # or as far as the list goes.
        url, walk = first_url, []
        for _ in range(args.depth):
            elapsed, response = timed(url)
            next_url = response.json()["next"]
            if next_url is None:
                break
            walk.append(elapsed)
            parts = urlsplit(next_url)
            url = f"{parts.path}?{parts.query}"
        walks[label] = walk or [pages[-1].median]
        if walk:
            pages.append(measure(label, len(walk) + 1, url))

    header = (
        f"{'endpoint':<24} {'page':>4} {'posts':>5} {'queries':>7} "
        f"{'median ms':>9} {'p95 ms':>7} {'min ms':>7} {'max ms':>7} {'walk p50':>8}  oldest post on page"
    )
    print(header)
    print("-" * len(header))
    for page in pages:
        walk_p50 = f"{statistics.median(walks[page.endpoint]):8.1f}" if page.page == 1 else " " * 8
        print(
            f"{page.endpoint:<24} {page.page:>4} {page.posts:>5} {page.queries:>7} "
            f"{page.median:>9.1f} {page.p95:>7.1f} {min(page.times_ms):>7.1f} {max(page.times_ms):>7.1f} {walk_p50}  "
            f"{page.oldest}"
        )
    print()
    print(f"walk p50: median wall time of the {args.depth} requests that walked the next cursors from page 1.")

    if args.explain:
        if connection.vendor != "postgresql":
            sys.exit("--explain needs PostgreSQL")
        explain(pages, connection)
    return 0


def explain(pages: list[Page], connection: Any) -> None:
    for page in pages:
        for number, sql in enumerate(query for query in page.sql if LIST_QUERY.search(query)):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            indexes = list(dict.fromkeys(INDEX_USED.findall(plan)))
            seq_scans = list(dict.fromkeys(SEQ_SCAN.findall(plan)))
            execution = EXECUTION_TIME.search(plan)
            print()
            print("=" * 100)
            print(f"{page.endpoint}, page {page.page}, list query {number + 1}")
            print(f"execution: {execution.group(1) if execution else '?'} ms")
            print(f"indexes: {', '.join(indexes) or '-'}")
            print(f"seq scans: {', '.join(seq_scans) or 'none'}")
            print("-" * 100)
            print(sql)
            print("-" * 100)
            print(plan)


if __name__ == "__main__":
    raise SystemExit(main())
