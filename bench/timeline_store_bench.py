#!/usr/bin/env python
"""Home timelines: the project's table (``content.timelines``) against Redis sorted sets, measured.

    createdb -h 127.0.0.1 -U postgres zset_bench
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/zset_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zset_bench \\
        .venv/bin/python bench/timeline_store_bench.py --redis-url redis://127.0.0.1:6380/3

It WRITES to the database and the Redis database it is pointed at: point it at a database
of its own (it refuses one holding users it did not make, unless ``--force``). Everything
it makes is named ``zsb_*`` (users, hence their posts, follows and timelines) or
``zsb:timeline:*`` (Redis keys); it removes what an earlier run left at the start and its
own data at the end (``--keep`` keeps it). The entry table is emptied with TRUNCATE (every
row is the benchmark's), so its size at the end is that of the rows it wrote; with
``--force`` they are DELETEd instead, and the table's size counts the other rows (and
possibly dead ones), so the bytes per entry are not this workload's.

The same workload for both stores, on the same machine:

1. Fan-out write. A pool of ``max(--followers)`` users, each with a ``HomeTimeline`` and
   ``--prefill`` entries already in it (both stores), follows authors with F followers
   each (F = 100, 1,000, 10,000). Per run, a new post by the author (``bulk_create``, so
   no receiver enqueues anything) is fanned out:
   - table: ``content.timelines.fan_out_post(post_id)``, the project's code path, timed
     end to end: the post's query, the follower-id queries (1,000 a batch) and one
     ``INSERT ... ON CONFLICT DO NOTHING`` of 1,000 rows per batch, each committed
     (autocommit). It does not trim: ``timelines_trim`` is a periodic job;
   - Redis, as Mastodon's feed manager does: per follower ``ZADD key score member`` and
     ``ZREMRANGEBYRANK key 0 -(N+1)`` (the cap, ``--cap``, default ``HOME_TIMELINE_SIZE``),
     in pipelines (no MULTI) of ``--pipeline`` followers (default 1,000, the table's
     ``INSERT_BATCH``, so 2,000 commands a round trip). Timed twice: with the follower ids
     in hand (Redis alone), and with them read from PostgreSQL by the same query the table
     uses (``_followers_with_timelines``), which is what replacing the table would cost.
   The follower query alone is timed too. Runs are interleaved (table, Redis, Redis with
   query) after one warm-up run each; median, min and max of ``--runs``.
2. Read. ``--full-timelines`` users get exactly N entries in both stores. One page of 20:
   the first, and the one after a cursor at entry N/2. The table through the ORM, with the
   filter and order of ``timeline_read`` (``user_id``, ``-sort_time, -kind, -item_id``,
   ``core.keyset.keyset_filter`` for the cursor) but WITHOUT the visibility rules
   (``_shown``) and their joins, so both stores do the same work: read 20 keys in order.
   Also the same page in plain SQL through the cursor (no model instances). Redis:
   ``ZREVRANGEBYSCORE key max -inf WITHSCORES LIMIT 0 20+k`` and decoding the members.
   Median and p95 of ``--read-runs``, the reader rotating over the full timelines.
3. Storage. Table: ``pg_total_relation_size`` (heap, TOAST and all indexes) of the entry
   table over its row count at the end, heap and indexes apart. Redis: ``MEMORY USAGE`` of
   a full key over N, and the ``INFO memory`` ``used_memory`` delta over the entries added,
   for the full timelines and for the prefill.

The Redis encoding keeps the table's order (sort_time, kind, item_id), newest first:

- score = ``sort_time`` in integer microseconds since the epoch. A double holds every
  integer up to 2**53 exactly, i.e. microseconds until the year 2255, so the score is the
  exact timestamp (the table's column has microsecond precision too);
- member = ``"{kind}:{item_id:019d}"`` (a post) or ``"{kind}:{item_id:019d}:{post_id}"``
  (a repost, whose post the feed needs, as the table's ``post_id`` column). Scores tie
  when two items share a microsecond; Redis orders equal scores by member, bytewise, and
  with one digit of kind and a zero-padded item id (19 digits hold any bigint) that is
  (kind, item_id): the table's order. The post id after the fixed-width part never decides
  (an item id names one item of its kind).

A Snowflake-like unique score (Mastodon's status ids) would need the time, the kind and a
bigint id in 53 bits: it does not fit, and the project's ids are serial, not time-ordered.
An all-equal score with the whole key in a fixed-width member (``ZRANGE BYLEX``) is exact
too but spends ~17 more bytes an entry and loses score ranges by time. So the cursor
``(score, member)`` is read with an inclusive ``max=score`` and the entries at the
cursor's score with a member not below it are skipped (``page_after``); those are the
cursor entry itself and the rare ties, usually one entry.

Only post entries are written (no reposts): ``repost_id`` stays NULL, so the partial repost
index holds none of them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django_setup import django_setup

PREFIX = "zsb_"
REDIS_PREFIX = "zsb:timeline:"
PAGE = 20
# Entries fetched beyond the page at a cursor: the cursor entry and ties at its microsecond.
TIE_SLACK = 4
FEED_POST = 1  # content.querysets.FEED_POST (imported there only after Django is set up)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_EXACT_SCORE = 2**53
ITEM_WIDTH = 19  # digits of the largest bigint

Key = tuple[datetime, int, int]
Scored = tuple[str, float]
T = TypeVar("T")


# The Redis encoding (pure; bench/test_timeline_store.py checks it keeps the table's order)


def score_of(sort_time: datetime) -> int:
    """``sort_time`` in whole microseconds since the epoch: exact in a double until 2255."""
    delta = sort_time - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if not 0 <= micros < MAX_EXACT_SCORE:
        raise ValueError(f"{sort_time} does not fit a score exactly")
    return micros


def time_of(score: float) -> datetime:
    return EPOCH + timedelta(microseconds=int(score))


def member_of(kind: int, item_id: int, post_id: int | None = None) -> str:
    """The member of a feed entry: kind and zero-padded item id (the order), then a repost's post id."""
    if not 0 <= kind <= 9 or not 0 <= item_id < 10**ITEM_WIDTH:
        raise ValueError((kind, item_id))
    member = f"{kind}:{item_id:0{ITEM_WIDTH}d}"
    return member if post_id is None or post_id == item_id else f"{member}:{post_id}"


def entry_of(member: str | bytes, score: float) -> tuple[datetime, int, int, int]:
    """(sort_time, kind, item_id, post_id) of a member and its score."""
    text = member.decode() if isinstance(member, bytes) else member
    parts = text.split(":")
    kind, item_id = int(parts[0]), int(parts[1])
    post_id = int(parts[2]) if len(parts) > 2 else item_id
    return time_of(score), kind, item_id, post_id


def redis_order(entries: Sequence[Scored]) -> list[Scored]:
    """``entries`` in a sorted set's reverse order (ZREVRANGE): score, then member bytewise, descending."""
    return sorted(entries, key=lambda entry: (entry[1], entry[0].encode()), reverse=True)


def page_after(
    fetch: Callable[[float | None, int, int], Sequence[Scored]], cursor: Scored | None, limit: int
) -> list[Scored]:
    """``limit`` entries after ``cursor`` (member, score) in reverse order.

    ``fetch(max_score, offset, count)`` is ``ZREVRANGEBYSCORE key max_score -inf WITHSCORES
    LIMIT offset count`` (``max_score`` None: ``+inf``). From an inclusive ``max=score`` the
    entries at the cursor's score whose member is not below the cursor's come first; they
    are skipped, so ties at the cursor are neither repeated nor lost."""
    if cursor is None:
        return list(fetch(None, 0, limit))
    member, score = cursor
    at = member.encode()
    page: list[Scored] = []
    offset, count = 0, limit + TIE_SLACK
    while True:
        batch = fetch(score, offset, count)
        for entry in batch:
            if entry[1] == score and entry[0].encode() >= at:
                continue
            page.append(entry)
            if len(page) == limit:
                return page
        if len(batch) < count:
            return page
        offset += count


# Measuring


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def chunks(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class Timings:
    ms: list[float] = field(default_factory=list)

    def add(self, start: float) -> None:
        self.ms.append((time.perf_counter() - start) * 1000)

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    def spread(self) -> str:
        return f"{self.median:.1f} ({min(self.ms):.1f} to {max(self.ms):.1f})"

    def p(self, fraction: float) -> float:
        return percentile(self.ms, fraction)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-url", required=True, help="A Redis database of its own (keys zsb:timeline:*).")
    parser.add_argument(
        "--followers",
        type=int,
        nargs="+",
        default=[100, 1_000, 10_000],
        help="Follower counts F (default 100 1000 10000).",
    )
    parser.add_argument(
        "--cap", type=int, default=None, help="Entries a timeline keeps, N (default HOME_TIMELINE_SIZE)."
    )
    parser.add_argument("--prefill", type=int, default=200, help="Entries in each follower's timeline before (200).")
    parser.add_argument("--pipeline", type=int, default=1_000, help="Followers per Redis pipeline (default 1000).")
    parser.add_argument("--runs", type=int, default=5, help="Timed fan-outs per F and store (default 5).")
    parser.add_argument("--full-timelines", type=int, default=100, help="Users with N entries, read (default 100).")
    parser.add_argument("--read-runs", type=int, default=300, help="Timed reads per page and store (default 300).")
    parser.add_argument("--keep", action="store_true", help="Leave the data in place at the end.")
    parser.add_argument("--force", action="store_true", help="Run on a database with other users.")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    django_setup()

    import redis
    from django.conf import settings
    from django.db import connection

    from accounts.models import User
    from content.models import HomeTimeline, HomeTimelineEntry, Post
    from content.timelines import ORDERING, _followers_with_timelines, fan_out_post
    from core.keyset import keyset_filter
    from social.models import Follow

    cap = args.cap or settings.HOME_TIMELINE_SIZE
    pool_size = max(args.followers)
    store = redis.Redis.from_url(args.redis_url)
    entry_table = HomeTimelineEntry._meta.db_table
    bench_users = f"SELECT id FROM {User._meta.db_table} WHERE username LIKE '{PREFIX}%%'"

    others = User.objects.exclude(username__startswith=PREFIX).count()
    if others and not args.force:
        sys.exit(f"{connection.settings_dict['NAME']} holds {others} other users: point at a database of its own.")

    def sql(statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def clean() -> None:
        for statement in [
            f"DELETE FROM {entry_table} WHERE user_id IN ({bench_users})",
            f"DELETE FROM {HomeTimeline._meta.db_table} WHERE user_id IN ({bench_users})",
            f"DELETE FROM {Follow._meta.db_table} WHERE follower_id IN ({bench_users}) "
            f"OR following_id IN ({bench_users})",
            f"DELETE FROM {Post._meta.db_table} WHERE author_id IN ({bench_users})",
            f"DELETE FROM {User._meta.db_table} WHERE id IN ({bench_users})",
        ]:
            sql(statement)
        if not others:
            # Every entry is ours: TRUNCATE gives the space back at once. DELETE and VACUUM FULL did
            # not when another session held an old snapshot (it copied the dead rows), and those
            # were counted in the next run's bytes per row.
            sql(f"TRUNCATE {entry_table}")
        for keys in chunks(list(store.scan_iter(match=f"{REDIS_PREFIX}*", count=1_000)), 1_000):
            store.unlink(*keys)

    def loads() -> str:
        return " ".join(f"{load:.2f}" for load in os.getloadavg())

    pg_version = sql("SHOW server_version")[0][0]
    redis_info = store.info("server")
    persistence = store.config_get("appendonly") | store.config_get("save")
    print(
        f"database: {connection.settings_dict['NAME']} (PostgreSQL {pg_version}); "
        f"synchronous_commit={sql('SHOW synchronous_commit')[0][0]}, "
        f"shared_buffers={sql('SHOW shared_buffers')[0][0]}"
    )
    print(f"redis: {args.redis_url} (Redis {redis_info['redis_version']}); {persistence}")
    print(f"cpus: {os.cpu_count()}; load average before: {loads()}")
    print(
        f"N (cap) = {cap}; followers {args.followers}; prefill {args.prefill}; pipeline {args.pipeline} followers; "
        f"{args.runs} write runs; {args.full_timelines} full timelines; {args.read_runs} read runs"
    )

    clean()
    started = time.perf_counter()

    # The data: users, follows, timelines (bulk_create: no receivers, no counters).
    now = datetime.now(UTC).replace(microsecond=0)
    users = User.objects.bulk_create(
        User(username=f"{PREFIX}{i}", email=f"{PREFIX}{i}@bench.invalid", password="!")
        for i in range(pool_size + args.full_timelines)
    )
    pool = [user.pk for user in users[:pool_size]]
    readers = [user.pk for user in users[pool_size:]]
    authors = {
        count: User.objects.create(username=f"{PREFIX}author_{count}", email=f"{PREFIX}author_{count}@bench.invalid")
        for count in args.followers
    }
    filler = User.objects.create(username=f"{PREFIX}filler", email=f"{PREFIX}filler@bench.invalid")
    Follow.objects.bulk_create(
        (Follow(follower_id=pk, following_id=author.pk) for count, author in authors.items() for pk in pool[:count]),
        batch_size=5_000,
    )
    HomeTimeline.objects.bulk_create(
        (HomeTimeline(user_id=pk, floor_time=None, floor_kind=None, floor_item=None) for pk in pool + readers),
        batch_size=5_000,
    )
    # Older posts, one a second, every tenth sharing its predecessor's time (ties in both stores).
    history = max(cap, args.prefill)
    times = [now - timedelta(days=1, seconds=i - (i % 10 == 9)) for i in range(history)]
    fillers = Post.objects.bulk_create(
        (Post(author_id=filler.pk, content=f"filler {i}", created_at=t) for i, t in enumerate(times)),
        batch_size=5_000,
    )
    newest = sorted(((post.created_at, FEED_POST, post.pk) for post in fillers), reverse=True)

    def fill(user_ids: Sequence[int], count: int) -> int:
        """The newest ``count`` filler posts into each user's timeline, in both stores; Redis bytes added."""
        sql(
            f"INSERT INTO {entry_table} (user_id, sort_time, kind, item_id, post_id, repost_id) "
            "SELECT u.id, p.created_at, %s, p.id, p.id, NULL FROM unnest(%s::bigint[]) AS u(id) "
            f"CROSS JOIN (SELECT id, created_at FROM {Post._meta.db_table} WHERE author_id = %s "
            "ORDER BY created_at DESC, id DESC LIMIT %s) AS p",
            [FEED_POST, list(user_ids), filler.pk, count],
        )
        mapping = {member_of(kind, pk): score_of(t) for t, kind, pk in newest[:count]}
        before = store.info("memory")["used_memory"]
        for batch in chunks(user_ids, 100):
            pipe = store.pipeline(transaction=False)
            for pk in batch:
                pipe.zadd(f"{REDIS_PREFIX}{pk}", mapping)  # type: ignore[arg-type]
            pipe.execute()
        return int(store.info("memory")["used_memory"]) - int(before)

    prefill_bytes = fill(pool, args.prefill) if args.prefill else 0
    full_bytes = fill(readers, cap)
    sql(f"VACUUM ANALYZE {entry_table}")
    print(f"setup: {time.perf_counter() - started:.1f} s")

    # 1. Fan-out.
    def redis_fan_out(user_ids: Iterable[Sequence[int]], score: int, member: str) -> int:
        written = 0
        for batch in user_ids:
            pipe = store.pipeline(transaction=False)
            for pk in batch:
                key = f"{REDIS_PREFIX}{pk}"
                pipe.zadd(key, {member: score})
                pipe.zremrangebyrank(key, 0, -(cap + 1))
            pipe.execute()
            written += len(batch)
        return written

    writes = []
    for count, author in authors.items():
        ids = pool[:count]
        query, table, alone, with_query = Timings(), Timings(), Timings(), Timings()
        for run in range(args.runs + 1):
            post = Post.objects.bulk_create([Post(author_id=author.pk, content=f"fan-out {run}")])[0]
            score, member = score_of(post.created_at), member_of(FEED_POST, post.pk)
            start = time.perf_counter()
            followers = [pk for batch in _followers_with_timelines(author.pk) for pk in batch]
            query.add(start)
            assert len(followers) == count, (len(followers), count)
            start = time.perf_counter()
            written = fan_out_post(post.pk)
            table.add(start)
            assert written == count, (written, count)
            start = time.perf_counter()
            redis_fan_out(chunks(ids, args.pipeline), score, member)
            alone.add(start)
            # Same post again, another member: a new entry, as a second post would be.
            start = time.perf_counter()
            written = redis_fan_out(_followers_with_timelines(author.pk), score, member_of(FEED_POST, post.pk + 10**12))
            with_query.add(start)
            assert written == count
            if run == 0:  # warm-up
                for timings in (query, table, alone, with_query):
                    timings.ms.clear()
        writes.append((count, query, table, alone, with_query))
        print(f"fan-out to {count}: table {table.median:.1f} ms, redis {alone.median:.1f} ms", flush=True)

    # 2. Reads: first page and the page after the middle entry.
    middle_key: Key = newest[cap // 2]
    middle = (member_of(FEED_POST, middle_key[2]), float(score_of(middle_key[0])))
    for pk in readers[:3]:  # Both stores hold the same N entries in the same order.
        rows = list(
            HomeTimelineEntry.objects.filter(user_id=pk).order_by(*ORDERING).values_list("sort_time", "kind", "item_id")
        )
        assert rows == newest[:cap], pk

    def table_page(pk: int, position: Key | None) -> list[Any]:
        entries = HomeTimelineEntry.objects.filter(user_id=pk).order_by(*ORDERING)
        if position is not None:
            entries = entries.filter(keyset_filter(ORDERING, position, forward=True))
        return list(entries[:PAGE])

    def table_sql_page(pk: int, position: Key | None) -> list[Any]:
        after = "AND (sort_time, kind, item_id) < (%s, %s, %s) " if position else ""
        return sql(
            f"SELECT sort_time, kind, item_id, post_id, repost_id FROM {entry_table} WHERE user_id = %s {after}"
            "ORDER BY sort_time DESC, kind DESC, item_id DESC LIMIT %s",
            [pk, *(position or ()), PAGE],
        )

    def redis_page(pk: int, cursor: Scored | None) -> list[Any]:
        key = f"{REDIS_PREFIX}{pk}"

        def fetch(max_score: float | None, offset: int, count: int) -> list[Scored]:
            rows: Any = store.zrevrangebyscore(
                key, "+inf" if max_score is None else max_score, "-inf", start=offset, num=count, withscores=True
            )
            return [(member.decode(), score) for member, score in rows]

        return [entry_of(member, score) for member, score in page_after(fetch, cursor, PAGE)]

    expected_first = newest[:PAGE]
    expected_middle = newest[cap // 2 + 1 : cap // 2 + 1 + PAGE]
    for pk in readers[:3]:
        assert [(e.sort_time, e.kind, e.item_id) for e in table_page(pk, middle_key)] == expected_middle
        assert [row[:3] for row in table_sql_page(pk, middle_key)] == expected_middle
        assert [entry[:3] for entry in redis_page(pk, None)] == expected_first
        assert [entry[:3] for entry in redis_page(pk, middle)] == expected_middle

    reads: list[tuple[str, Timings, Timings]] = []
    readers_by: dict[str, tuple[Callable[[int, Any], list[Any]], Any]] = {
        "table, ORM (HomeTimelineEntry query)": (table_page, middle_key),
        "table, plain SQL (cursor.execute)": (table_sql_page, middle_key),
        "Redis ZREVRANGEBYSCORE": (redis_page, middle),
    }
    results = {label: (Timings(), Timings()) for label in readers_by}
    for run in range(args.read_runs + 10):
        pk = readers[run % len(readers)]
        for label, (read, cursor) in readers_by.items():
            first, deep = results[label]
            start = time.perf_counter()
            read(pk, None)
            first.add(start)
            start = time.perf_counter()
            read(pk, cursor)
            deep.add(start)
        if run == 9:  # warm-up
            for first, deep in results.values():
                first.ms.clear()
                deep.ms.clear()
    reads = [(label, *results[label]) for label in readers_by]

    # 3. Storage.
    rows = sql(f"SELECT count(*) FROM {entry_table}")[0][0]
    heap, indexes, total = sql(
        "SELECT pg_relation_size(%s), pg_indexes_size(%s), pg_total_relation_size(%s)", [entry_table] * 3
    )[0]
    key_bytes = int(store.memory_usage(f"{REDIS_PREFIX}{readers[0]}", samples=0) or 0)
    encoding = store.object("encoding", f"{REDIS_PREFIX}{readers[0]}")
    index_sizes = sql(
        "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes WHERE relname = %s "
        "ORDER BY 2 DESC",
        [entry_table],
    )

    # Report.
    print(f"\nload average after: {loads()}; total {time.perf_counter() - started:.0f} s\n")
    print(f"### Fan-out of one post to F followers (ms: median (min to max) of {args.runs} runs)\n")
    print(
        "| F | follower-id query alone (PG) | table: `fan_out_post` | table rows/s "
        "| Redis ZADD+ZREMRANGEBYRANK, ids in hand | Redis entries/s | Redis incl. the follower-id query |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for count, query, table, alone, with_query in writes:
        print(
            f"| {count:,} | {query.spread()} | {table.spread()} | {count / table.median * 1000:,.0f} "
            f"| {alone.spread()} | {count / alone.median * 1000:,.0f} | {with_query.spread()} |"
        )
    print(f"\n### One page of {PAGE} from a timeline of N = {cap} (ms, {args.read_runs} runs each)\n")
    print("| store | first page median | p95 | page after entry N/2 median | p95 |")
    print("|---|---:|---:|---:|---:|")
    for label, first, deep in reads:
        print(f"| {label} | {first.median:.3f} | {first.p(0.95):.3f} | {deep.median:.3f} | {deep.p(0.95):.3f} |")
    print("\n### Storage per timeline entry\n")
    print("| store | measure | bytes | entries | bytes per entry |")
    print("|---|---|---:|---:|---:|")
    print(f"| table | heap (`pg_relation_size`) | {heap:,} | {rows:,} | {heap / rows:.1f} |")
    print(f"| table | all indexes (`pg_indexes_size`) | {indexes:,} | {rows:,} | {indexes / rows:.1f} |")
    for name, size in index_sizes:
        print(f"| table | index {name} | {size:,} | {rows:,} | {size / rows:.1f} |")
    print(f"| table | `pg_total_relation_size` (heap + indexes + TOAST) | {total:,} | {rows:,} | {total / rows:.1f} |")
    print(
        f"| Redis | `MEMORY USAGE` of one full key ({encoding.decode()}) | {key_bytes:,} | {cap} "
        f"| {key_bytes / cap:.1f} |"
    )
    entries = len(readers) * cap
    print(
        f"| Redis | `used_memory` delta, {len(readers)} full keys | {full_bytes:,} | {entries:,} "
        f"| {full_bytes / entries:.1f} |"
    )
    if args.prefill:
        entries = len(pool) * args.prefill
        print(
            f"| Redis | `used_memory` delta, prefill {len(pool):,} keys x {args.prefill} "
            f"| {prefill_bytes:,} | {entries:,} | {prefill_bytes / entries:.1f} |"
        )
    if not args.keep:
        clean()
    return 0


if __name__ == "__main__":
    sys.exit(main())
