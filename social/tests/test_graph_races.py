"""Races the graph services must win, on real concurrent PostgreSQL transactions.

The end state is what matters: one row per relation, no follow between
blocked users, and every counter equal to the rows it counts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from conftest import bearer
from core.errors import DomainError, Forbidden
from core.testing import postgres_only, race
from social.models import Block, Follow
from social.services import block_create, follow_create, follow_delete
from social.tests.helpers import assert_counters_exact, counts

pytestmark = postgres_only


def one_each(calls: list[Callable[[], Any]]) -> Callable[[], Any]:
    """A callable that runs the next of ``calls`` in whichever thread asks: one per racing thread."""
    lock = threading.Lock()
    pending: Iterator[Callable[[], Any]] = iter(calls)

    def call() -> Any:
        with lock:
            mine = next(pending)
        return mine()

    return call


def test_many_users_following_one_target_at_once_count_exactly():
    target = UserFactory()
    fans = UserFactory.create_batch(8)

    outcomes = race(
        one_each([lambda fan=fan: follow_create(follower=fan, target=target) for fan in fans]),
        threads=len(fans),
    )

    assert all(created for _, created in outcomes), outcomes
    assert Follow.objects.filter(following=target).count() == 8
    assert counts(target) == (8, 0)
    assert_counters_exact(target, *fans)


def test_the_same_follow_twice_at_once_adds_one_row_and_counts_once():
    user, target = UserFactory(), UserFactory()

    outcomes = race(lambda: follow_create(follower=user, target=target), threads=4, catch=DomainError)

    assert sorted(created for _, created in outcomes) == [False, False, False, True]
    assert len({follow.pk for follow, _ in outcomes}) == 1
    assert Follow.objects.count() == 1
    assert counts(user) == (0, 1)
    assert counts(target) == (1, 0)


def test_the_same_follow_twice_at_once_over_http_is_201_and_200():
    user, target = UserFactory(), UserFactory()
    token = bearer(user)

    def post() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token)
        return client.post(f"/api/v1/users/{target.pk}/follow").status_code

    statuses = race(post, threads=2)

    assert sorted(statuses) == [200, 201]
    assert Follow.objects.count() == 1
    assert counts(target) == (1, 0)


def test_following_each_other_at_once_does_not_deadlock():
    a, b = UserFactory(), UserFactory()

    outcomes = race(
        one_each([lambda: follow_create(follower=a, target=b), lambda: follow_create(follower=b, target=a)]),
        catch=DomainError,
    )

    assert all(created for _, created in outcomes), outcomes
    assert counts(a) == (1, 1)
    assert counts(b) == (1, 1)


def test_follow_and_unfollow_at_once_leave_counters_equal_to_rows():
    user, target = UserFactory(), UserFactory()
    follow_create(follower=user, target=target)

    race(
        one_each(
            [lambda: follow_delete(follower=user, target=target), lambda: follow_create(follower=user, target=target)]
        ),
        catch=DomainError,
    )

    assert_counters_exact(user, target)


@pytest.mark.parametrize("round_", range(3))
@pytest.mark.parametrize("follower_side", ["blocker", "blocked"])
def test_a_follow_racing_a_block_never_survives_it(round_, follower_side):
    blocker, blocked = UserFactory(), UserFactory()
    follower, followed = (blocker, blocked) if follower_side == "blocker" else (blocked, blocker)
    # A follow the other way, already there, must go too.
    follow_create(follower=followed, target=follower)

    outcomes = race(
        one_each(
            [
                lambda: follow_create(follower=follower, target=followed),
                lambda: block_create(user=blocker, target=blocked),
            ]
        ),
        catch=DomainError,
    )

    # Either the follow came first and the block removed it, or the block came first and refused it.
    assert all(not isinstance(outcome, Exception) or isinstance(outcome, Forbidden) for outcome in outcomes)
    assert Block.objects.filter(user=blocker, target=blocked).exists()
    assert not Follow.objects.filter(follower__in=[blocker, blocked], following__in=[blocker, blocked]).exists()
    assert counts(blocker) == (0, 0)
    assert counts(blocked) == (0, 0)
