from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from social.models import Block, Follow, Mute


class FollowFactory(DjangoModelFactory):
    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    following = factory.SubFactory(UserFactory)


class MuteFactory(DjangoModelFactory):
    class Meta:
        model = Mute

    user = factory.SubFactory(UserFactory)
    target = factory.SubFactory(UserFactory)


class BlockFactory(DjangoModelFactory):
    class Meta:
        model = Block

    user = factory.SubFactory(UserFactory)
    target = factory.SubFactory(UserFactory)
