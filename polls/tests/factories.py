from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from polls.models import Poll, PollOption


class PollFactory(DjangoModelFactory):
    """A poll open for a day, with the options named in ``options`` (default two)."""

    class Meta:
        model = Poll
        skip_postgeneration_save = True

    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=1))

    @factory.post_generation
    def options(obj: Poll, create: bool, extracted: list[str] | None, **kwargs: object) -> None:  # noqa: N805
        if create:
            for position, text in enumerate(extracted or ["Up", "Down"]):
                PollOption.objects.create(poll=obj, position=position, text=text)
