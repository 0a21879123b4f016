"""Call scores checked against values worked out by hand on content/tests/data/call_prices.csv.

The file's trading days (2024): Jan 2, 3, 4, 5, 8, 9, 10, 11, 12, 16 (Jan 15 is a holiday), 17,
18, 19, 22 ... Feb 13: 30 days, index 0 to 29 (index 4 is Jan 8, 9 is Jan 16, 25 is Feb 7).
ACME closes at 100 + index (no adjusted close), DOWN at 200 - index, FLAT at 50, DIVI closes
at 100 with an adjusted close of 80 + index, and GAPP has bars on Jan 2 and Jan 22 only.
The file is loaded with `import_prices` and corrected by importing a one-row file, as an operator
would. A call's horizons are 1, 5 and 21 trading days after its entry, so a call entering at index i
on ACME returns (101 + i) / (100 + i) - 1 at 1d, (105 + i) / (100 + i) - 1 at 1w and
(121 + i) / (100 + i) - 1 at 1m.
"""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from content import signals
from content.calls import calls_score
from content.models import Call, CallStatus
from content.services.posts import post_create, post_set_hidden, post_soft_delete

PRICES = Path(__file__).parent / "data" / "call_prices.csv"
UTC = datetime.UTC

pytestmark = pytest.mark.django_db


def load_prices() -> None:
    call_command("import_prices", str(PRICES), stdout=io.StringIO())


def correct(symbol: str, day: str, close: float) -> None:
    """Re-imports one bar with a new close, as a corrected price file would."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "correction.csv"
        path.write_text(f"symbol,date,open,high,low,close,adj_close,volume\n{symbol},{day},1,999,0,{close},,\n")
        call_command("import_prices", str(path), stdout=io.StringIO())


def call_at(author: User, moment: datetime.datetime, text: str, sentiment: str) -> Call:
    with time_machine.travel(moment, tick=False):
        post = post_create(author=author, content=text, sentiment=sentiment)
    return Call.objects.get(post=post)


def at(day: str, hour: int = 15) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def author():
    return UserFactory()


def test_a_weekend_post_enters_on_monday_and_is_scored_at_every_horizon(author):
    load_prices()
    # Saturday Jan 6 in UTC (still Friday evening in New York): enters Monday Jan 8, index 4, at 104.
    call = call_at(author, at("2024-01-06", 2), "$ACME breaks out", "bullish")
    calls_score()
    call.refresh_from_db()
    assert call.posted_on == datetime.date(2024, 1, 6)
    assert (call.entry_date, call.entry_price) == (datetime.date(2024, 1, 8), 104.0)
    assert call.return_1d == 105 / 104 - 1
    assert call.return_1w == 109 / 104 - 1
    assert call.return_1m == 125 / 104 - 1
    assert (call.hit_1d, call.hit_1w, call.hit_1m) == (True, True, True)
    assert call.status == CallStatus.SCORED
    assert call.exit_date_1m == datetime.date(2024, 2, 7)
    assert call.scored_at is not None


def test_a_holiday_post_enters_the_next_trading_day_and_its_1m_horizon_stays_pending(author):
    load_prices()
    # Monday Jan 15 is a holiday: enters Tuesday Jan 16 (index 9, 109). 1m would be index 30: not in the file.
    call = call_at(author, at("2024-01-15"), "$ACME after the long weekend", "bullish")
    calls_score()
    call.refresh_from_db()
    assert (call.entry_date, call.entry_price) == (datetime.date(2024, 1, 16), 109.0)
    assert call.return_1d == 110 / 109 - 1
    assert call.return_1w == 114 / 109 - 1
    assert (call.return_1m, call.hit_1m, call.exit_date_1m, call.scored_at) == (None, None, None, None)
    assert (call.hit_1d, call.hit_1w) == (True, True)
    assert call.status == CallStatus.PENDING


def test_a_bearish_call_on_a_falling_ticker_is_a_hit(author):
    load_prices()
    call = call_at(author, at("2024-01-02"), "$DOWN is done", "bearish")
    calls_score()
    call.refresh_from_db()
    assert call.entry_price == 200.0
    assert call.return_1d == 199 / 200 - 1
    assert call.return_1w == 195 / 200 - 1
    assert call.return_1m == 179 / 200 - 1
    assert (call.hit_1d, call.hit_1w, call.hit_1m) == (True, True, True)
    assert call.status == CallStatus.SCORED


def test_a_zero_move_is_a_miss_both_ways(author):
    load_prices()
    bullish = call_at(author, at("2024-01-02"), "$FLAT up", "bullish")
    bearish = call_at(author, at("2024-01-02"), "$FLAT down", "bearish")
    calls_score()
    for call in (bullish, bearish):
        call.refresh_from_db()
        assert (call.return_1d, call.return_1w, call.return_1m) == (0.0, 0.0, 0.0)
        assert (call.hit_1d, call.hit_1w, call.hit_1m) == (False, False, False)
        assert call.status == CallStatus.SCORED


def test_the_adjusted_close_is_the_price_when_there_is_one(author):
    load_prices()
    call = call_at(author, at("2024-01-02"), "$DIVI pays", "bullish")
    calls_score()
    call.refresh_from_db()
    assert call.entry_price == 80.0
    assert call.return_1d == 81 / 80 - 1
    assert call.return_1m == 101 / 80 - 1


def test_no_price_within_five_days_voids_the_call_and_it_counts_nowhere(author):
    load_prices()
    # GAPP: Jan 2, then Jan 22. A post on Jan 5 has nothing in Jan 5..10: void.
    void = call_at(author, at("2024-01-05"), "$GAPP soon", "bullish")
    # A post on Jan 17 enters on Jan 22 (5 days later, inside the window) and waits for more bars.
    late = call_at(author, at("2024-01-17"), "$GAPP later", "bullish")
    calls_score()
    void.refresh_from_db()
    late.refresh_from_db()
    assert void.status == CallStatus.VOID
    assert (void.entry_date, void.entry_price, void.return_1d, void.hit_1d) == (None, None, None, None)
    assert (late.status, late.entry_date, late.entry_price) == (CallStatus.PENDING, datetime.date(2024, 1, 22), 10.0)
    assert late.hit_1d is None
    author.refresh_from_db()
    # The void call is not counted; the pending one is a call not yet scored.
    assert (author.calls_count, author.calls_scored, author.calls_hits) == (1, 0, 0)


def test_a_call_is_not_void_while_its_entry_window_is_open(author):
    call = call_at(author, at("2024-03-01"), "$NEWCO tomorrow", "bullish")
    calls_score(today=datetime.date(2024, 3, 6))
    call.refresh_from_db()
    assert call.status == CallStatus.PENDING
    calls_score(today=datetime.date(2024, 3, 7))
    call.refresh_from_db()
    assert call.status == CallStatus.VOID


def test_a_price_arriving_late_in_the_window_revives_a_void_call(author):
    call = call_at(author, at("2024-01-05"), "$GAPP soon", "bullish")
    load_prices()
    calls_score()
    assert Call.objects.get(pk=call.pk).status == CallStatus.VOID
    correct("GAPP", "2024-01-10", 12)
    calls_score()
    call.refresh_from_db()
    assert (call.status, call.entry_date, call.entry_price) == (CallStatus.PENDING, datetime.date(2024, 1, 10), 12.0)
    # Jan 22 is the next bar in GAPP's series now: its 1d exit.
    assert call.return_1d == 10 / 12 - 1


def test_a_corrected_price_rescores_only_the_calls_that_read_it(author):
    load_prices()
    weekend = call_at(author, at("2024-01-06"), "$ACME", "bullish")  # entry Jan 8, 1d exit Jan 9
    holiday = call_at(author, at("2024-01-15"), "$ACME", "bullish")  # entry Jan 16: never reads Jan 9
    down = call_at(author, at("2024-01-02"), "$DOWN", "bearish")
    first = calls_score()
    assert (first.changed, first.newly_scored) == (3, 0)  # scored in 2024: nobody is told now
    before = {call.pk: Call.objects.get(pk=call.pk) for call in (weekend, holiday, down)}
    author.refresh_from_db()
    assert (author.calls_count, author.calls_scored, author.calls_hits) == (3, 2, 2)

    correct("ACME", "2024-01-09", 103)  # was 105
    result = calls_score()

    assert result.changed == 1
    weekend.refresh_from_db()
    assert weekend.return_1d == 103 / 104 - 1
    assert weekend.hit_1d is False
    assert weekend.return_1m == before[weekend.pk].return_1m
    assert weekend.updated_at > before[weekend.pk].updated_at
    assert weekend.scored_at == before[weekend.pk].scored_at  # still scored at 1m since the first run
    for untouched in (holiday, down):
        assert Call.objects.get(pk=untouched.pk).updated_at == before[untouched.pk].updated_at
    # A re-import with the same values changes no bar, so no call either.
    correct("ACME", "2024-01-09", 103)
    assert calls_score().changed == 0


def test_scoring_twice_changes_nothing_the_second_time(author):
    load_prices()
    call_at(author, at("2024-01-06"), "$ACME", "bullish")
    assert calls_score().changed == 1
    again = calls_score()
    assert again.changed == 0
    rebuilt = calls_score(rebuild=True)
    assert (rebuilt.changed, rebuilt.created, rebuilt.removed) == (0, 0, 0)


def test_rebuild_derives_the_calls_from_the_posts(author):
    load_prices()
    call = call_at(author, at("2024-01-06"), "$ACME and $DOWN", "bullish")
    Call.objects.all().delete()
    User.objects.filter(pk=author.pk).update(calls_count=0)
    result = calls_score(rebuild=True)
    assert (result.created, result.changed) == (1, 1)
    rebuilt = Call.objects.get()
    assert (rebuilt.pk, rebuilt.ticker_id, rebuilt.direction) == (call.pk, "ACME", "bullish")
    assert (rebuilt.posted_on, rebuilt.entry_deadline) == (datetime.date(2024, 1, 6), datetime.date(2024, 1, 11))
    assert rebuilt.status == CallStatus.SCORED
    author.refresh_from_db()
    assert (author.calls_count, author.calls_scored, author.calls_hits) == (1, 1, 1)


def test_a_post_without_sentiment_or_ticker_is_no_call(author):
    with time_machine.travel(at("2024-01-02"), tick=False):
        post_create(author=author, content="$ACME no view", sentiment=None)
        post_create(author=author, content="markets up", sentiment="bullish")
    assert calls_score(rebuild=True).created == 0
    assert not Call.objects.exists()


def test_a_deleted_or_hidden_post_takes_its_call_out_of_the_record(author):
    load_prices()
    deleted = call_at(author, at("2024-01-06"), "$ACME", "bullish")
    hidden = call_at(author, at("2024-01-02"), "$DOWN", "bearish")
    calls_score()
    author.refresh_from_db()
    assert (author.calls_count, author.calls_scored, author.calls_hits) == (2, 2, 2)

    post_soft_delete(post=deleted.post)
    post_set_hidden(post=hidden.post, hidden=True)

    assert not Call.objects.exists()
    author.refresh_from_db()
    assert (author.calls_count, author.calls_scored, author.calls_hits) == (0, 0, 0)
    assert calls_score(rebuild=True).created == 0

    post_set_hidden(post=hidden.post, hidden=False)
    restored = Call.objects.get()
    assert (restored.pk, restored.status, restored.hit_1m) == (hidden.pk, CallStatus.SCORED, True)
    author.refresh_from_db()
    assert (author.calls_count, author.calls_scored, author.calls_hits) == (1, 1, 1)


def test_a_call_scored_at_1m_recently_is_announced_once(author):
    load_prices()
    call = call_at(author, at("2024-01-06"), "$ACME", "bullish")
    received = []

    def receiver(sender, post_ids, **kwargs):
        received.append(post_ids)

    signals.calls_scored.connect(receiver)
    try:
        # The 1m exit is Feb 7: scored within a week of it, the author hears of it.
        calls_score(today=datetime.date(2024, 2, 9))
        calls_score(rebuild=True, today=datetime.date(2024, 2, 9))
    finally:
        signals.calls_scored.disconnect(receiver)
    assert received == [[call.pk]]


def test_a_run_reads_the_last_hour_of_bars_again_and_older_ones_once(author):
    load_prices()
    call = call_at(author, at("2024-01-06"), "$ACME", "bullish")
    calls_score()
    assert calls_score().examined == 1  # the bars are minutes old: read again, nothing written
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=False):
        calls_score()  # the watermark moves past them
        assert calls_score().examined == 0
    assert Call.objects.get(pk=call.pk).status == CallStatus.SCORED


def test_score_calls_command_prints_a_summary(author):
    load_prices()
    call_at(author, at("2024-01-06"), "$ACME", "bullish")
    call_command("score_calls")
    call_command("score_calls", "--since", "2024-01-01")
    call_command("score_calls", "--rebuild")
    out = io.StringIO()
    call_command("score_calls", stdout=out)
    # The bars were written within the last hour, which every run reads again: examined, unchanged.
    assert (
        out.getvalue().strip()
        == "1 calls examined, 0 changed, 0 newly scored at 1m; 0 calls derived from posts, 0 removed."
    )


def test_score_calls_refuses_a_malformed_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--since"):
        call_command("score_calls", "--since", "yesterday")


def test_the_scheduled_task_scores_what_changed(author):
    from django.conf import settings

    from content.tasks import score_calls

    assert settings.CELERY_BEAT_SCHEDULE["score-calls"]["task"] == score_calls.name
    call = call_at(author, at("2024-01-06"), "$ACME", "bullish")
    load_prices()
    score_calls.delay()
    call.refresh_from_db()
    assert call.status == CallStatus.SCORED
