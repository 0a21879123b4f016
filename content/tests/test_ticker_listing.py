"""Listed and unlisted tickers: any `$SYMBOL` makes a ticker, but a symbol off the reference list shows in
search and trending only once TICKER_MIN_AUTHORS distinct members mention it (default 5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from content.models import Post, PostTicker, Ticker
from content.search import search_tickers
from content.services.posts import post_create, post_delete, post_set_hidden
from content.services.tickers import author_tickers_recount, ticker_posts_recount
from content.trending import hourly_mentions_refresh, rolled_up_span, trending_tickers

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts"
SEARCH = "/api/v1/search"
TRENDING = "/api/v1/tickers/trending"


@pytest.fixture(autouse=True)
def _rate_limits_off(no_rate_limits: None) -> None:
    """These tests post a lot; the write limits are tested elsewhere."""


def searched(api_client: Any, term: str) -> list[str]:
    response = api_client.get(SEARCH, {"q": term, "type": "tickers"})
    assert response.status_code == 200, response.content
    return [ticker["symbol"] for ticker in response.json()["tickers"]]


def trending(api_client: Any) -> list[str]:
    cache.clear()  # the list is cached for everyone for 30 s
    response = api_client.get(TRENDING)
    assert response.status_code == 200, response.content
    return [ticker["symbol"] for ticker in response.json()]


def post_by(author: User, content: str) -> Post:
    return post_create(author=author, content=content)


def test_a_new_unlisted_symbol_mentioned_by_one_user_stays_out_of_search_and_trending(api_client, client_for, user):
    client = client_for(user)
    for n in range(8):  # however often one account posts about it
        assert client.post(POSTS, {"content": f"$ZQX to the moon, take {n}"}, format="json").status_code == 201

    assert searched(api_client, "ZQX") == []
    assert searched(api_client, "$zq") == []
    assert trending(api_client) == []
    # It still exists: the posts keep their cashtag and the ticker has its page.
    ticker = Ticker.objects.get(symbol="ZQX")
    assert (ticker.is_listed, ticker.post_count, ticker.authors_count) == (False, 8, 1)
    assert client.get(POSTS, {"ticker": "ZQX"}).json()["results"][0]["tickers"] == ["ZQX"]
    page = api_client.get("/api/v1/tickers/zqx")
    assert page.status_code == 200
    assert page.json()["listed"] is False
    assert page.json()["post_count"] == 8


def test_an_unlisted_symbol_shows_once_enough_distinct_members_mention_it(api_client, settings):
    assert settings.TICKER_MIN_AUTHORS == 5
    spammers = UserFactory.create_batch(4)  # one spammer and three sock puppets
    for author in spammers:
        post_by(author, "$ZQX is the next big thing")
        post_by(author, "Buy $ZQX now")

    assert Ticker.objects.get(symbol="ZQX").authors_count == 4
    assert searched(api_client, "ZQX") == []
    assert trending(api_client) == []

    post_by(UserFactory(), "What is $ZQX? Everyone is talking about it")

    assert Ticker.objects.get(symbol="ZQX").authors_count == 5
    assert searched(api_client, "ZQX") == ["ZQX"]
    assert trending(api_client) == ["ZQX"]


def test_a_listed_symbol_shows_at_once(api_client, user):
    post_by(user, "Earnings beat for $NVDA")

    ticker = Ticker.objects.get(symbol="NVDA")
    assert (ticker.is_listed, ticker.name, ticker.authors_count) == (True, "NVIDIA Corporation", 0)
    assert searched(api_client, "NVDA") == ["NVDA"]
    assert trending(api_client) == ["NVDA"]
    assert api_client.get("/api/v1/tickers/NVDA").json()["listed"] is True


def test_the_threshold_is_a_setting(api_client, settings):
    settings.TICKER_MIN_AUTHORS = 2
    post_by(UserFactory(), "$ZQX")
    assert searched(api_client, "ZQX") == []

    post_by(UserFactory(), "$ZQX")

    assert searched(api_client, "ZQX") == ["ZQX"]
    assert trending(api_client) == ["ZQX"]


def test_authors_whose_posts_stop_counting_are_uncounted(settings):
    settings.TICKER_MIN_AUTHORS = 3
    first, second, third = UserFactory.create_batch(3)
    post_by(first, "$ZQX")
    deleted = post_by(second, "$ZQX")
    hidden = post_by(third, "$ZQX")
    assert search_tickers(term="ZQX", limit=10) != []

    post_delete(post=deleted, actor=second)
    assert Ticker.objects.get(symbol="ZQX").authors_count == 2
    assert search_tickers(term="ZQX", limit=10) == []

    post_set_hidden(post=hidden, hidden=True)
    assert Ticker.objects.get(symbol="ZQX").authors_count == 1

    post_set_hidden(post=hidden, hidden=False)
    assert Ticker.objects.get(symbol="ZQX").authors_count == 2

    # A suspension recounts the author's tickers (moderation's user_suspend calls this).
    User.objects.filter(pk=first.pk).update(suspended_at=timezone.now())
    author_tickers_recount(first.pk)
    assert Ticker.objects.get(symbol="ZQX").authors_count == 1


def test_a_post_on_a_ticker_past_the_threshold_skips_the_author_count(settings, django_assert_num_queries):
    settings.TICKER_MIN_AUTHORS = 2
    author = UserFactory()
    post_by(UserFactory(), "$ZQX")
    post_by(author, "$ZQX")  # the second author: at the threshold now
    post_by(UserFactory(), "$NVDA")

    # A listed ticker, or an unlisted one already shown: the same queries as before the threshold existed.
    # Savepoint, the post, its tickers made, its links, posts_count, the ticker rows locked, their post_count,
    # release.
    with django_assert_num_queries(8):
        post_by(author, "$ZQX and $NVDA again")

    # Below the threshold, one more: the UPDATE recounting the authors of the unlisted ticker.
    with django_assert_num_queries(9):
        post_by(author, "$ZQY and $NVDA")


def test_refresh_metrics_recount_repairs_the_author_count():
    for author in UserFactory.create_batch(3):
        post_by(author, "$ZQX")
    Ticker.objects.filter(symbol="ZQX").update(authors_count=0)
    Ticker.objects.filter(symbol="NVDA").delete()

    assert ticker_posts_recount() == 1

    assert Ticker.objects.get(symbol="ZQX").authors_count == 3
    assert ticker_posts_recount() == 0


def test_trending_keeps_an_unlisted_symbol_out_of_the_rolled_up_hours_too(settings):
    settings.TICKER_MIN_AUTHORS = 2
    post_by(UserFactory(), "$ZQX")
    three_hours_ago = timezone.now() - timedelta(hours=3)
    Post.objects.update(created_at=three_hours_ago)
    PostTicker.objects.update(created_at=three_hours_ago)
    hourly_mentions_refresh(since=timezone.now() - timedelta(days=1), until=timezone.now())
    assert rolled_up_span() is not None

    assert trending_tickers(hours=24, limit=10) == []

    post_by(UserFactory(), "$ZQX")  # the second author, in the live hour: the rolled-up hour counts now too

    trends = trending_tickers(hours=24, limit=10)
    assert [(ticker.symbol, ticker.mentions) for ticker in trends] == [("ZQX", 2)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("listed", [True, False])
def test_search_leaves_out_a_reference_symbol_whose_row_is_not_discoverable(api_client, listed):
    # NVDA is on the shipped list, but a row made before the list knew it is unlisted until load_tickers runs.
    Ticker.objects.create(symbol="NVDA", name="NVIDIA Corporation", is_listed=listed)

    assert searched(api_client, "NVDA") == (["NVDA"] if listed else [])
