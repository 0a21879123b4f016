"""GET users/{id}/followers and users/{id}/following: pages of users, newest follow first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from social.querysets import RELATIONSHIP_FLAGS
from social.tests.factories import BlockFactory, FollowFactory, MuteFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
NONE = dict.fromkeys(RELATIONSHIP_FLAGS, False)
PUBLIC_FIELDS = {
    "id",
    "username",
    "display_name",
    "bio",
    "profile_picture_url",
    "created_at",
    "updated_at",
    "stats",
    "track_record",
    "viewer",
}


def followers(user_or_id) -> str:
    return f"/api/v1/users/{getattr(user_or_id, 'pk', user_or_id)}/followers"


def following(user_or_id) -> str:
    return f"/api/v1/users/{getattr(user_or_id, 'pk', user_or_id)}/following"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def walk(client, url) -> tuple[list[str], int]:
    seen, pages = [], 0
    while url:
        response = client.get(url)
        seen += ids(response)
        url, pages = response.json()["next"], pages + 1
    return seen, pages


@pytest.fixture
def star(db):
    return UserFactory(username="star_trader")


def followed_by_many(star: User, count: int, *, same_time: bool = False) -> list[User]:
    """``count`` followers of ``star``, the last one the newest follow."""
    now = timezone.now()
    fans = UserFactory.create_batch(count)
    for index, fan in enumerate(fans):
        at = now if same_time else now - timedelta(minutes=count - index)
        FollowFactory(follower=fan, following=star, created_at=at)
    return fans


def test_followers_are_listed_newest_follow_first(api_client, star):
    fans = followed_by_many(star, 3)
    # Who the fans are does not decide the order: the oldest account followed last.
    oldest_account = UserFactory(created_at=timezone.now() - timedelta(days=365))
    FollowFactory(follower=oldest_account, following=star)
    # Follows of somebody else are not star's.
    FollowFactory(follower=UserFactory(), following=fans[0])

    response = api_client.get(followers(star))

    assert ids(response) == [str(oldest_account.pk), *(str(fan.pk) for fan in reversed(fans))]
    body = response.json()
    assert body["next"] is None
    assert body["previous"] is None
    assert set(body["results"][0]) == PUBLIC_FIELDS
    assert body["results"][0]["viewer"] == NONE


def test_following_is_listed_newest_follow_first(api_client, star):
    now = timezone.now()
    idols = UserFactory.create_batch(3)
    for index, idol in enumerate(idols):
        FollowFactory(follower=star, following=idol, created_at=now - timedelta(minutes=10 - index))
    FollowFactory(follower=idols[0], following=star)  # a follower, not followed

    assert ids(api_client.get(following(star))) == [str(idol.pk) for idol in reversed(idols)]


def test_pages_cover_every_follower_once(api_client, star):
    fans = followed_by_many(star, 7)

    seen, pages = walk(api_client, f"{followers(star)}?limit=3")

    assert seen == [str(fan.pk) for fan in reversed(fans)]
    assert pages == 3


def test_follows_at_the_same_instant_are_ordered_by_the_newest_follow_row(api_client, star):
    fans = followed_by_many(star, 5, same_time=True)

    seen, _ = walk(api_client, f"{followers(star)}?limit=2")

    assert seen == [str(fan.pk) for fan in reversed(fans)]


def test_previous_goes_back_a_page(api_client, star):
    followed_by_many(star, 5)
    first = api_client.get(f"{following(star)}?limit=2")  # empty: star follows nobody
    assert ids(first) == []

    page_one = api_client.get(f"{followers(star)}?limit=2").json()
    page_two = api_client.get(page_one["next"]).json()
    back = api_client.get(page_two["previous"]).json()

    assert [row["id"] for row in back["results"]] == [row["id"] for row in page_one["results"]]


def test_deactivated_and_suspended_users_are_left_out(api_client, star):
    visible, inactive, suspended = UserFactory(), UserFactory(is_active=False), UserFactory(suspended_at=timezone.now())
    for fan in (visible, inactive, suspended):
        FollowFactory(follower=fan, following=star)
        FollowFactory(follower=star, following=fan)

    assert ids(api_client.get(followers(star))) == [str(visible.pk)]
    assert ids(api_client.get(following(star))) == [str(visible.pk)]


def test_signed_in_viewer_sees_their_flags_for_each_user(client_for, user, star):
    fans = followed_by_many(star, 4)
    FollowFactory(follower=user, following=fans[0])
    FollowFactory(follower=fans[1], following=user)
    MuteFactory(user=user, target=fans[2])
    BlockFactory(user=fans[3], target=user)
    # The viewer appears in the list too, with no flags about themselves.
    FollowFactory(follower=user, following=star)

    body = client_for(user).get(followers(star)).json()

    flags = {row["id"]: row["viewer"] for row in body["results"]}
    assert flags == {
        str(user.pk): NONE,
        str(fans[3].pk): {**NONE, "blocked_by": True},
        str(fans[2].pk): {**NONE, "muted": True},
        str(fans[1].pk): {**NONE, "followed_by": True},
        str(fans[0].pk): {**NONE, "following": True},
    }


def test_a_user_shown_has_their_counters(api_client, star):
    fan = UserFactory()
    User.objects.filter(pk=fan.pk).update(followers_count=5, following_count=7, posts_count=9)
    FollowFactory(follower=fan, following=star)

    row = api_client.get(followers(star)).json()["results"][0]

    assert row["stats"] == {"followers": 5, "following": 7, "posts": 9}


@pytest.mark.parametrize("list_url", [followers, following])
@pytest.mark.parametrize("user_id", ["999999", "0", "9" * 30])
def test_lists_of_an_unknown_user_are_404(api_client, list_url, user_id):
    response = api_client.get(list_url(user_id))

    assert response.status_code == 404
    assert response["Content-Type"].startswith(PROBLEM)


@pytest.mark.parametrize("list_url", [followers, following])
def test_lists_of_a_suspended_user_are_404(api_client, star, list_url):
    followed_by_many(star, 2)
    User.objects.filter(pk=star.pk).update(suspended_at=timezone.now())

    assert api_client.get(list_url(star)).status_code == 404


@pytest.mark.parametrize(("param", "value"), [("cursor", "garbage"), ("limit", "0"), ("limit", "101")])
def test_bad_paging_parameters_are_400_naming_them(api_client, star, param, value):
    followed_by_many(star, 2)

    response = api_client.get(f"{followers(star)}?{param}={value}")

    assert response.status_code == 400
    assert param in response.json()["errors"]


@pytest.mark.parametrize("list_url", [followers, following])
@pytest.mark.parametrize("size", [1, 50])
def test_list_query_count_is_the_same_for_one_and_fifty_anonymous(
    api_client, star, list_url, size, django_assert_max_num_queries
):
    for other in UserFactory.create_batch(size):
        FollowFactory(follower=other, following=star)
        FollowFactory(follower=star, following=other)

    # The user in the path; the page of follows with their users.
    with django_assert_max_num_queries(2):
        response = api_client.get(f"{list_url(star)}?limit=100")

    assert len(ids(response)) == size


@pytest.mark.parametrize("list_url", [followers, following])
@pytest.mark.parametrize("size", [1, 50])
def test_list_query_count_is_the_same_for_one_and_fifty_signed_in(
    client_for, user, star, list_url, size, django_assert_max_num_queries
):
    for other in UserFactory.create_batch(size):
        FollowFactory(follower=other, following=star)
        FollowFactory(follower=star, following=other)
        FollowFactory(follower=user, following=other)
    client = client_for(user)

    # The viewer (authentication); the user in the path; the page of follows
    # with their users; the viewer's flags for the whole page.
    with django_assert_max_num_queries(4):
        response = client.get(f"{list_url(star)}?limit=100")

    assert len(ids(response)) == size
    assert all(row["viewer"]["following"] for row in response.json()["results"])
