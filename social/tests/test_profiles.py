"""GET users/{id} and users/by-username/{username}: public profiles with the viewer's relationship."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from social.querysets import RELATIONSHIP_FLAGS, relationships_for
from social.tests.factories import BlockFactory, FollowFactory, MuteFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
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
NONE = dict.fromkeys(RELATIONSHIP_FLAGS, False)


def by_id(user: User) -> str:
    return f"/api/v1/users/{user.pk}"


def by_username(username: str) -> str:
    return f"/api/v1/users/by-username/{username}"


def assert_not_found(response) -> None:
    assert response.status_code == 404
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["status"] == 404


@pytest.fixture
def author(db):
    return UserFactory(username="Chart_Wizard", display_name="Chart Wizard", bio="TA all day.")


def test_anyone_may_read_a_profile_by_id(api_client, author, django_assert_num_queries):
    User.objects.filter(pk=author.pk).update(followers_count=12, following_count=3, posts_count=40)

    # The user; no relationship query for an anonymous viewer.
    with django_assert_num_queries(1):
        response = api_client.get(by_id(author))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PUBLIC_FIELDS
    assert body["id"] == str(author.pk)
    assert body["username"] == "Chart_Wizard"
    assert body["display_name"] == "Chart Wizard"
    assert body["bio"] == "TA all day."
    assert body["profile_picture_url"] is None
    assert body["stats"] == {"followers": 12, "following": 3, "posts": 40}
    assert body["viewer"] == NONE
    # Private fields stay private.
    assert "email" not in body


@pytest.mark.parametrize("username", ["Chart_Wizard", "chart_wizard", "CHART_WIZARD"])
def test_anyone_may_read_a_profile_by_username_ignoring_case(api_client, author, username):
    response = api_client.get(by_username(username))

    assert response.status_code == 200
    assert response.json()["id"] == str(author.pk)
    assert set(response.json()) == PUBLIC_FIELDS


def test_signed_in_viewer_sees_how_they_relate_to_the_user(client_for, user, author, django_assert_num_queries):
    FollowFactory(follower=user, following=author)
    FollowFactory(follower=author, following=user)
    MuteFactory(user=user, target=author)
    client = client_for(user)

    # The viewer (authentication), the user, the relationship flags.
    with django_assert_num_queries(3):
        response = client.get(by_id(author))

    assert response.status_code == 200
    assert response.json()["viewer"] == {**NONE, "following": True, "followed_by": True, "muted": True}
    assert client.get(by_username("chart_wizard")).json()["viewer"] == response.json()["viewer"]


def test_relationships_of_other_users_do_not_leak_into_the_viewers_flags(client_for, user, other_user, author):
    FollowFactory(follower=other_user, following=author)
    MuteFactory(user=other_user, target=author)
    BlockFactory(user=author, target=other_user)

    response = client_for(user).get(by_id(author))

    assert response.json()["viewer"] == NONE


def test_a_user_who_blocked_the_viewer_is_still_shown_with_blocked_by(client_for, user, author):
    BlockFactory(user=author, target=user)

    response = client_for(user).get(by_id(author))

    assert response.status_code == 200
    assert response.json()["viewer"] == {**NONE, "blocked_by": True}


def test_a_user_the_viewer_blocked_is_still_shown_with_blocked(client_for, user, author):
    BlockFactory(user=user, target=author)

    response = client_for(user).get(by_username("chart_wizard"))

    assert response.status_code == 200
    assert response.json()["viewer"] == {**NONE, "blocked": True}


def test_ones_own_profile_has_no_relationship_flags(client_for, user):
    response = client_for(user).get(by_id(user))

    assert response.status_code == 200
    assert response.json()["viewer"] == NONE


@pytest.mark.parametrize("path", ["999999", "0", "9" * 30, "abc", "-1", "1.5"])
def test_unknown_or_malformed_ids_are_404(api_client, author, path):
    assert_not_found(api_client.get(f"/api/v1/users/{path}"))


@pytest.mark.parametrize("user_id", ["99999999999999999999", str(2**63)])
@pytest.mark.parametrize("suffix", ["", "/followers", "/following"])
def test_ids_beyond_a_bigint_are_404_problems_not_database_errors(api_client, author, user_id, suffix):
    response = api_client.get(f"/api/v1/users/{user_id}{suffix}")

    assert_not_found(response)
    assert response.json()["detail"] == "No such resource."


def test_a_zero_padded_id_is_not_the_users_id(api_client, author):
    assert api_client.get(by_id(author)).status_code == 200

    assert_not_found(api_client.get(f"/api/v1/users/0{author.pk}"))


@pytest.mark.parametrize("username", ["nobody_here", "x" * 31, "bad%20name", "a", "%00"])
def test_unknown_or_malformed_usernames_are_404(api_client, author, username):
    assert_not_found(api_client.get(by_username(username)))


@pytest.mark.parametrize(
    "changes",
    [{"is_active": False}, {"suspended_at": timezone.now()}],
    ids=["inactive", "suspended"],
)
def test_deactivated_and_suspended_users_are_404(api_client, client_for, user, author, changes):
    User.objects.filter(pk=author.pk).update(**changes)

    assert_not_found(api_client.get(by_id(author)))
    assert_not_found(client_for(user).get(by_username("Chart_Wizard")))


# relationships_for


def test_relationships_for_a_page_of_users_take_one_query(user, django_assert_num_queries):
    others = UserFactory.create_batch(30)
    FollowFactory(follower=user, following=others[0])
    FollowFactory(follower=others[1], following=user)
    MuteFactory(user=user, target=others[2])
    BlockFactory(user=user, target=others[3])
    BlockFactory(user=others[4], target=user)
    # Relations between other people are not the viewer's.
    FollowFactory(follower=others[5], following=others[6])

    with django_assert_num_queries(1):
        flags = relationships_for(user, [other.pk for other in others])
    with django_assert_num_queries(1):
        one = relationships_for(user, [others[0].pk])

    assert set(flags) == {other.pk for other in others}
    assert flags[others[0].pk] == {**NONE, "following": True}
    assert flags[others[1].pk] == {**NONE, "followed_by": True}
    assert flags[others[2].pk] == {**NONE, "muted": True}
    assert flags[others[3].pk] == {**NONE, "blocked": True}
    assert flags[others[4].pk] == {**NONE, "blocked_by": True}
    assert all(flags[other.pk] == NONE for other in others[5:])
    assert one == {others[0].pk: {**NONE, "following": True}}


def test_relationships_for_anonymous_or_oneself_are_false_without_a_query(user, other_user, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        anonymous = relationships_for(AnonymousUser(), [user.pk, other_user.pk])
        nobody = relationships_for(None, [user.pk])
        oneself = relationships_for(user, [user.pk])
        empty = relationships_for(user, [])

    assert anonymous == {user.pk: NONE, other_user.pk: NONE}
    assert nobody == {user.pk: NONE}
    assert oneself == {user.pk: NONE}
    assert empty == {}
