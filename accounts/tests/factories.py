from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.models import User, UserInterest

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"trader{n}@example.com")
    username = factory.Sequence(lambda n: f"trader_{n}")
    display_name = factory.Faker("name")
    bio = "Long-term investor."
    onboarded = True
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class UserInterestFactory(DjangoModelFactory):
    class Meta:
        model = UserInterest

    user = factory.SubFactory(UserFactory)
    interest = factory.Sequence(lambda n: f"topic-{n}")
