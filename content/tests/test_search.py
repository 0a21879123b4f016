"""GET search: users and tickers by prefix, ranked, with viewer flags and ticker activity."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from content import search
from content.models import Sentiment, Ticker
from content.tests.factories import TickerFactory, mention
from core.testing import assert_problem
from social.querysets import RELATIONSHIP_FLAGS
from social.tests.factories import BlockFactory, FollowFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/search"
NONE = dict.fromkeys(RELATIONSHIP_FLAGS, False)
NO_ACTIVITY = {"post_count": 0, "sentiment": {"bullish": 0, "bearish": 0}, "listed": True}


def usernames(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [user["username"] for user in response.json()["users"]]


def symbols(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [ticker["symbol"] for ticker in response.json()["tickers"]]


def person(username, display_name="", *, followers=0, **fields):
    user = UserFactory(username=username, display_name=display_name, **fields)
    if followers:
        User.objects.filter(pk=user.pk).update(followers_count=followers)
    return user


@pytest.fixture
def reference(monkeypatch):
    """A small reference list in place of content/data/tickers.csv."""
    known = {
        "NVDA": "NVIDIA Corporation",
        "MU": "Micron Technology, Inc.",
        "AMD": "Advanced Micro Devices, Inc.",
        "MSFT": "Microsoft Corporation",
        "AAPL": "Apple Inc.",
        "APP": "AppLovin Corporation",
    }
    search._reference_entries.cache_clear()
    monkeypatch.setattr(search, "reference_tickers", lambda: known)
    yield known
    search._reference_entries.cache_clear()


# Users


def test_users_are_ranked_exact_username_then_username_prefix_then_display_name(api_client):
    person("daily_trader", "Daily Mark", followers=900)  # a later word of the display name
    person("markets_guy", "Guy", followers=5)  # username prefix
    person("zed", "Markus Zed", followers=1000)  # display name prefix
    person("Mark", "Someone")  # the exact username, whatever its case
    person("marketwatcher", "MW", followers=50)  # username prefix, more followers
    person("remark", "Re Mark")  # "mark" is a later word of the display name
    person("bookmarker", "Bookmarker")  # "mark" only inside a word: no match

    response = api_client.get(URL, {"q": "mark", "type": "users"})

    # Within a tier the most followed first; then by username.
    assert usernames(response) == ["Mark", "marketwatcher", "markets_guy", "zed", "daily_trader", "remark"]
    assert response.json()["tickers"] == []


def test_user_results_are_public_profiles_with_viewer_flags(client_for, user):
    author = person("chart_wizard", "Chart Wizard", followers=12, bio="TA all day.")
    FollowFactory(follower=user, following=author)

    response = client_for(user).get(URL, {"q": "chart"})

    assert response.status_code == 200
    [found] = response.json()["users"]
    assert found == {
        "id": str(author.pk),
        "username": "chart_wizard",
        "display_name": "Chart Wizard",
        "bio": "TA all day.",
        "profile_picture_url": None,
        "created_at": found["created_at"],
        "updated_at": found["updated_at"],
        "stats": {"followers": 12, "following": 0, "posts": 0},
        "track_record": {"calls": 0, "scored": 0, "hits": 0, "hit_rate": None, "score": None},
        "viewer": {**NONE, "following": True},
    }
    assert "email" not in found


@pytest.mark.parametrize("q", ["CHART", "chart_w", "$chart", "#Chart", "  chart  ", "$ chart", "wiz", "WIZARD"])
def test_user_search_ignores_case_and_a_leading_cashtag_sign(api_client, q):
    person("chart_wizard", "Chart Wizard")

    assert usernames(api_client.get(URL, {"q": q})) == ["chart_wizard"]


@pytest.mark.parametrize("q", ["hart", "izard", "chart_wizardx", "chartwizard", "%", "c%t", "chart%", "c_art"])
def test_user_search_is_a_prefix_match_with_no_wildcards(api_client, q):
    person("chart_wizard", "Chart Wizard")

    assert usernames(api_client.get(URL, {"q": q})) == []


def test_an_underscore_in_the_query_matches_only_an_underscore(api_client):
    person("value_cat")
    person("valuexcat")

    assert usernames(api_client.get(URL, {"q": "value_"})) == ["value_cat"]


def test_a_display_name_with_several_words_matches_by_its_start(api_client):
    person("jsmith", "John Smith")
    person("smithy", "Smith John")

    assert usernames(api_client.get(URL, {"q": "john sm"})) == ["jsmith"]
    assert usernames(api_client.get(URL, {"q": "smith"})) == ["smithy", "jsmith"]


def test_suspended_and_deactivated_users_are_not_found(api_client):
    person("bull_one")
    person("bull_two", suspended_at=timezone.now())
    person("bull_three", is_active=False)

    assert usernames(api_client.get(URL, {"q": "bull"})) == ["bull_one"]


def test_users_blocked_either_way_are_left_out_for_the_viewer_only(api_client, client_for, user):
    person("bear_open")
    blocked = person("bear_blocked")
    blocker = person("bear_blocker")
    BlockFactory(user=user, target=blocked)
    BlockFactory(user=blocker, target=user)

    assert usernames(client_for(user).get(URL, {"q": "bear"})) == ["bear_open"]
    # Anonymous callers and other users are unaffected.
    assert usernames(api_client.get(URL, {"q": "bear"})) == ["bear_blocked", "bear_blocker", "bear_open"]


def test_the_viewer_finds_themselves_with_all_flags_false(client_for, user):
    response = client_for(user).get(URL, {"q": user.username})

    assert usernames(response) == [user.username]
    assert response.json()["users"][0]["viewer"] == NONE


def test_limit_caps_each_list(api_client, reference):
    for n in range(5):
        person(f"alpha_{n}")
        TickerFactory(symbol=f"ALP{chr(65 + n)}", name="")

    response = api_client.get(URL, {"q": "alp", "limit": 3})

    assert usernames(response) == ["alpha_0", "alpha_1", "alpha_2"]
    assert symbols(response) == ["ALPA", "ALPB", "ALPC"]


# Tickers


def test_tickers_are_ranked_exact_symbol_then_symbol_prefix_then_company_name(api_client, reference):
    TickerFactory(symbol="MICR", name="")  # a symbol prefix
    TickerFactory(symbol="MI", name="Mi Holdings")  # the exact symbol
    TickerFactory(symbol="MICRO", name="Micro Inc.")  # a longer symbol prefix
    TickerFactory(symbol="ZZZ", name="The Micro Fund")  # a later word of the name
    TickerFactory(symbol="OTHER", name="Amicro Labs")  # "micro" inside a word: no match

    response = api_client.get(URL, {"q": "mi", "type": "tickers"})

    # Within a tier shorter symbols first, then alphabetically; rows and reference-only tickers alike.
    assert symbols(response) == ["MI", "MICR", "MICRO", "MU", "AMD", "ZZZ", "MSFT"]
    assert response.json()["users"] == []
    response = api_client.get(URL, {"q": "micro", "type": "tickers"})
    assert symbols(response) == ["MICRO", "MU", "AMD", "ZZZ", "MSFT"]


def test_reference_tickers_without_a_row_are_found_with_no_activity(api_client, reference):
    response = api_client.get(URL, {"q": "nvidia"})

    assert response.json()["tickers"] == [{"symbol": "NVDA", "name": "NVIDIA Corporation", **NO_ACTIVITY}]
    assert not Ticker.objects.exists()


def test_the_real_reference_list_finds_a_company_nobody_posted_about(api_client):
    response = api_client.get(URL, {"q": "$nvda"})

    assert response.json()["tickers"][0] == {"symbol": "NVDA", "name": "NVIDIA Corporation", **NO_ACTIVITY}
    assert not Ticker.objects.exists()


def test_ticker_results_carry_their_activity_and_reference_name(api_client, reference):
    aapl = TickerFactory(symbol="AAPL", name="")  # made on a mention, before it had a name
    mention(aapl, sentiment=Sentiment.BULLISH)
    mention(aapl, sentiment=Sentiment.BEARISH)
    mention(aapl, is_hidden=True)
    mention(aapl, deleted_at=timezone.now())
    TickerFactory(symbol="APPS", name="Digital Turbine")

    response = api_client.get(URL, {"q": "$aap"})

    assert response.json()["tickers"] == [
        {
            "symbol": "AAPL",
            "name": "Apple Inc.",
            "post_count": 2,
            "sentiment": {"bullish": 1, "bearish": 1},
            "listed": True,
        },
    ]
    # The exact symbol (reference-only), a symbol prefix, then a company name.
    assert symbols(api_client.get(URL, {"q": "#App", "type": "tickers"})) == ["APP", "APPS", "AAPL"]


def test_a_ticker_with_a_row_and_on_the_reference_list_is_listed_once(api_client, reference):
    TickerFactory(symbol="NVDA", name="NVIDIA Corporation")

    response = api_client.get(URL, {"q": "nv"})

    assert symbols(response) == ["NVDA"]


def test_a_query_a_symbol_cannot_hold_still_searches_company_names(api_client, reference):
    response = api_client.get(URL, {"q": "apple inc"})

    assert symbols(response) == ["AAPL"]


# Bad input


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "$"}, "q"),
        ({"q": "# "}, "q"),
        ({"q": "a" * 101}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "aapl", "type": "posts"}, "type"),
        ({"q": "aapl", "type": "USERS"}, "type"),
        ({"q": "aapl", "limit": 0}, "limit"),
        ({"q": "aapl", "limit": 51}, "limit"),
        ({"q": "aapl", "limit": "ten"}, "limit"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api_client, params, field):
    assert_problem(api_client.get(URL, params), 400, field)


def test_a_query_of_100_characters_is_accepted(api_client):
    response = api_client.get(URL, {"q": "a" * 100})

    assert response.status_code == 200
    assert response.json() == {"users": [], "tickers": []}


# Query counts


@pytest.mark.parametrize("size", [1, 50])
def test_search_query_count_does_not_grow_with_the_results(
    api_client, client_for, user, reference, size, django_assert_max_num_queries
):
    for n in range(size):
        found = person(f"omega_{n}", f"Omega {n}")
        FollowFactory(follower=user, following=found)
        mention(TickerFactory(symbol=f"OM{chr(65 + n // 26)}{chr(65 + n % 26)}", name=""), sentiment="bullish")

    # The users; the ticker candidates; their activity.
    with django_assert_max_num_queries(3):
        response = api_client.get(URL, {"q": "om", "limit": 50})
    assert len(response.json()["users"]) == len(response.json()["tickers"]) == size

    client = client_for(user)
    # The viewer (authentication), the users, their relationship flags, the ticker candidates, their activity.
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"q": "om", "limit": 50})
    assert len(response.json()["users"]) == len(response.json()["tickers"]) == size
    assert all(found["viewer"]["following"] for found in response.json()["users"])
