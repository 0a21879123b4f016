"""Trending: distinct authors per hour, weighted by the hour's age, from the hourly roll-up plus a live tail.

score = Σ over the window's hours h of authors_h * 0.5 ** (age_h / (hours / 2)), age_h from the hour's start to now;
the window is the current hour and the hours - 1 before it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import Post, RollupWatermark, Sentiment, Ticker, TickerHourlyMentions
from content.tests.factories import TickerFactory, mention
from content.trending import HOURLY_MENTIONS, hourly_mentions_refresh, rolled_up_span, trending_scores
from core.testing import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickers/trending"
# Half past the hour, so the current hour is partial and every hour's start is 0.5 h before a whole age.
NOW = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
CURRENT_HOUR = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def w(age_hours, hours=24):
    """The weight of one author in an hour that started ``age_hours`` ago."""
    return 0.5 ** (age_hours / (hours / 2))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def refresh(days=8):
    return hourly_mentions_refresh(since=timezone.now() - timedelta(days=days), until=timezone.now())


def scores(hours=24, limit=10):
    return [(trend.symbol, trend.mentions, trend.score) for trend in trending_scores(hours=hours, limit=limit, now=NOW)]


def stored_rows():
    return list(
        TickerHourlyMentions.objects.order_by("hour", "ticker_id").values_list(
            "ticker_id", "hour", "mentions", "authors", "bullish", "bearish"
        )
    )


@pytest.fixture
def market(db):
    """A small fixed data set; expected scores below are worked out by hand for NOW = 12:30."""
    spammer, b, c, d, e, f, g = (UserFactory() for _ in range(7))
    aapl = TickerFactory(symbol="AAPL", name="Apple Inc.")
    amd = TickerFactory(symbol="AMD", name="")
    msft = TickerFactory(symbol="MSFT", name="Microsoft Corporation")
    nvda = TickerFactory(symbol="NVDA", name="NVIDIA Corporation")
    TickerFactory(symbol="IBM", name="IBM")  # never mentioned

    # AAPL: the spammer twice in the 11:00 hour (counts once there) and once at 10:30; b at 00:30.
    mention(aapl, author=spammer, hours_ago=1, sentiment=Sentiment.BULLISH)  # 11:30
    mention(aapl, author=spammer, hours_ago=4 / 3, sentiment=Sentiment.BULLISH)  # 11:10
    mention(aapl, author=spammer, hours_ago=2, sentiment=Sentiment.BULLISH)  # 10:30
    mention(aapl, author=b, hours_ago=12, sentiment=Sentiment.BEARISH)  # 00:30
    mention(aapl, author=c, hours_ago=0.25, is_hidden=True)  # hidden by a moderator: no trace
    mention(aapl, author=d, hours_ago=0.25, deleted_at=NOW)  # deleted: no trace
    # AMD: a fresh burst of two authors in the 11:00 hour ...
    mention(amd, author=c, hours_ago=1)
    mention(amd, author=d, hours_ago=1)
    # ... beats an older one of three authors at 14:30 yesterday on MSFT.
    for author in (e, f, g):
        mention(msft, author=author, hours_ago=22)
    # NVDA: one author ten minutes ago, one in the window's first hour (13:00 yesterday), one in the
    # hour before the window (12:30 yesterday: out), one 30 hours ago (out).
    mention(nvda, author=b, hours_ago=1 / 6)
    mention(nvda, author=c, hours_ago=23)
    mention(nvda, author=e, hours_ago=24)
    mention(nvda, author=d, hours_ago=30)
    return {"spammer": spammer, "b": b, "c": c, "d": d, "e": e}


# Ages are from each hour's start: the 11:00 hour is 1.5 h old at 12:30.
AAPL_SCORE = w(1.5) + w(2.5) + w(12.5)  # 0.917004 + 0.865537 + 0.485766 = 2.268307
AMD_SCORE = 2 * w(1.5)  # 1.834008
NVDA_SCORE = w(0.5) + w(23.5)  # 0.971532 + 0.257326 = 1.228858
MSFT_SCORE = 3 * w(22.5)  # 3 * 0.272627 = 0.817881
EXPECTED_24H = [
    ("AAPL", 4, pytest.approx(AAPL_SCORE, abs=1e-6)),
    ("AMD", 2, pytest.approx(AMD_SCORE, abs=1e-6)),
    ("NVDA", 2, pytest.approx(NVDA_SCORE, abs=1e-6)),
    ("MSFT", 3, pytest.approx(MSFT_SCORE, abs=1e-6)),
]


# Without any roll-up: everything is computed live


def test_trending_ranks_by_recency_weighted_authors_per_hour(api_client, market, django_assert_max_num_queries):
    assert not RollupWatermark.objects.exists()

    # The watermark; the scores; the tickers' activity.
    with django_assert_max_num_queries(3):
        response = api_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert [ticker["symbol"] for ticker in body] == ["AAPL", "AMD", "NVDA", "MSFT"]
    assert [ticker["score"] for ticker in body] == pytest.approx([2.268307, 1.834008, 1.228858, 0.817881], abs=1e-6)
    assert [ticker["score"] for ticker in body] == pytest.approx(
        [AAPL_SCORE, AMD_SCORE, NVDA_SCORE, MSFT_SCORE], abs=1e-6
    )
    assert [ticker["mentions"] for ticker in body] == [4, 2, 2, 3]
    assert body[0] == {
        "symbol": "AAPL",
        "name": "Apple Inc.",
        "post_count": 4,
        "sentiment": {"bullish": 3, "bearish": 1},
        "listed": True,
        "price": None,
        "mentions": 4,
        "score": pytest.approx(AAPL_SCORE, abs=1e-6),
    }
    # A row made without a name shows the reference list's.
    assert body[1]["name"] == "Advanced Micro Devices, Inc."


def test_one_author_counts_once_per_hour(api_client, market):
    spam_ticker = TickerFactory(symbol="SPAM", name="")
    for minutes_ago in range(30):  # 12:01 to 12:30: all in the current hour
        mention(spam_ticker, author=market["spammer"], hours_ago=minutes_ago / 60)

    body = api_client.get(URL).json()

    spam = next(ticker for ticker in body if ticker["symbol"] == "SPAM")
    assert spam["mentions"] == 30
    assert spam["score"] == pytest.approx(w(0.5), abs=1e-6)  # one author in the 12:00 hour: 0.971532


def test_a_shorter_window_halves_faster_and_drops_older_hours(api_client, market):
    # hours=6: the hours 07:00-12:00, half-life 3 h. MSFT, AAPL's 00:30 and NVDA's 13:30 are out.
    body = api_client.get(URL, {"hours": 6}).json()

    assert [ticker["symbol"] for ticker in body] == ["AMD", "AAPL", "NVDA"]
    assert [ticker["score"] for ticker in body] == pytest.approx(
        [2 * w(1.5, 6), w(1.5, 6) + w(2.5, 6), w(0.5, 6)], abs=1e-6
    )  # 1.414214, 1.268338, 0.890899
    assert [ticker["mentions"] for ticker in body] == [2, 3, 1]


def test_a_one_hour_window_is_the_current_hour(api_client, market):
    # Only NVDA's 12:20 mention (AAPL's two 12:15 ones are hidden and deleted). Half-life 30 min.
    body = api_client.get(URL, {"hours": 1}).json()

    assert [(ticker["symbol"], ticker["mentions"]) for ticker in body] == [("NVDA", 1)]
    assert body[0]["score"] == pytest.approx(w(0.5, 1))  # 0.5 ** (0.5 / 0.5) = 0.5


def test_a_week_window_counts_everything_visible(api_client, market):
    body = api_client.get(URL, {"hours": 168}).json()

    # Half-life 84 h. NVDA has four authors now: hours aged 0.5, 23.5, 24.5 and 30.5 h.
    nvda = next(ticker for ticker in body if ticker["symbol"] == "NVDA")
    assert nvda["mentions"] == 4
    assert nvda["score"] == pytest.approx(w(0.5, 168) + w(23.5, 168) + w(24.5, 168) + w(30.5, 168), abs=1e-6)
    # NVDA 0.996 + 0.824 + 0.817 + 0.777 = 3.414; AAPL 0.988 + 0.980 + 0.902 = 2.870;
    # MSFT 3 * 0.831 = 2.494; AMD 2 * 0.988 = 1.975.
    assert [ticker["symbol"] for ticker in body] == ["NVDA", "AAPL", "MSFT", "AMD"]


def test_ties_go_to_more_mentions_then_to_the_symbol(api_client):
    author, other = UserFactory(), UserFactory()
    for symbol in ("BBB", "AAA", "CCC"):
        ticker = TickerFactory(symbol=symbol, name="")
        mention(ticker, author=author, hours_ago=2)  # 10:30
    mention(Ticker.objects.get(symbol="CCC"), author=author, hours_ago=2.25)  # 10:15: same hour, same score
    mention(TickerFactory(symbol="DDD", name=""), author=other, hours_ago=3)  # 09:30: an older hour

    body = api_client.get(URL).json()

    assert [ticker["symbol"] for ticker in body] == ["CCC", "AAA", "BBB", "DDD"]
    assert [ticker["score"] for ticker in body] == pytest.approx([w(2.5)] * 3 + [w(3.5)], abs=1e-6)


def test_limit_keeps_the_top_tickers(api_client, market):
    body = api_client.get(URL, {"limit": 2}).json()

    assert [ticker["symbol"] for ticker in body] == ["AAPL", "AMD"]


def test_nothing_mentioned_is_an_empty_list(api_client, db):
    TickerFactory(symbol="IBM")

    assert api_client.get(URL).json() == []


def test_the_list_is_shared_for_30_seconds_per_window_and_limit(
    api_client, market, settings, django_assert_num_queries
):
    # In-process, so the frozen clock also moves the cache's (Redis counts real seconds).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    first = api_client.get(URL).json()
    newcomer = TickerFactory(symbol="NEW", name="")
    for _ in range(3):
        mention(newcomer, author=UserFactory(), hours_ago=0)

    # Served from the cache: no query.
    with django_assert_num_queries(0):
        assert api_client.get(URL).json() == first
    # Another window or limit is another entry, computed now: the new mentions count at once.
    assert api_client.get(URL, {"limit": 3}).json()[0]["symbol"] == "NEW"

    with time_machine.travel(NOW + timedelta(seconds=31), tick=False):
        body = api_client.get(URL).json()
    assert (body[0]["symbol"], body[0]["mentions"]) == ("NEW", 3)
    assert body[0]["score"] == pytest.approx(3 * w(31 / 60 / 60 + 0.5), abs=1e-6)


# The roll-up


def test_refresh_writes_one_row_per_ticker_and_hour(market):
    written = refresh()

    assert written == 9
    yesterday = datetime(2026, 11, 19, tzinfo=UTC)
    today = datetime(2026, 11, 20, tzinfo=UTC)
    # (ticker, hour, mentions, distinct authors, bullish, bearish), by hour: hidden and deleted posts
    # left out, the spammer's two 11:xx AAPL posts are one author.
    assert stored_rows() == [
        ("NVDA", yesterday.replace(hour=6), 1, 1, 0, 0),
        ("NVDA", yesterday.replace(hour=12), 1, 1, 0, 0),
        ("NVDA", yesterday.replace(hour=13), 1, 1, 0, 0),
        ("MSFT", yesterday.replace(hour=14), 3, 3, 0, 0),
        ("AAPL", today, 1, 1, 0, 1),
        ("AAPL", today.replace(hour=10), 1, 1, 1, 0),
        ("AAPL", today.replace(hour=11), 2, 1, 2, 0),
        ("AMD", today.replace(hour=11), 2, 2, 0, 0),
        ("NVDA", today.replace(hour=12), 1, 1, 0, 0),
    ]


def test_refresh_is_idempotent(market):
    first = refresh()
    rows = stored_rows()

    second = refresh()

    assert second == first == 9
    assert stored_rows() == rows


def test_refresh_writes_the_current_hour_but_keeps_it_live(market):
    refresh()

    # The 12:00 hour has a row (NVDA at 12:20) but is not final: the watermark stops at 12:00.
    assert TickerHourlyMentions.objects.filter(hour=CURRENT_HOUR).count() == 1
    assert rolled_up_span() == (CURRENT_HOUR - timedelta(days=8), CURRENT_HOUR)


def test_refresh_drops_rows_of_hidden_deleted_and_suspended_content(market):
    refresh()
    assert TickerHourlyMentions.objects.filter(ticker_id="AMD").values_list("authors", flat=True).get() == 2

    # One AMD author suspended, MSFT's three posts hidden or deleted, the spammer's 10:30 AAPL post deleted.
    market["d"].suspended_at = NOW
    market["d"].is_active = False
    market["d"].save()
    msft_posts = Post.objects.filter(post_tickers__ticker_id="MSFT").order_by("pk")
    Post.objects.filter(pk__in=[post.pk for post in msft_posts[:2]]).update(is_hidden=True)
    Post.objects.filter(pk=msft_posts[2].pk).update(deleted_at=NOW)
    Post.objects.filter(post_tickers__ticker_id="AAPL", created_at=NOW - 2 * HOUR).update(deleted_at=NOW)
    refresh()

    assert not TickerHourlyMentions.objects.filter(ticker_id="MSFT").exists()
    assert not TickerHourlyMentions.objects.filter(ticker_id="AAPL", hour=CURRENT_HOUR - 2 * HOUR).exists()
    assert TickerHourlyMentions.objects.filter(ticker_id="AMD").values_list("mentions", "authors").get() == (1, 1)
    # d's NVDA mention 30 h ago went too.
    assert not TickerHourlyMentions.objects.filter(ticker_id="NVDA", hour=CURRENT_HOUR - 30 * HOUR).exists()
    assert [symbol for symbol, _, _ in scores()] == ["AAPL", "NVDA", "AMD"]


def test_refresh_only_touches_the_hours_it_covers(market):
    refresh()
    untouched = TickerHourlyMentions.objects.get(ticker_id="MSFT")

    # Refresh 00:00-12:30 today only: MSFT's hour (14:00 yesterday) keeps its row as it was.
    Post.objects.filter(post_tickers__ticker_id="MSFT").update(deleted_at=NOW)
    hourly_mentions_refresh(since=datetime(2026, 11, 20, tzinfo=UTC), until=NOW)

    assert TickerHourlyMentions.objects.get(ticker_id="MSFT") == untouched
    assert TickerHourlyMentions.objects.get(ticker_id="MSFT").mentions == 3


def test_trending_reads_the_roll_up_for_rolled_up_hours(market):
    refresh()
    # Doctor the stored 11:00 AMD row: trending shows it, so it reads the row, not the posts.
    TickerHourlyMentions.objects.filter(ticker_id="AMD").update(authors=10, mentions=20)

    assert scores()[0] == ("AMD", 20, pytest.approx(10 * w(1.5), abs=1e-6))


def test_roll_up_and_live_tail_give_the_live_answer_without_double_counting(market):
    live = scores()
    refresh()

    # Mentions on both sides of the watermark (12:00) after the refresh: 11:59 is in a rolled-up
    # hour (so it waits for the next refresh), 12:01 in the live current hour (it counts at once).
    late = TickerFactory(symbol="LATE", name="")
    mention(late, author=UserFactory(), hours_ago=31 / 60)  # 11:59
    mention(late, author=UserFactory(), hours_ago=29 / 60)  # 12:01

    assert [trend for trend in scores() if trend[0] != "LATE"] == live
    assert ("LATE", 1, pytest.approx(w(0.5), abs=1e-6)) in scores()

    refresh()
    # Both now, each counted once: the 11:00 hour from the roll-up, the 12:00 hour live.
    assert ("LATE", 2, pytest.approx(w(1.5) + w(0.5), abs=1e-6)) in scores()
    RollupWatermark.objects.all().delete()
    assert ("LATE", 2, pytest.approx(w(1.5) + w(0.5), abs=1e-6)) in scores()


def test_the_roll_up_gives_the_same_scores_for_every_window(market):
    expected = {hours: scores(hours=hours) for hours in (1, 6, 24, 168)}

    refresh()

    for hours in (1, 6, 24, 168):
        assert scores(hours=hours) == expected[hours]
    assert scores() == EXPECTED_24H


def test_an_hour_becomes_final_a_minute_after_it_ends(market):
    with time_machine.travel(datetime(2026, 11, 20, 13, 0, 30, tzinfo=UTC), tick=False):
        refresh()
    assert rolled_up_span()[1] == CURRENT_HOUR  # 12:00-13:00 ended 30 s ago: maybe not all committed

    with time_machine.travel(datetime(2026, 11, 20, 13, 1, tzinfo=UTC), tick=False):
        refresh()
    assert rolled_up_span()[1] == CURRENT_HOUR + HOUR


def test_the_watermark_grows_when_refreshed_ranges_meet(db):
    day = datetime(2026, 11, 18, tzinfo=UTC)

    hourly_mentions_refresh(since=day + timedelta(hours=5, minutes=10), until=day + timedelta(hours=9, minutes=1))
    assert rolled_up_span() == (day.replace(hour=5), day.replace(hour=10))  # whole hours: 05:00-10:00

    # Touching it at either end, or overlapping: one range.
    hourly_mentions_refresh(since=day.replace(hour=10), until=day.replace(hour=12))
    hourly_mentions_refresh(since=day.replace(hour=3), until=day.replace(hour=5))
    hourly_mentions_refresh(since=day.replace(hour=11), until=day.replace(hour=14))
    assert rolled_up_span() == (day.replace(hour=3), day.replace(hour=14))

    # A range entirely inside changes nothing; one leaving a gap before it changes nothing either.
    hourly_mentions_refresh(since=day.replace(hour=6), until=day.replace(hour=7))
    hourly_mentions_refresh(since=day.replace(hour=0), until=day.replace(hour=2))
    assert rolled_up_span() == (day.replace(hour=3), day.replace(hour=14))

    # One leaving a gap after it starts afresh: the hours in between were never rolled up.
    hourly_mentions_refresh(since=day.replace(hour=16), until=day.replace(hour=18))
    assert rolled_up_span() == (day.replace(hour=16), day.replace(hour=18))


def test_a_range_of_the_future_or_of_nothing_writes_nothing(db):
    assert hourly_mentions_refresh(since=NOW, until=NOW) == 0
    assert hourly_mentions_refresh(since=NOW + HOUR, until=NOW) == 0
    # The current hour alone: rows may be written, but no hour is final, so no watermark range.
    hourly_mentions_refresh(since=CURRENT_HOUR, until=NOW)
    assert rolled_up_span() is None


def test_hours_the_watermark_does_not_cover_are_computed_live(market):
    week = scores(hours=168)
    # The roll-up covers only 00:00-11:00 today: yesterday's hours and the 11:00 and 12:00 hours are live.
    hourly_mentions_refresh(since=datetime(2026, 11, 20, tzinfo=UTC), until=datetime(2026, 11, 20, 11, tzinfo=UTC))
    assert rolled_up_span() == (datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 20, 11, tzinfo=UTC))

    assert scores() == EXPECTED_24H
    assert scores(hours=168) == week


def test_the_hourly_rows_count_sentiment_per_hour(db):
    ticker = TickerFactory(symbol="TSLA")
    author = UserFactory()
    mention(ticker, author=author, hours_ago=1, sentiment=Sentiment.BULLISH)
    mention(ticker, author=author, hours_ago=1.25, sentiment=Sentiment.BEARISH)
    mention(ticker, author=UserFactory(), hours_ago=1.5)

    hourly_mentions_refresh(since=NOW - 2 * HOUR, until=NOW)

    assert stored_rows() == [("TSLA", CURRENT_HOUR - HOUR, 3, 2, 1, 1)]


# The endpoint


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"hours": 0}, "hours"),
        ({"hours": 169}, "hours"),
        ({"hours": -1}, "hours"),
        ({"hours": "day"}, "hours"),
        ({"hours": "1.5"}, "hours"),
        ({"limit": 0}, "limit"),
        ({"limit": 51}, "limit"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api_client, db, params, field):
    assert_problem(api_client.get(URL, params), 400, field)


@pytest.mark.parametrize("rolled_up", [False, True])
@pytest.mark.parametrize("size", [1, 50])
def test_trending_query_count_does_not_grow_with_the_list(
    api_client, client_for, user, size, rolled_up, django_assert_max_num_queries
):
    for n in range(size):
        ticker = TickerFactory(symbol=f"TR{chr(65 + n // 26)}{chr(65 + n % 26)}", name="")
        mention(ticker, author=user, hours_ago=n / 5, sentiment=Sentiment.BULLISH)
    if rolled_up:
        refresh()
    client = client_for(user)

    # The watermark; the scores; the tickers' activity.
    with django_assert_max_num_queries(3):
        response = api_client.get(URL, {"limit": 50, "hours": 168})
    assert len(response.json()) == size

    cache.clear()
    # The viewer (authentication), the watermark, the scores, the tickers' activity.
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"limit": 50, "hours": 168})
    assert len(response.json()) == size


def test_trending_scores_is_two_queries_with_or_without_the_roll_up(market, django_assert_num_queries):
    # The watermark; the scores (roll-up rows and live rows in one statement).
    with django_assert_num_queries(2):
        assert scores() == EXPECTED_24H
    refresh()
    with django_assert_num_queries(2):
        assert scores() == EXPECTED_24H


# The watermark in the admin (read-only)


def test_the_watermark_admin_is_for_staff_only(client, market):
    refresh()
    url = reverse("admin:content_rollupwatermark_changelist")

    for user in (None, UserFactory()):
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 200
    assert HOURLY_MENTIONS in response.content.decode()
    watermark = RollupWatermark.objects.get()
    change = client.get(reverse("admin:content_rollupwatermark_change", args=[watermark.pk]))
    assert change.status_code == 200
    assert client.post(reverse("admin:content_rollupwatermark_add")).status_code == 403
