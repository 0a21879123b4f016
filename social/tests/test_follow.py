"""POST/DELETE users/{id}/follow: following and unfollowing, with exact counters."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.testing import assert_problem
from social.models import Follow
from social.querysets import RELATIONSHIP_FLAGS
from social.services import follow_create
from social.tests.factories import BlockFactory, FollowFactory
from social.tests.helpers import assert_counters_exact, counts

pytestmark = pytest.mark.django_db

NONE = dict.fromkeys(RELATIONSHIP_FLAGS, False)


def url(user_or_id) -> str:
    return f"/api/v1/users/{getattr(user_or_id, 'pk', user_or_id)}/follow"


# POST


def test_following_a_user_adds_the_row_and_both_counters(auth_client, user, other_user):
    response = auth_client.post(url(other_user))

    assert response.status_code == 201
    body = response.json()
    assert body["id"] == str(other_user.pk)
    assert body["username"] == other_user.username
    assert body["stats"] == {"followers": 1, "following": 0, "posts": 0}
    assert body["viewer"] == {**NONE, "following": True}
    assert Follow.objects.filter(follower=user, following=other_user).count() == 1
    assert counts(user) == (0, 1)
    assert counts(other_user) == (1, 0)


def test_following_back_sets_followed_by(client_for, user, other_user):
    follow_create(follower=other_user, target=user)

    response = client_for(user).post(url(other_user))

    assert response.status_code == 201
    assert response.json()["viewer"] == {**NONE, "following": True, "followed_by": True}
    assert response.json()["stats"] == {"followers": 1, "following": 1, "posts": 0}
    assert_counters_exact(user, other_user)


def test_following_again_is_a_200_and_counts_once(auth_client, user, other_user):
    first = auth_client.post(url(other_user))
    again = auth_client.post(url(other_user))

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Follow.objects.filter(follower=user, following=other_user).count() == 1
    assert counts(user) == (0, 1)
    assert counts(other_user) == (1, 0)


def test_a_follow_written_outside_the_service_is_reported_as_existing(auth_client, user, other_user):
    FollowFactory(follower=user, following=other_user)

    response = auth_client.post(url(other_user))

    assert response.status_code == 200
    assert Follow.objects.count() == 1
    # The service did not add the row, so it does not count it either.
    assert counts(other_user) == (0, 0)


def test_follow_refuses_oneself_naming_user(auth_client, user):
    body = assert_problem(auth_client.post(url(user)), 400)

    assert body["errors"] == {"user": ["You cannot follow yourself."]}
    assert not Follow.objects.exists()
    assert counts(user) == (0, 0)


def test_follow_needs_a_signed_in_user(api_client, other_user):
    assert_problem(api_client.post(url(other_user)), 401)

    assert not Follow.objects.exists()
    assert counts(other_user) == (0, 0)


@pytest.mark.parametrize("blocker", ["viewer", "target"])
def test_follow_refuses_blocked_user_either_way(auth_client, user, other_user, blocker):
    if blocker == "viewer":
        BlockFactory(user=user, target=other_user)
    else:
        BlockFactory(user=other_user, target=user)

    body = assert_problem(auth_client.post(url(other_user)), 403)

    assert "blocked" in body["detail"]
    assert not Follow.objects.exists()
    assert counts(user) == (0, 0)
    assert counts(other_user) == (0, 0)


def test_a_block_between_other_users_does_not_stop_a_follow(auth_client, user, other_user):
    BlockFactory(user=other_user, target=UserFactory())

    assert auth_client.post(url(other_user)).status_code == 201


@pytest.mark.parametrize("user_id", ["999999", "0", "9" * 30])
def test_follow_of_an_unknown_user_is_404(auth_client, user, user_id):
    assert_problem(auth_client.post(url(user_id)), 404)

    assert not Follow.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [{"is_active": False}, {"suspended_at": timezone.now()}],
    ids=["inactive", "suspended"],
)
def test_follow_of_a_deactivated_or_suspended_user_is_404(auth_client, other_user, changes):
    User.objects.filter(pk=other_user.pk).update(**changes)

    assert_problem(auth_client.post(url(other_user)), 404)

    assert not Follow.objects.exists()


def test_malformed_ids_are_404(auth_client):
    for raw in ["abc", "-1", "1.5"]:
        assert_problem(auth_client.post(f"/api/v1/users/{raw}/follow"), 404)


# DELETE


def test_unfollowing_removes_the_row_and_both_counters(auth_client, user, other_user):
    third = UserFactory()
    follow_create(follower=user, target=other_user)
    follow_create(follower=user, target=third)
    follow_create(follower=third, target=other_user)

    response = auth_client.delete(url(other_user))

    assert response.status_code == 204
    assert response.content == b""
    assert not Follow.objects.filter(follower=user, following=other_user).exists()
    # Other follows, and the counters they hold, are untouched.
    assert Follow.objects.count() == 2
    assert counts(user) == (0, 1)
    assert counts(other_user) == (1, 0)
    assert counts(third) == (1, 1)
    assert_counters_exact(user, other_user, third)


def test_unfollowing_someone_not_followed_is_a_204_and_counts_nothing(auth_client, user, other_user):
    follow_create(follower=other_user, target=user)

    response = auth_client.delete(url(other_user))

    assert response.status_code == 204
    # The reverse follow is not the viewer's to remove.
    assert Follow.objects.filter(follower=other_user, following=user).exists()
    assert counts(user) == (1, 0)
    assert counts(other_user) == (0, 1)


def test_unfollowing_twice_counts_once(auth_client, user, other_user):
    follow_create(follower=user, target=other_user)

    assert auth_client.delete(url(other_user)).status_code == 204
    assert auth_client.delete(url(other_user)).status_code == 204

    assert counts(user) == (0, 0)
    assert counts(other_user) == (0, 0)


def test_another_user_cannot_remove_someone_elses_follow(client_for, user, other_user):
    third = UserFactory()
    follow_create(follower=user, target=other_user)

    # `third` unfollowing `other_user` touches only third's own (absent) follow.
    assert client_for(third).delete(url(other_user)).status_code == 204

    assert Follow.objects.filter(follower=user, following=other_user).exists()
    assert counts(other_user) == (1, 0)
    assert counts(user) == (0, 1)


def test_unfollowing_a_suspended_user_still_works(auth_client, user, other_user):
    follow_create(follower=user, target=other_user)
    User.objects.filter(pk=other_user.pk).update(suspended_at=timezone.now(), is_active=False)

    assert auth_client.delete(url(other_user)).status_code == 204

    assert not Follow.objects.exists()
    assert counts(user) == (0, 0)
    assert counts(other_user) == (0, 0)


def test_a_drifted_counter_never_goes_below_zero(auth_client, user, other_user):
    FollowFactory(follower=user, following=other_user)  # counters left at 0

    assert auth_client.delete(url(other_user)).status_code == 204

    assert not Follow.objects.exists()
    assert counts(user) == (0, 0)
    assert counts(other_user) == (0, 0)


def test_unfollow_refuses_oneself_naming_user(auth_client, user):
    body = assert_problem(auth_client.delete(url(user)), 400)

    assert list(body["errors"]) == ["user"]


def test_unfollow_needs_a_signed_in_user(api_client, user, other_user):
    follow_create(follower=user, target=other_user)

    assert_problem(api_client.delete(url(other_user)), 401)

    assert Follow.objects.count() == 1
    assert counts(other_user) == (1, 0)


@pytest.mark.parametrize("user_id", ["999999", "0", "9" * 30])
def test_unfollow_of_an_unknown_user_is_404(auth_client, user_id):
    assert_problem(auth_client.delete(url(user_id)), 404)


# The service, as the admin and commands call it


def test_follow_create_reports_whether_it_added_the_row(user, other_user):
    follow, created = follow_create(follower=user, target=other_user)
    same, created_again = follow_create(follower=user, target=other_user)

    assert created is True
    assert created_again is False
    assert same.pk == follow.pk
    assert (follow.follower_id, follow.following_id) == (user.pk, other_user.pk)
    assert_counters_exact(user, other_user)
