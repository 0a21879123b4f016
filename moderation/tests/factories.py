from __future__ import annotations

from typing import Any, cast

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from accounts.tests.factories import UserFactory
from content.models import Comment, Post
from content.tests.factories import CountedFactory, PostFactory
from moderation.models import Reason, Report, TargetType


class CommentFactory(CountedFactory):
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


def report_on(target: Post | Comment | User, **fields: Any) -> Report:
    """A report (open unless ``status`` says otherwise) on a post, comment or user, by a fresh reporter."""
    kind = {Post: TargetType.POST, Comment: TargetType.COMMENT}.get(type(target), TargetType.USER)
    targets: dict[str, Any] = {"post": None, kind.value: target}
    return cast(Report, ReportFactory(target_type=kind, **targets, **fields))
