"""Calls: posts with a sentiment and a ticker, scored against the prices that followed (README "Calls").

A visible post with a ``sentiment`` and at least one ticker is a call on its first
ticker. Its ``Call`` row is written by the post service with the post and removed
when the post is deleted or hidden, so a withdrawn post's call leaves every record;
``_calls_sync`` derives the rows again from the posts (``score_calls --rebuild``).

Scoring is one set-based pass over the calls that may have changed (``calls_score``):

- entry: the first bar of the call's ticker on or after the post's UTC date and no
  later than ``entry_deadline`` (the post's date + 5 calendar days); its adjusted close
  (else its close) is the entry price;
- exits: the bars 1, 5 and 21 rows later in the ticker's series (its trading days),
  read with ``LEAD`` window functions; a return is exit / entry - 1, null until the bar
  exists; a hit is a positive return for a bullish call, a negative one for a bearish
  call (exactly 0 is a miss), null while the horizon is pending;
- status: ``scored`` once the 1m return exists, ``void`` when no bar lies in the entry
  window and the window is over, else ``pending``.

The statement is plain SQL that PostgreSQL and SQLite (3.39 or newer) both run, on the
same double-precision numbers, so both give the same scores. Only rows whose values
change are written: a price correction moves the calls that read that bar and no other.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from content import signals
from content.models import (
    CALL_ENTRY_WINDOW_DAYS,
    CALL_HORIZONS,
    VISIBLE,
    Call,
    CallScoringWatermark,
    CallStatus,
    Post,
    PostTicker,
)
from core.dates import day_start, utc_date, utc_today
from markets.models import DailyBar

WATERMARK = "calls"
WATERMARK_OVERLAP = datetime.timedelta(hours=1)
# A call scored at 1m notifies its author only when its 1m exit is this recent: backfills and
# rebuilds score old calls again without telling anyone about a month that ended long ago.
NOTIFY_WITHIN_DAYS = 7
_SCRATCH = "call_scores_scratch"
_MISSING = "calls_missing_scratch"
_CHANGED = "bars_changed_scratch"
_TARGETS = "call_targets_scratch"


class AddDays(Func):
    """A date expression plus a whole number of days, as a date (PostgreSQL and SQLite)."""

    output_field = DateField()

    def __init__(self, expression: Any, days: int) -> None:
        super().__init__(expression)
        self.days = int(days)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + {self.days})", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '+{self.days} days')", params


@dataclass(frozen=True)
class ScoreResult:
    """What one ``calls_score`` run did."""

    examined: int
    changed: int
    newly_scored: int
    created: int = 0
    removed: int = 0


def call_for_post(post: Post, symbols: Sequence[str]) -> Call | None:
    """Writes the call of a new (or shown again) visible post and counts it; None when it is no call.

    Called by the post service in its transaction. The call starts pending; ``calls_score``
    scores it (at once, with ``post_ids``, for a post shown again).
    """
    if not post.sentiment or not symbols:
        return None
    posted_on = utc_date(post.created_at)
    call = Call.objects.create(
        post=post,
        author_id=post.author_id,
        ticker_id=symbols[0],
        direction=post.sentiment,
        created_at=post.created_at,
        posted_on=posted_on,
        entry_deadline=posted_on + datetime.timedelta(days=CALL_ENTRY_WINDOW_DAYS),
    )
    # A new call is pending: it counts among the calls, not yet among the scored ones.
    User.objects.filter(pk=post.author_id).update(calls_count=F("calls_count") + 1)
    return call


def call_withdraw(post_id: int) -> bool:
    """Removes the call of a post that was deleted or hidden, and takes it out of its author's record."""
    author_ids = list(Call.objects.filter(post_id=post_id).values_list("author_id", flat=True))
    if not author_ids:
        return False
    Call.objects.filter(post_id=post_id).delete()
    track_records_recount(author_ids)
    return True


def _calls_sync(*, since: datetime.date | None = None) -> tuple[int, int, set[int]]:
    """Makes the ``Call`` rows match the posts (posted on or after ``since``); returns how many
    were created and removed, and the authors of those removed (whose records the caller recounts).

    Set-based: one DELETE of the calls whose post is no longer visible, one INSERT ... SELECT of
    the visible posts with a sentiment and a ticker that have none.
    """
    calls = Call.objects.all()
    posts = Post.objects.filter(VISIBLE, sentiment__isnull=False)
    if since is not None:
        calls = calls.filter(posted_on__gte=since)
        posts = posts.filter(created_at__gte=day_start(since))
    stale = calls.filter(~Q(post__deleted_at__isnull=True, post__is_hidden=False) | Q(post__sentiment__isnull=True))
    removed_authors = set(stale.values_list("author_id", flat=True))
    removed, _ = stale.delete()

    first = PostTicker.objects.filter(post=OuterRef("pk"), position=0)
    posted_on = TruncDate("created_at", tzinfo=datetime.UTC)
    missing = (
        posts.filter(Exists(first))
        .exclude(Exists(Call.objects.filter(post=OuterRef("pk"))))
        .annotate(
            call_ticker=first.values("ticker_id")[:1],
            call_posted_on=posted_on,
            call_deadline=AddDays(posted_on, CALL_ENTRY_WINDOW_DAYS),
            call_status=Value(CallStatus.PENDING),
            call_updated_at=Value(timezone.now(), output_field=DateTimeField()),
        )
        .values_list(
            "pk",
            "author_id",
            "call_ticker",
            "sentiment",
            "created_at",
            "call_posted_on",
            "call_deadline",
            "call_status",
            "call_updated_at",
        )
    )
    select_sql, params = missing.query.sql_with_params()
    columns = "post_id, author_id, ticker_id, direction, created_at, posted_on, entry_deadline, status, updated_at"
    with connection.cursor() as cursor:
        # Two statements: an INSERT whose SELECT read the table it fills would be planned on the
        # table's size before it (empty on a first run: a sequential scan per post, quadratic).
        cursor.execute(f"DROP TABLE IF EXISTS {_MISSING}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_MISSING} AS {select_sql}", params)
        cursor.execute(
            # A call written meanwhile by the post service (for a post committed after the
            # SELECT's snapshot) is kept as it is.
            f"INSERT INTO {Call._meta.db_table} ({columns}) SELECT * FROM {_MISSING} WHERE 1 = 1 "  # noqa: S608
            "ON CONFLICT (post_id) DO NOTHING"
        )
        created = cursor.rowcount
        cursor.execute(f"DROP TABLE {_MISSING}")
    return created, removed, removed_authors


def _tables() -> dict[str, str]:
    return {
        "call": Call._meta.db_table,
        "bar": DailyBar._meta.db_table,
        "user": User._meta.db_table,
        "scratch": _SCRATCH,
    }


# The calls to score, with their entry date (the first bar in the entry window); the series
# of their tickers with the exits read ahead by LEAD; the new values; only those that differ
# from the stored ones. {targets} is the table of the calls' ids (``_TARGETS``).
_SCORE_SQL = """
CREATE TEMPORARY TABLE {scratch} AS
WITH targets AS (
    SELECT c.post_id, c.ticker_id AS symbol, c.direction, c.entry_deadline,
           (SELECT MIN(b.date) FROM {bar} b
             WHERE b.symbol = c.ticker_id AND b.date >= c.posted_on AND b.date <= c.entry_deadline) AS entry_date
      FROM {call} c
     WHERE c.post_id IN (SELECT post_id FROM {targets})
),
series AS (
    SELECT b.symbol, b.date, COALESCE(b.adj_close, b.close) AS px,
           LEAD(COALESCE(b.adj_close, b.close), {h1d}) OVER w AS px_1d,
           LEAD(COALESCE(b.adj_close, b.close), {h1w}) OVER w AS px_1w,
           LEAD(COALESCE(b.adj_close, b.close), {h1m}) OVER w AS px_1m,
           LEAD(b.date, {h1m}) OVER w AS date_1m
      FROM {bar} b
     WHERE b.symbol IN (SELECT symbol FROM targets WHERE entry_date IS NOT NULL)
       AND b.date >= (SELECT MIN(entry_date) FROM targets)
    WINDOW w AS (PARTITION BY b.symbol ORDER BY b.date)
),
computed AS (
    SELECT t.post_id, t.direction, t.entry_date, t.entry_deadline, s.px AS entry_price,
           s.px_1d / NULLIF(s.px, 0) - 1 AS return_1d,
           s.px_1w / NULLIF(s.px, 0) - 1 AS return_1w,
           s.px_1m / NULLIF(s.px, 0) - 1 AS return_1m,
           s.date_1m
      FROM targets t
      LEFT JOIN series s ON s.symbol = t.symbol AND s.date = t.entry_date
),
scored AS (
    SELECT post_id, entry_date, entry_price, return_1d, return_1w, return_1m,
           CASE WHEN return_1d IS NULL THEN NULL
                WHEN direction = 'bullish' THEN return_1d > 0 ELSE return_1d < 0 END AS hit_1d,
           CASE WHEN return_1w IS NULL THEN NULL
                WHEN direction = 'bullish' THEN return_1w > 0 ELSE return_1w < 0 END AS hit_1w,
           CASE WHEN return_1m IS NULL THEN NULL
                WHEN direction = 'bullish' THEN return_1m > 0 ELSE return_1m < 0 END AS hit_1m,
           CASE WHEN return_1m IS NULL THEN NULL ELSE date_1m END AS exit_date_1m,
           CASE WHEN return_1m IS NOT NULL THEN 'scored'
                WHEN entry_date IS NULL AND entry_deadline < %(today)s THEN 'void'
                ELSE 'pending' END AS status
      FROM computed
)
SELECT s.*, c.author_id, c.status AS old_status
  FROM scored s
  JOIN {call} c ON c.post_id = s.post_id
 WHERE c.status IS DISTINCT FROM s.status
    OR c.entry_date IS DISTINCT FROM s.entry_date
    OR c.entry_price IS DISTINCT FROM s.entry_price
    OR c.return_1d IS DISTINCT FROM s.return_1d
    OR c.return_1w IS DISTINCT FROM s.return_1w
    OR c.return_1m IS DISTINCT FROM s.return_1m
    OR c.hit_1d IS DISTINCT FROM s.hit_1d
    OR c.hit_1w IS DISTINCT FROM s.hit_1w
    OR c.hit_1m IS DISTINCT FROM s.hit_1m
    OR c.exit_date_1m IS DISTINCT FROM s.exit_date_1m
"""

_APPLY_SQL = """
UPDATE {call} SET
    status = x.status, entry_date = x.entry_date, entry_price = x.entry_price,
    return_1d = x.return_1d, return_1w = x.return_1w, return_1m = x.return_1m,
    hit_1d = x.hit_1d, hit_1w = x.hit_1w, hit_1m = x.hit_1m, exit_date_1m = x.exit_date_1m,
    scored_at = CASE WHEN x.status <> 'scored' THEN NULL
                     WHEN x.old_status = 'scored' THEN {call}.scored_at
                     ELSE %(now)s END,
    updated_at = %(now)s
  FROM {scratch} x
 WHERE {call}.post_id = x.post_id
"""

# The calls bars may have moved: those of a symbol with bars changed since the last run ({changed}:
# symbol, first changed date) whose 1m exit is not before that date or not known yet (they may read
# one of them), and the pending calls still without an entry whose window has closed (now void).
_INCREMENTAL_TARGETS = """
c.post_id IN (
    SELECT k.post_id FROM {call} k JOIN {changed} ch ON ch.symbol = k.ticker_id
     WHERE k.exit_date_1m IS NULL OR k.exit_date_1m >= ch.since
    UNION ALL
    SELECT k.post_id FROM {call} k
     WHERE k.status = 'pending' AND k.entry_date IS NULL AND k.entry_deadline < %(today)s
)
"""


def track_records_recount(author_ids: Any) -> None:
    """Sets the 1m record counters of these users from their calls: ids, a SQL subquery listing
    them, or None for everyone. One grouped pass; only the users whose counters change are written."""
    tables = _tables()
    params: list[int] = []
    if author_ids is None:
        where = "1 = 1"
    elif isinstance(author_ids, str):
        where = f"u.id IN ({author_ids})"
    else:
        ids = sorted(set(author_ids))
        if not ids:
            return
        where, params = f"u.id IN ({', '.join(['%s'] * len(ids))})", ids
    user = tables["user"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {user} SET calls_count = t.calls, calls_scored = t.scored, calls_hits = t.hits "  # noqa: S608
            "FROM ("
            "SELECT u.id AS user_id, "
            "SUM(CASE WHEN k.status <> 'void' THEN 1 ELSE 0 END) AS calls, "
            "SUM(CASE WHEN k.hit_1m IS NOT NULL THEN 1 ELSE 0 END) AS scored, "
            "SUM(CASE WHEN k.hit_1m THEN 1 ELSE 0 END) AS hits "
            f"FROM {user} u LEFT JOIN {tables['call']} k ON k.author_id = u.id "
            f"WHERE {where} GROUP BY u.id"
            ") t "
            f"WHERE {user}.id = t.user_id AND ({user}.calls_count <> t.calls OR {user}.calls_scored <> t.scored "
            f"OR {user}.calls_hits <> t.hits)",
            params,
        )


def _statistics_refresh() -> None:
    """Fresh planner statistics for the tables a whole run reads, sampled (a fraction of a second).

    A run over every call is planned from them: with none (SQLite before its first ANALYZE) or
    stale ones (PostgreSQL's, taken while the call table was empty), the joins were planned as
    nested loops over the whole tables: 36 s instead of 0.3 s for 50,000 calls on SQLite.
    """
    tables = (Call._meta.db_table, DailyBar._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


@transaction.atomic
def calls_score(
    *,
    since: datetime.date | None = None,
    rebuild: bool = False,
    post_ids: Sequence[int] | None = None,
    today: datetime.date | None = None,
) -> ScoreResult:
    """Scores the calls that may have changed and stores the values that did; see the module docstring.

    By default (what the scheduled task runs) it reads the calls whose ticker has bars changed
    since the last run (less ``WATERMARK_OVERLAP``), and the pending calls whose entry window has
    ended. ``since`` scores
    every call posted on or after that date and ``rebuild`` every call, each after deriving
    the rows again from the posts (``_calls_sync``); ``post_ids`` scores just those calls.
    Idempotent: a second run with no new prices changes nothing. Runs one at a time (the
    watermark row is locked for the transaction).
    """
    today = today or utc_today()
    now = timezone.now()
    mark, _ = CallScoringWatermark.objects.select_for_update().get_or_create(name=WATERMARK)
    seen_until = DailyBar.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    if seen_until is not None:
        # An import committing after this run read its bars may carry earlier times than the
        # newest bar seen here: the next runs look an hour back again (idempotent, so only cost).
        seen_until = min(seen_until, now - WATERMARK_OVERLAP)

    created = removed = 0
    params: dict[str, Any] = {"today": connection.ops.adapt_datefield_value(today)}
    if post_ids is not None:
        ids = [int(pk) for pk in post_ids] or [0]
        targets = f"c.post_id IN ({', '.join(str(pk) for pk in ids)})"
    elif rebuild or since is not None or mark.bars_seen_until is None:
        if rebuild or since is not None:
            created, removed, removed_authors = _calls_sync(since=None if rebuild else since)
            if not rebuild:  # a rebuild recounts everyone below
                track_records_recount(removed_authors)
        _statistics_refresh()
        targets = "1 = 1"
        if since is not None and not rebuild:
            targets = "c.posted_on >= %(since)s"
            params["since"] = connection.ops.adapt_datefield_value(since)
    else:
        # The changed bars through daily_bar_updated_idx, once, into a small table the targets join.
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_CHANGED}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {_CHANGED} AS SELECT symbol, MIN(date) AS since "  # noqa: S608
                f"FROM {DailyBar._meta.db_table} WHERE updated_at > %s GROUP BY symbol",
                [connection.ops.adapt_datetimefield_value(mark.bars_seen_until)],
            )
        targets = _INCREMENTAL_TARGETS.format(**_tables(), changed=_CHANGED)

    tables = _tables()
    horizons = {f"h{name}": days for name, days in CALL_HORIZONS.items()}
    with connection.cursor() as cursor:
        # The targets once, by id: counted here and joined by the scoring statement.
        cursor.execute(f"DROP TABLE IF EXISTS {_TARGETS}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_TARGETS} AS SELECT c.post_id FROM {tables['call']} c WHERE {targets}",  # noqa: S608
            params,
        )
        cursor.execute(f"SELECT COUNT(*) FROM {_TARGETS}")  # noqa: S608
        (examined,) = cursor.fetchone()
        cursor.execute(f"DROP TABLE IF EXISTS {_SCRATCH}")
        if connection.vendor == "postgresql":
            # Temporary tables get no automatic statistics: without them their joins are planned blind.
            cursor.execute(f"ANALYZE {_TARGETS}")
        cursor.execute(_SCORE_SQL.format(**tables, **horizons, targets=_TARGETS), params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {_SCRATCH}")
        cursor.execute(f"SELECT COUNT(*) FROM {_SCRATCH}")  # noqa: S608
        (changed,) = cursor.fetchone()
        newly_scored: list[int] = []
        if changed:
            cursor.execute(_APPLY_SQL.format(**tables), {"now": connection.ops.adapt_datetimefield_value(now)})
            cursor.execute(
                f"SELECT post_id FROM {_SCRATCH} WHERE status = 'scored' AND old_status <> 'scored' "  # noqa: S608
                "AND exit_date_1m >= %s ORDER BY post_id",
                [connection.ops.adapt_datefield_value(today - datetime.timedelta(days=NOTIFY_WITHIN_DAYS))],
            )
            newly_scored = [pk for (pk,) in cursor.fetchall()]
            if not rebuild:  # a rebuild recounts everyone below
                track_records_recount(f"SELECT DISTINCT author_id FROM {_SCRATCH}")  # noqa: S608
        for scratch in (_SCRATCH, _TARGETS, _CHANGED):
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
    if rebuild:
        track_records_recount(None)
    # Only a run over every call that bars may have moved may say those bars are seen.
    whole = post_ids is None and (rebuild or since is None)
    if whole and seen_until is not None and (mark.bars_seen_until is None or seen_until > mark.bars_seen_until):
        mark.bars_seen_until = seen_until
        mark.save(update_fields=["bars_seen_until", "updated_at"])
    if newly_scored:
        signals.calls_scored.send(Call, post_ids=newly_scored)
    return ScoreResult(
        examined=examined, changed=changed, newly_scored=len(newly_scored), created=created, removed=removed
    )
