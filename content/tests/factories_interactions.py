"""Factories and helpers for the interaction tests (comments, likes, reposts, bookmarks)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from content.models import Bookmark, Comment, CommentReaction, PostReaction, Repost
from content.tests.factories import CountedFactory, PostFactory
from core.testing import assert_problem  # noqa: F401 - re-exported to this package's tests


class CommentFactory(CountedFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    content = factory.Sequence(lambda n: f"Good point, number {n}.")


class PostReactionFactory(CountedFactory):
    class Meta:
        model = PostReaction

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory)


class CommentReactionFactory(DjangoModelFactory):
    class Meta:
        model = CommentReaction

    comment = factory.SubFactory(CommentFactory)
    user = factory.SubFactory(UserFactory)


class RepostFactory(CountedFactory):
    class Meta:
        model = Repost

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory)


class BookmarkFactory(CountedFactory):
    class Meta:
        model = Bookmark

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory)
