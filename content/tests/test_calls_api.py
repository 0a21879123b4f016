"""Calls over HTTP: the post's `call`, users/{id}/calls, users/{id}/track-record, the leaderboard and the
track-record summary on the public user."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from content.calls import track_records_recount
from content.models import Call, CallStatus, Post, Sentiment
from content.services.posts import post_set_hidden, post_soft_delete
from content.tests.factories import PostFactory, stored_call
from core.stats import wilson_lower_bound
from social.services import block_create

pytestmark = pytest.mark.django_db

TODAY = timezone.now().astimezone(datetime.UTC).date()


def make_call(
    author: User,
    *,
    symbol: str = "ACME",
    direction: str = Sentiment.BULLISH,
    ret: float | None = 0.1,
    days_ago: int = 40,
    status: str | None = None,
) -> Call:
    """A call whose every horizon returned ``ret`` (None: pending), written as the scorer would store it."""
    return stored_call(
        author=author,
        symbol=symbol,
        direction=direction,
        posted_at=timezone.now() - datetime.timedelta(days=days_ago),
        status=status,
        returns=(ret, ret, ret),
    )


def recount(*users: User) -> None:
    """The user counters as the scorer keeps them."""
    track_records_recount([user.pk for user in users])
    for user in users:
        user.refresh_from_db()


# --- the post's call ------------------------------------------------------------------------


def test_a_post_with_a_sentiment_and_a_ticker_shows_its_call(api_client):
    author = UserFactory()
    api_client.force_authenticate(author)
    made = api_client.post("/api/v1/posts", {"content": "$NVDA then $AMD", "sentiment": "bearish"}, format="json")
    assert made.status_code == 201
    assert made.json()["call"] == {
        "ticker": "NVDA",
        "direction": "bearish",
        "entry_date": None,
        "entry_price": None,
        "status": "pending",
        "returns": {"1d": None, "1w": None, "1m": None},
        "hits": {"1d": None, "1w": None, "1m": None},
    }
    plain = api_client.post("/api/v1/posts", {"content": "$NVDA no view"}, format="json")
    assert plain.json()["call"] is None
    author.refresh_from_db()
    assert author.calls_count == 1


def test_a_scored_call_shows_its_returns_and_hits(api_client):
    call = make_call(UserFactory(), direction=Sentiment.BEARISH, ret=-0.05)
    body = api_client.get(f"/api/v1/posts/{call.pk}").json()
    assert body["call"] == {
        "ticker": "ACME",
        "direction": "bearish",
        "entry_date": call.entry_date.isoformat(),
        "entry_price": 100.0,
        "status": "scored",
        "returns": {"1d": -0.05, "1w": -0.05, "1m": -0.05},
        "hits": {"1d": True, "1w": True, "1m": True},
    }


# --- users/{id}/calls -------------------------------------------------------------------------


def test_user_calls_lists_the_calls_newest_first_with_filters(api_client):
    author = UserFactory()
    old = make_call(author, days_ago=50)
    void = make_call(author, symbol="GAPP", days_ago=30, ret=None, status=CallStatus.VOID)
    pending = make_call(author, symbol="NEWCO", days_ago=1, ret=None)
    make_call(UserFactory(), days_ago=2)  # someone else's
    PostFactory(author=author, sentiment=None)  # not a call

    def ids(query: str = "") -> list[str]:
        response = api_client.get(f"/api/v1/users/{author.pk}/calls{query}")
        assert response.status_code == 200, response.json()
        return [post["id"] for post in response.json()["results"]]

    assert ids() == [str(pending.pk), str(void.pk), str(old.pk)]
    assert ids("?status=void") == [str(void.pk)]
    assert ids("?status=scored") == [str(old.pk)]
    assert ids("?ticker=%24newco") == [str(pending.pk)]
    assert ids("?ticker=ZZZZ") == []


def test_user_calls_refuses_bad_filters_and_unknown_users(api_client):
    author = UserFactory()
    bad_status = api_client.get(f"/api/v1/users/{author.pk}/calls?status=won")
    assert bad_status.status_code == 400
    assert "status" in bad_status.json()["errors"]
    bad_ticker = api_client.get(f"/api/v1/users/{author.pk}/calls?ticker=not-a-symbol")
    assert bad_ticker.status_code == 400
    assert "ticker" in bad_ticker.json()["errors"]
    assert api_client.get("/api/v1/users/999999/calls").status_code == 404
    suspended = UserFactory(is_active=False, suspended_at=timezone.now())
    assert api_client.get(f"/api/v1/users/{suspended.pk}/calls").status_code == 404


def test_user_calls_pages_through_with_the_cursor(api_client):
    author = UserFactory()
    made = [make_call(author, days_ago=days) for days in (10, 20, 30)]
    first = api_client.get(f"/api/v1/users/{author.pk}/calls?limit=2").json()
    assert [post["id"] for post in first["results"]] == [str(made[0].pk), str(made[1].pk)]
    second = api_client.get(first["next"]).json()
    assert [post["id"] for post in second["results"]] == [str(made[2].pk)]
    assert second["next"] is None


def test_user_calls_leaves_out_deleted_hidden_and_blocked(api_client):
    author, viewer = UserFactory(), UserFactory()
    kept = make_call(author, days_ago=10)
    deleted = make_call(author, days_ago=20)
    hidden = make_call(author, days_ago=30)
    post_soft_delete(post=deleted.post)
    post_set_hidden(post=hidden.post, hidden=True)
    listed = api_client.get(f"/api/v1/users/{author.pk}/calls").json()["results"]
    assert [post["id"] for post in listed] == [str(kept.pk)]
    block_create(user=author, target=viewer)
    api_client.force_authenticate(viewer)
    assert api_client.get(f"/api/v1/users/{author.pk}/calls").json()["results"] == []


@pytest.mark.parametrize("size", [2, 12])
def test_user_calls_costs_the_same_queries_for_any_page(api_client, django_assert_max_num_queries, size):
    author, viewer = UserFactory(), UserFactory()
    for days in range(size):
        make_call(author, days_ago=days + 1)
    api_client.force_authenticate(viewer)
    # user + page of calls + post states + post bodies (+ auth and session bookkeeping)
    with django_assert_max_num_queries(6):
        response = api_client.get(f"/api/v1/users/{author.pk}/calls?limit=20")
    assert len(response.json()["results"]) == size


# --- users/{id}/track-record -----------------------------------------------------------------------


def test_track_record_counts_hits_returns_and_scores_per_horizon(api_client):
    author = UserFactory()
    make_call(author, ret=0.10)  # bullish hit, call return +0.10
    make_call(author, ret=-0.04)  # bullish miss, -0.04
    make_call(author, direction=Sentiment.BEARISH, ret=-0.02)  # bearish hit, +0.02
    make_call(author, direction=Sentiment.BEARISH, ret=0.0)  # zero move: a miss, 0
    make_call(author, ret=None)  # pending: a call, not scored
    make_call(author, symbol="GAPP", ret=None, status=CallStatus.VOID)  # void: nowhere
    response = api_client.get(f"/api/v1/users/{author.pk}/track-record")
    assert response.status_code == 200
    record = response.json()["horizons"]["1m"]
    assert record["calls"] == 5
    assert (record["scored"], record["hits"], record["hit_rate"]) == (4, 2, 0.5)
    assert record["avg_call_return"] == pytest.approx((0.10 - 0.04 + 0.02 + 0.0) / 4)
    assert record["score"] == wilson_lower_bound(2, 4)
    assert response.json()["horizons"]["1d"] == record


def test_track_record_window_and_empty_record(api_client):
    author = UserFactory()
    make_call(author, ret=0.1, days_ago=100)
    make_call(author, ret=-0.1, days_ago=5)
    recent = api_client.get(f"/api/v1/users/{author.pk}/track-record?days=30").json()["horizons"]["1w"]
    assert (recent["calls"], recent["scored"], recent["hits"], recent["hit_rate"]) == (1, 1, 0, 0.0)
    nobody = UserFactory()
    empty = api_client.get(f"/api/v1/users/{nobody.pk}/track-record").json()["horizons"]["1w"]
    assert empty == {"calls": 0, "scored": 0, "hits": 0, "hit_rate": None, "avg_call_return": None, "score": None}


@pytest.mark.parametrize("query", ["days=0", "days=99999", "days=soon"])
def test_track_record_refuses_a_bad_window(api_client, query):
    response = api_client.get(f"/api/v1/users/{UserFactory().pk}/track-record?{query}")
    assert response.status_code == 400
    assert "days" in response.json()["errors"]


def test_track_record_of_an_unknown_user_is_404(api_client):
    assert api_client.get("/api/v1/users/999999/track-record").status_code == 404


def test_the_public_user_carries_the_1m_summary_that_the_track_record_gives(api_client):
    author = UserFactory()
    for ret in (0.1, 0.2, -0.1):
        make_call(author, ret=ret)
    recount(author)
    profile = api_client.get(f"/api/v1/users/{author.pk}").json()
    record = api_client.get(f"/api/v1/users/{author.pk}/track-record").json()["horizons"]["1m"]
    assert profile["track_record"] == {
        "calls": 3,
        "scored": 3,
        "hits": 2,
        "hit_rate": record["hit_rate"],
        "score": record["score"],
    }
    assert profile["track_record"]["score"] == wilson_lower_bound(2, 3)


# --- the leaderboard -----------------------------------------------------------------------------


def leaders(api_client, query: str = "") -> list[tuple[str, dict]]:
    response = api_client.get(f"/api/v1/leaderboard{query}")
    assert response.status_code == 200, response.json()
    return [(entry["user"]["username"], entry["record"]) for entry in response.json()["results"]]


def test_a_long_good_record_outranks_a_lucky_short_one(api_client):
    lucky, steady, poor = UserFactory(username="lucky"), UserFactory(username="steady"), UserFactory(username="poor")
    for _ in range(3):
        make_call(lucky, ret=0.2)
    for index in range(20):
        make_call(steady, ret=0.05 if index < 16 else -0.05)
    for index in range(10):
        make_call(poor, ret=0.05 if index < 3 else -0.05)
    ranked = leaders(api_client, "?horizon=1m&days=90&min_calls=3")
    assert [name for name, _ in ranked] == ["steady", "lucky", "poor"]
    assert ranked[0][1]["score"] == wilson_lower_bound(16, 20)
    assert ranked[1][1]["score"] == wilson_lower_bound(3, 3)
    assert wilson_lower_bound(3, 3) < wilson_lower_bound(16, 20)
    # min_calls: the three-call streak is not enough for the default of 10.
    assert [name for name, _ in leaders(api_client, "?horizon=1m")] == ["steady", "poor"]


def test_equal_scores_rank_by_average_call_return(api_client):
    small, big = UserFactory(username="small"), UserFactory(username="big")
    for _ in range(10):
        make_call(small, ret=0.01)
        make_call(big, direction=Sentiment.BEARISH, ret=-0.09)
    ranked = leaders(api_client)
    assert [name for name, _ in ranked] == ["big", "small"]
    assert ranked[0][1]["avg_call_return"] == pytest.approx(0.09)


def test_the_leaderboard_window_horizon_and_suspensions(api_client):
    recent, old, gone = UserFactory(username="recent"), UserFactory(username="old"), UserFactory(username="gone")
    for _ in range(10):
        make_call(recent, ret=0.1, days_ago=10)
        make_call(old, ret=0.1, days_ago=200)
        make_call(gone, ret=0.1, days_ago=10)
    User.objects.filter(pk=gone.pk).update(is_active=False, suspended_at=timezone.now())
    assert [name for name, _ in leaders(api_client, "?days=30")] == ["recent"]
    # The same record: the earlier account first.
    assert [name for name, _ in leaders(api_client, "?days=365&horizon=1d")] == ["recent", "old"]


def test_the_leaderboard_pages_with_a_cursor(api_client):
    users = []
    for index in range(3):
        user = UserFactory(username=f"trader{index}")
        users.append(user)
        for call in range(10 + index * 5):
            make_call(user, ret=0.1 if call % 4 else -0.1)
    first = api_client.get("/api/v1/leaderboard?limit=2").json()
    second = api_client.get(first["next"]).json()
    names = [entry["user"]["username"] for entry in first["results"] + second["results"]]
    assert names == ["trader2", "trader1", "trader0"]
    assert second["next"] is None
    back = api_client.get(second["previous"]).json()
    assert [entry["user"]["username"] for entry in back["results"]] == ["trader2", "trader1"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("horizon=1y", "horizon"), ("days=0", "days"), ("min_calls=0", "min_calls"), ("min_calls=x", "min_calls")],
)
def test_the_leaderboard_refuses_bad_parameters(api_client, query, field):
    response = api_client.get(f"/api/v1/leaderboard?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"]


def test_a_forged_leaderboard_cursor_is_a_400(api_client):
    response = api_client.get("/api/v1/leaderboard?cursor=bm90LWEtY3Vyc29y")
    assert response.status_code == 400


@pytest.mark.parametrize("size", [2, 12])
def test_the_leaderboard_costs_the_same_queries_for_any_page(api_client, django_assert_max_num_queries, size):
    for index in range(size):
        user = UserFactory()
        for _ in range(10):
            make_call(user, ret=0.1 if index % 2 else -0.1)
    api_client.force_authenticate(UserFactory())
    # the ranked page + its users + the viewer's relationships to them (+ auth bookkeeping)
    with django_assert_max_num_queries(5):
        response = api_client.get("/api/v1/leaderboard?limit=20")
    assert len(response.json()["results"]) == size


def test_reads_of_records_write_nothing(api_client):
    author = UserFactory()
    make_call(author)
    before = list(Call.objects.values_list("updated_at", flat=True))
    api_client.get(f"/api/v1/users/{author.pk}/track-record")
    api_client.get("/api/v1/leaderboard?min_calls=1")
    api_client.get(f"/api/v1/users/{author.pk}/calls")
    assert list(Call.objects.values_list("updated_at", flat=True)) == before
    assert Post.objects.count() == 1


def test_the_ranking_is_shared_for_a_minute_and_the_users_read_fresh(api_client, django_assert_num_queries):
    leader = UserFactory(username="leader")
    for _ in range(10):
        make_call(leader, ret=0.1)
    assert [name for name, _ in leaders(api_client)] == ["leader"]
    newcomer = UserFactory()
    for _ in range(10):
        make_call(newcomer, ret=0.2)  # would rank first, but the cached ranking does not have it yet
    User.objects.filter(pk=leader.pk).update(username="renamed")
    # The cached ranked page; the users (fresh); no relationships for an anonymous viewer.
    with django_assert_num_queries(1):
        assert [name for name, _ in leaders(api_client)] == ["renamed"]
