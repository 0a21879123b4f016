"""POST/DELETE users/{id}/mute and users/{id}/block, and GET content-filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.testing import assert_problem
from social.api import views
from social.models import Block, Follow, Mute
from social.querysets import RELATIONSHIP_FLAGS
from social.services import block_create, follow_create, mute_create
from social.tests.factories import BlockFactory, MuteFactory
from social.tests.helpers import assert_counters_exact, counts

pytestmark = pytest.mark.django_db

NONE = dict.fromkeys(RELATIONSHIP_FLAGS, False)
FILTERS = "/api/v1/content-filters"


def mute_url(user_or_id) -> str:
    return f"/api/v1/users/{getattr(user_or_id, 'pk', user_or_id)}/mute"


def block_url(user_or_id) -> str:
    return f"/api/v1/users/{getattr(user_or_id, 'pk', user_or_id)}/block"


# Mute


def test_muting_a_user_adds_the_row_and_shows_muted(auth_client, user, other_user):
    follow_create(follower=user, target=other_user)

    response = auth_client.post(mute_url(other_user))

    assert response.status_code == 201
    body = response.json()
    assert body["id"] == str(other_user.pk)
    assert body["viewer"] == {**NONE, "following": True, "muted": True}
    assert Mute.objects.filter(user=user, target=other_user).count() == 1
    # A mute leaves follows and counters alone.
    assert Follow.objects.filter(follower=user, following=other_user).exists()
    assert counts(other_user) == (1, 0)


def test_muting_again_is_a_200_with_one_row(auth_client, user, other_user):
    assert auth_client.post(mute_url(other_user)).status_code == 201

    response = auth_client.post(mute_url(other_user))

    assert response.status_code == 200
    assert response.json()["viewer"]["muted"] is True
    assert Mute.objects.filter(user=user, target=other_user).count() == 1


def test_a_user_who_blocked_the_viewer_may_still_be_muted(auth_client, user, other_user):
    BlockFactory(user=other_user, target=user)

    response = auth_client.post(mute_url(other_user))

    assert response.status_code == 201
    assert response.json()["viewer"] == {**NONE, "muted": True, "blocked_by": True}


def test_mute_refuses_oneself_naming_user(auth_client, user):
    body = assert_problem(auth_client.post(mute_url(user)), 400)

    assert body["errors"] == {"user": ["You cannot mute yourself."]}
    assert not Mute.objects.exists()


def test_mute_needs_a_signed_in_user(api_client, other_user):
    assert_problem(api_client.post(mute_url(other_user)), 401)
    assert_problem(api_client.delete(mute_url(other_user)), 401)

    assert not Mute.objects.exists()


@pytest.mark.parametrize("user_id", ["999999", "0", "9" * 30])
def test_mute_of_an_unknown_user_is_404(auth_client, user_id):
    assert_problem(auth_client.post(mute_url(user_id)), 404)
    assert_problem(auth_client.delete(mute_url(user_id)), 404)

    assert not Mute.objects.exists()


def test_mute_of_a_suspended_user_is_404_but_unmute_works(auth_client, user, other_user):
    MuteFactory(user=user, target=other_user)
    User.objects.filter(pk=other_user.pk).update(suspended_at=timezone.now())

    assert_problem(auth_client.post(mute_url(other_user)), 404)
    assert auth_client.delete(mute_url(other_user)).status_code == 204

    assert not Mute.objects.exists()


def test_unmuting_removes_only_the_viewers_mute(client_for, user, other_user):
    third = UserFactory()
    MuteFactory(user=user, target=other_user)
    MuteFactory(user=third, target=other_user)

    response = client_for(user).delete(mute_url(other_user))

    assert response.status_code == 204
    assert response.content == b""
    assert list(Mute.objects.values_list("user_id", "target_id")) == [(third.pk, other_user.pk)]


def test_unmuting_someone_not_muted_is_a_204(auth_client, user, other_user):
    MuteFactory(user=other_user, target=user)

    assert auth_client.delete(mute_url(other_user)).status_code == 204

    assert Mute.objects.filter(user=other_user, target=user).exists()


def test_unmute_refuses_oneself_naming_user(auth_client, user):
    body = assert_problem(auth_client.delete(mute_url(user)), 400)

    assert list(body["errors"]) == ["user"]


# Block


def test_blocking_removes_follows_both_ways_with_all_four_counters(auth_client, user, other_user):
    third = UserFactory()
    follow_create(follower=user, target=other_user)
    follow_create(follower=other_user, target=user)
    # Follows with a third user must survive, with their counts.
    follow_create(follower=third, target=user)
    follow_create(follower=other_user, target=third)

    response = auth_client.post(block_url(other_user))

    assert response.status_code == 201
    body = response.json()
    assert body["id"] == str(other_user.pk)
    assert body["viewer"] == {**NONE, "blocked": True}
    assert body["stats"] == {"followers": 0, "following": 1, "posts": 0}
    assert Block.objects.filter(user=user, target=other_user).count() == 1
    assert not Follow.objects.filter(follower=user, following=other_user).exists()
    assert not Follow.objects.filter(follower=other_user, following=user).exists()
    assert Follow.objects.count() == 2
    assert counts(user) == (1, 0)
    assert counts(other_user) == (0, 1)
    assert counts(third) == (1, 1)
    assert_counters_exact(user, other_user, third)


def test_blocking_when_only_one_side_follows_moves_only_those_counters(auth_client, user, other_user):
    follow_create(follower=other_user, target=user)

    assert auth_client.post(block_url(other_user)).status_code == 201

    assert not Follow.objects.exists()
    assert counts(user) == (0, 0)
    assert counts(other_user) == (0, 0)


def test_blocking_again_is_a_200_and_changes_nothing(auth_client, user, other_user):
    follow_create(follower=user, target=other_user)
    assert auth_client.post(block_url(other_user)).status_code == 201

    response = auth_client.post(block_url(other_user))

    assert response.status_code == 200
    assert response.json()["viewer"]["blocked"] is True
    assert Block.objects.count() == 1
    assert counts(user) == (0, 0)
    assert counts(other_user) == (0, 0)


def test_blocking_keeps_the_mute(auth_client, user, other_user):
    mute_create(user=user, target=other_user)

    response = auth_client.post(block_url(other_user))

    assert response.json()["viewer"] == {**NONE, "muted": True, "blocked": True}
    assert Mute.objects.filter(user=user, target=other_user).exists()


def test_a_blocked_user_may_block_back(client_for, user, other_user):
    block_create(user=other_user, target=user)

    response = client_for(user).post(block_url(other_user))

    assert response.status_code == 201
    assert response.json()["viewer"] == {**NONE, "blocked": True, "blocked_by": True}
    assert Block.objects.count() == 2


def test_block_refuses_oneself_naming_user(auth_client, user):
    body = assert_problem(auth_client.post(block_url(user)), 400)

    assert body["errors"] == {"user": ["You cannot block yourself."]}
    assert not Block.objects.exists()


def test_block_needs_a_signed_in_user(api_client, user, other_user):
    follow_create(follower=user, target=other_user)

    assert_problem(api_client.post(block_url(other_user)), 401)
    assert_problem(api_client.delete(block_url(other_user)), 401)

    assert not Block.objects.exists()
    assert Follow.objects.count() == 1


@pytest.mark.parametrize("user_id", ["999999", "0", "9" * 30])
def test_block_of_an_unknown_user_is_404(auth_client, user_id):
    assert_problem(auth_client.post(block_url(user_id)), 404)
    assert_problem(auth_client.delete(block_url(user_id)), 404)


def test_block_of_a_deactivated_user_is_404_but_unblock_works(auth_client, user, other_user):
    BlockFactory(user=user, target=other_user)
    User.objects.filter(pk=other_user.pk).update(is_active=False)

    assert_problem(auth_client.post(block_url(other_user)), 404)
    assert auth_client.delete(block_url(other_user)).status_code == 204

    assert not Block.objects.exists()


def test_unblocking_removes_the_block_but_not_restore_follows(auth_client, user, other_user):
    follow_create(follower=user, target=other_user)
    block_create(user=user, target=other_user)

    response = auth_client.delete(block_url(other_user))

    assert response.status_code == 204
    assert not Block.objects.exists()
    assert not Follow.objects.exists()
    # Following is possible again.
    assert auth_client.post(f"/api/v1/users/{other_user.pk}/follow").status_code == 201
    assert counts(other_user) == (1, 0)


def test_unblocking_leaves_the_other_users_block(client_for, user, other_user):
    BlockFactory(user=other_user, target=user)

    assert client_for(user).delete(block_url(other_user)).status_code == 204

    assert Block.objects.filter(user=other_user, target=user).exists()


def test_unblock_refuses_oneself_naming_user(auth_client, user):
    body = assert_problem(auth_client.delete(block_url(user)), 400)

    assert list(body["errors"]) == ["user"]


# GET content-filters


def test_content_filters_list_muted_and_blocked_users_newest_first(auth_client, user):
    now = timezone.now()
    old_mute, new_mute, blocked = UserFactory(), UserFactory(), UserFactory()
    MuteFactory(user=user, target=old_mute, created_at=now - timedelta(hours=2))
    MuteFactory(user=user, target=new_mute, created_at=now - timedelta(hours=1))
    BlockFactory(user=user, target=blocked)
    MuteFactory(user=user, target=blocked)
    # Other people's filters, and blocks of the viewer, are not the viewer's list.
    MuteFactory(user=UserFactory(), target=old_mute)
    BlockFactory(user=UserFactory(), target=user)

    response = auth_client.get(FILTERS)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"muted", "blocked", "truncated"}
    assert [row["id"] for row in body["muted"]] == [str(blocked.pk), str(new_mute.pk), str(old_mute.pk)]
    assert [row["id"] for row in body["blocked"]] == [str(blocked.pk)]
    assert body["muted"][1]["viewer"] == {**NONE, "muted": True}
    assert body["blocked"][0]["viewer"] == {**NONE, "muted": True, "blocked": True}
    assert set(body["blocked"][0]) >= {"id", "username", "display_name", "stats", "viewer", "profile_picture_url"}
    assert body["truncated"] == {"muted": False, "blocked": False}


def test_content_filters_are_empty_lists_for_a_new_user(auth_client):
    response = auth_client.get(FILTERS)

    assert response.status_code == 200
    assert response.json() == {"muted": [], "blocked": [], "truncated": {"muted": False, "blocked": False}}


def test_content_filters_leave_out_suspended_users(auth_client, user):
    suspended = UserFactory(suspended_at=timezone.now())
    MuteFactory(user=user, target=suspended)
    BlockFactory(user=user, target=suspended)

    assert auth_client.get(FILTERS).json()["muted"] == []
    assert auth_client.get(FILTERS).json()["blocked"] == []


def test_content_filters_are_capped_and_say_so(auth_client, user, monkeypatch):
    monkeypatch.setattr(views, "CONTENT_FILTERS_MAX", 2)
    muted = UserFactory.create_batch(3)
    for target in muted:
        MuteFactory(user=user, target=target)
    BlockFactory(user=user, target=muted[0])

    body = auth_client.get(FILTERS).json()

    assert len(body["muted"]) == 2
    assert len(body["blocked"]) == 1
    assert body["truncated"] == {"muted": True, "blocked": False}


def test_content_filters_need_a_signed_in_user(api_client):
    assert_problem(api_client.get(FILTERS), 401)


@pytest.mark.parametrize("size", [1, 50])
def test_content_filters_query_count_does_not_grow(auth_client, user, size, django_assert_max_num_queries):
    for target in UserFactory.create_batch(size):
        MuteFactory(user=user, target=target)
        BlockFactory(user=user, target=target)

    # The viewer (authentication); the mutes with their users; the blocks with
    # their users; the relationship flags of everyone shown.
    with django_assert_max_num_queries(4):
        response = auth_client.get(FILTERS)

    assert len(response.json()["muted"]) == size
    assert len(response.json()["blocked"]) == size
