"""``Ticker.post_count``: kept by the post services, recounted exactly after suspensions and by refresh."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import Post, Ticker
from content.services.posts import post_create, post_delete, post_set_hidden
from content.services.tickers import author_tickers_recount, ticker_counts_add, ticker_posts_recount
from content.tests.factories import TickerFactory, mention

pytestmark = pytest.mark.django_db


def counts(*symbols: str) -> dict[str, int]:
    return dict(Ticker.objects.filter(symbol__in=symbols).values_list("symbol", "post_count"))


def test_a_new_post_counts_once_in_each_of_its_tickers():
    author = UserFactory()
    post_create(author=author, content="$AAPL and $TSLA, and $AAPL again")
    post_create(author=author, content="Just $AAPL")

    assert counts("AAPL", "TSLA") == {"AAPL": 2, "TSLA": 1}


def test_deleting_uncounts_once_however_often_it_is_deleted():
    author = UserFactory()
    post = post_create(author=author, content="$AAPL $MSFT")

    post_delete(post=post, actor=author)
    post_delete(post=post, actor=author)

    assert counts("AAPL", "MSFT") == {"AAPL": 0, "MSFT": 0}


def test_hiding_uncounts_and_unhiding_counts_again():
    author = UserFactory()
    post_create(author=author, content="$NVDA first")
    post = post_create(author=author, content="$NVDA second")

    assert post_set_hidden(post=post, hidden=True) is True
    assert post_set_hidden(post=post, hidden=True) is False  # already hidden: nothing changes
    assert counts("NVDA") == {"NVDA": 1}
    assert Post.objects.get(pk=post.pk).is_hidden

    assert post_set_hidden(post=post, hidden=False) is True
    assert counts("NVDA") == {"NVDA": 2}


def test_deleting_a_hidden_post_does_not_uncount_it_twice():
    author = UserFactory()
    post_create(author=author, content="$AMD one")
    post = post_create(author=author, content="$AMD two")
    post_set_hidden(post=post, hidden=True)

    post_delete(post=post, actor=author)

    assert counts("AMD") == {"AMD": 1}


def test_a_deleted_post_cannot_be_unhidden_into_the_count():
    author = UserFactory()
    post = post_create(author=author, content="$AMD")
    post_set_hidden(post=post, hidden=True)
    post_delete(post=post, actor=author)

    assert post_set_hidden(post=post, hidden=False) is False
    assert counts("AMD") == {"AMD": 0}


def test_a_suspended_authors_posts_leave_the_counts_until_the_suspension_is_lifted():
    author, other = UserFactory(), UserFactory()
    post_create(author=author, content="$GME to the moon")
    post_create(author=author, content="$GME $AMC")
    post_create(author=other, content="$GME is overvalued")

    author.suspended_at, author.is_active = timezone.now(), False
    author.save(update_fields=["suspended_at", "is_active"])
    author_tickers_recount(author.pk)
    assert counts("GME", "AMC") == {"GME": 1, "AMC": 0}

    author.suspended_at, author.is_active = None, True
    author.save(update_fields=["suspended_at", "is_active"])
    author_tickers_recount(author.pk)
    assert counts("GME", "AMC") == {"GME": 3, "AMC": 1}


def test_hiding_a_suspended_authors_post_leaves_the_count_alone():
    author = UserFactory()
    post = post_create(author=author, content="$GME")
    author.suspended_at, author.is_active = timezone.now(), False
    author.save(update_fields=["suspended_at", "is_active"])
    author_tickers_recount(author.pk)

    post_set_hidden(post=post, hidden=True)
    post_set_hidden(post=post, hidden=False)

    assert counts("GME") == {"GME": 0}


def test_recount_repairs_drift_and_writes_only_the_rows_that_differ():
    aapl, tsla = TickerFactory(symbol="AAPL"), TickerFactory(symbol="TSLA")
    TickerFactory(symbol="IDLE")
    mention(aapl)
    mention(aapl)
    mention(tsla)
    mention(tsla, is_hidden=True)
    Ticker.objects.filter(symbol="AAPL").update(post_count=40)
    Ticker.objects.filter(symbol="IDLE").update(post_count=3)

    assert ticker_posts_recount() == 2  # AAPL and IDLE; TSLA was right
    assert counts("AAPL", "TSLA", "IDLE") == {"AAPL": 2, "TSLA": 1, "IDLE": 0}


def test_recount_of_unknown_symbols_changes_nothing():
    assert ticker_posts_recount(["NOPE"]) == 0


def test_a_count_never_goes_below_zero():
    TickerFactory(symbol="ZERO")

    ticker_counts_add(["ZERO"], -1)

    assert counts("ZERO") == {"ZERO": 0}


def test_the_ticker_page_shows_the_counter(api_client):
    author = UserFactory()
    post_create(author=author, content="$META up")
    post_create(author=author, content="$META down")

    response = api_client.get("/api/v1/tickers/META")

    assert response.json()["post_count"] == 2
