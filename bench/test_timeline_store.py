"""bench/timeline_store_bench.py's Redis encoding keeps the table's order, and its cursor read loses
and repeats nothing (not in the suite's testpaths: `.venv/bin/pytest bench/test_timeline_store.py`)."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from timeline_store_bench import entry_of, member_of, page_after, redis_order, score_of, time_of

BASE = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)


def _keys(count, seed=7):
    """(sort_time, kind, item_id, post_id) with many ties: few distinct microseconds, both kinds,
    item ids of different digit counts (9 and 10 compare wrongly as unpadded text)."""
    rng = random.Random(seed)
    keys: set[tuple[datetime, int, int]] = set()
    while len(keys) < count:
        sort_time = BASE + timedelta(microseconds=rng.choice([0, 1, 2, 999_999, 10**6]))
        kind = rng.choice([0, 1])
        item_id = rng.choice([rng.randint(1, 20), rng.randint(1, 10**12), 9, 10, 99, 100])
        keys.add((sort_time, kind, item_id))
    return [(t, kind, item, item if kind == 1 else item + 5) for t, kind, item in keys]


def _scored(keys):
    return [(member_of(kind, item, post), float(score_of(t))) for t, kind, item, post in keys]


def test_redis_order_is_the_tables_order():
    keys = _keys(400)
    table = sorted(keys, key=lambda key: key[:3], reverse=True)
    redis = [entry_of(member, score) for member, score in redis_order(_scored(keys))]
    assert redis == table


def test_scores_are_exact_microseconds():
    for moment in [BASE, BASE + timedelta(microseconds=1), datetime(2250, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC)]:
        score = score_of(moment)
        assert float(score) == score
        assert time_of(float(score)) == moment
    with pytest.raises(ValueError, match="does not fit a score exactly"):
        score_of(datetime(2260, 1, 1, tzinfo=UTC))


def test_a_repost_member_carries_its_post():
    assert member_of(1, 42) == "1:0000000000000000042"
    assert member_of(0, 42, 7) == "0:0000000000000000042:7"
    assert entry_of(b"0:0000000000000000042:7", score_of(BASE))[1:] == (0, 42, 7)


def _fake_zset(entries):
    """ZREVRANGEBYSCORE key max -inf WITHSCORES LIMIT offset count over ``entries``."""
    ordered = redis_order(entries)

    def fetch(max_score, offset, count):
        under = [entry for entry in ordered if max_score is None or entry[1] <= max_score]
        return under[offset : offset + count]

    return ordered, fetch


@pytest.mark.parametrize("limit", [1, 3, 20])
def test_paging_by_cursor_walks_every_entry_once_through_ties(limit):
    # 400 entries over 5 microseconds: ties far longer than a page and the fetch's slack.
    ordered, fetch = _fake_zset(_scored(_keys(400)))
    walked: list[tuple[str, float]] = []
    cursor = None
    for _ in range(len(ordered) + 1):  # bounded: a cursor read that repeats itself fails, not hangs
        page = page_after(fetch, cursor, limit)
        if not page:
            break
        assert len(page) == limit or len(walked) + len(page) == len(ordered)
        walked += page
        cursor = page[-1]
    assert walked == ordered
