"""The graph's signals: sent once per change, never for a write that changed nothing."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from core.errors import Forbidden
from core.testing_signals import signals_recorded
from social import services, signals
from social.models import Follow

pytestmark = pytest.mark.django_db

ALL = {
    "follow_created": signals.follow_created,
    "follow_removed": signals.follow_removed,
    "mute_created": signals.mute_created,
    "block_created": signals.block_created,
}


def test_follow_and_unfollow_signal_once_each():
    alice, bob = UserFactory(), UserFactory()
    with signals_recorded(**ALL) as sent:
        services.follow_create(follower=alice, target=bob)
        services.follow_create(follower=alice, target=bob)  # already following: nothing new
        services.follow_delete(follower=alice, target=bob)
        services.follow_delete(follower=alice, target=bob)  # nothing left to remove
    pair = {"follower_id": alice.pk, "following_id": bob.pk}
    assert sent == [("follow_created", pair), ("follow_removed", pair)]


def test_mute_signals_once():
    alice, bob = UserFactory(), UserFactory()
    with signals_recorded(**ALL) as sent:
        services.mute_create(user=alice, target=bob)
        services.mute_create(user=alice, target=bob)
    assert sent == [("mute_created", {"user_id": alice.pk, "target_id": bob.pk})]


def test_a_block_signals_the_follows_it_removes_then_itself():
    alice, bob = UserFactory(), UserFactory()
    services.follow_create(follower=alice, target=bob)
    services.follow_create(follower=bob, target=alice)
    with signals_recorded(**ALL) as sent:
        services.block_create(user=alice, target=bob)
        services.block_create(user=alice, target=bob)  # already blocked: no second block signal
    assert sent == [
        ("follow_removed", {"follower_id": alice.pk, "following_id": bob.pk}),
        ("follow_removed", {"follower_id": bob.pk, "following_id": alice.pk}),
        ("block_created", {"user_id": alice.pk, "target_id": bob.pk}),
    ]
    assert not Follow.objects.exists()


def test_a_refused_follow_signals_nothing():
    alice, bob = UserFactory(), UserFactory()
    services.block_create(user=bob, target=alice)
    with signals_recorded(**ALL) as sent, pytest.raises(Forbidden):
        services.follow_create(follower=alice, target=bob)
    assert sent == []
