"""GET tickers/{symbol}/posts: visible posts mentioning a ticker, newest first, feed rules."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import Post
from content.tests.factories import PostFactory, TickerFactory
from content.tests.helpers_posts import assert_problem, ids, minutes_ago, tag
from content.tests.test_posts import rich_posts
from social.tests.factories import BlockFactory, MuteFactory

pytestmark = pytest.mark.django_db


def stream_url(symbol: str) -> str:
    return f"/api/v1/tickers/{symbol}/posts"


def test_stream_lists_posts_mentioning_the_ticker_newest_first(api_client):
    old = tag(PostFactory(created_at=minutes_ago(30)), "AAPL", "MSFT")
    new = tag(PostFactory(created_at=minutes_ago(10)), "MSFT", "AAPL")
    tag(PostFactory(created_at=minutes_ago(5)), "TSLA")

    response = api_client.get(stream_url("AAPL"))

    assert ids(response) == [str(new.pk), str(old.pk)]
    assert response.json()["results"][0]["tickers"] == ["MSFT", "AAPL"]


@pytest.mark.parametrize("symbol", ["aapl", "$AAPL", "%23aapl", "$aapl"])
def test_stream_ignores_case_and_tag_sign(api_client, symbol):
    post = tag(PostFactory(), "AAPL")

    assert ids(api_client.get(stream_url(symbol))) == [str(post.pk)]


@pytest.mark.parametrize("symbol", ["NOPE", "TOOLONG", "A1", "$", "BRK.BBB"])
def test_stream_of_an_unknown_or_malformed_symbol_is_404(api_client, symbol):
    TickerFactory(symbol="AAPL")

    assert_problem(api_client.get(stream_url(symbol)), 404)


def test_stream_of_a_known_ticker_without_posts_is_empty(api_client):
    TickerFactory(symbol="BRK.B")

    assert ids(api_client.get(stream_url("brk.b"))) == []


def test_stream_follows_feed_rules(auth_client, api_client, user, other_user):
    muted, blocker, blocked = UserFactory(), UserFactory(), UserFactory()
    MuteFactory(user=user, target=muted)
    BlockFactory(user=blocker, target=user)
    BlockFactory(user=user, target=blocked)
    visible = tag(PostFactory(author=other_user), "AAPL")
    others = [tag(PostFactory(author=author), "AAPL") for author in (muted, blocker, blocked)]
    tag(PostFactory(author=other_user, deleted_at=timezone.now()), "AAPL")
    tag(PostFactory(author=other_user, is_hidden=True), "AAPL")
    tag(PostFactory(author=UserFactory(is_active=False)), "AAPL")

    assert ids(auth_client.get(stream_url("AAPL"))) == [str(visible.pk)]
    # Anonymous readers see every visible post; the muted author's post still opens by link.
    assert sorted(ids(api_client.get(stream_url("AAPL")))) == sorted(str(p.pk) for p in [visible, *others])
    assert auth_client.get(f"/api/v1/posts/{others[0].pk}").status_code == 200


def test_stream_pages_never_repeat_or_skip(api_client):
    same_time = minutes_ago(60)
    posts = [tag(PostFactory(created_at=same_time if i < 3 else minutes_ago(50 - i)), "AAPL") for i in range(7)]
    seen = []
    response = api_client.get(stream_url("AAPL"), {"limit": 2})
    while True:
        body = response.json()
        seen += [item["id"] for item in body["results"]]
        tag(PostFactory(), "AAPL")
        if not body["next"]:
            break
        response = api_client.get(body["next"])

    expected = sorted(posts, key=lambda post: (post.created_at, post.pk), reverse=True)
    assert seen == [str(post.pk) for post in expected]


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize("bodies", ["cached", "cold"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_stream_query_count_does_not_grow(
    api_client, client_for, user, size, bodies, signed_in, django_assert_num_queries
):
    rich_posts(size, user)
    client = client_for(user) if signed_in else api_client
    assert Post.objects.filter(post_tickers__ticker_id="MSFT").count() == size
    if bodies == "cached":
        assert client.get(stream_url("MSFT"), {"limit": 100}).status_code == 200

    # (auth) + ticker exists + the page's ids + the states of its posts and the posts they quote
    # (counters, mentions, polls, viewer flags) [+ the bodies not cached]
    with django_assert_num_queries(3 + signed_in + (bodies == "cold")):
        response = client.get(stream_url("MSFT"), {"limit": 100})

    assert len(response.json()["results"]) == size
