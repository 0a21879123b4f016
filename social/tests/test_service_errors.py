"""The graph services speak the domain: their refusals are ``core.errors`` naming the field."""

from __future__ import annotations

import pytest

from core.errors import Forbidden, Invalid
from social.models import Follow
from social.services import BLOCKED, block_create, follow_create, mute_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda me: follow_create(follower=me, target=me), "You cannot follow yourself."),
        (lambda me: mute_create(user=me, target=me), "You cannot mute yourself."),
        (lambda me: block_create(user=me, target=me), "You cannot block yourself."),
    ],
    ids=["follow", "mute", "block"],
)
def test_acting_on_oneself_is_invalid_naming_user(user, write, message):
    with pytest.raises(Invalid) as caught:
        write(user)

    assert caught.value.errors == {"user": [message]}


def test_following_across_a_block_is_forbidden(user, other_user):
    block_create(user=other_user, target=user)

    with pytest.raises(Forbidden) as caught:
        follow_create(follower=user, target=other_user)

    assert (str(caught.value), caught.value.code) == (BLOCKED, "permission_denied")
    assert not Follow.objects.exists()
    other_user.refresh_from_db()
    assert other_user.followers_count == 0
