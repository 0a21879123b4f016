from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from content.models import Comment
from content.tests.factories import PostFactory
from moderation.models import Reason, Report, TargetType


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    content = factory.Sequence(lambda n: f"Interesting take, number {n}.")


class ReportFactory(DjangoModelFactory):
    """A report on a post unless told otherwise (pass ``target_type`` with the matching target)."""

    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    target_type = TargetType.POST
    post = factory.Maybe(
        factory.LazyAttribute(lambda o: o.target_type == TargetType.POST),
        yes_declaration=factory.SubFactory(PostFactory),
        no_declaration=None,
    )
    reason = Reason.SPAM
