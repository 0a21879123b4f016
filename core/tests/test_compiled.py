"""A compiled queryset runs with new values exactly as the queryset would, and refuses builders it would get wrong."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from content.models import Post
from content.tests.factories import PostFactory
from core.compiled import CompiledQuery, CompileError

pytestmark = pytest.mark.django_db


def _visible_by_author(viewer: Any, ids: list[int]) -> Any:
    posts = Post.objects.filter(id__in=ids).order_by("id")
    if viewer is not None:
        posts = posts.exclude(author_id=viewer.pk)
    return posts.values("id", "author_id", "created_at")


def test_runs_with_each_call_s_values_and_converts_rows_as_the_orm_does():
    compiled = CompiledQuery(_visible_by_author)
    alice, bob = UserFactory(), UserFactory()
    posts = [PostFactory(author=alice), PostFactory(author=bob), PostFactory(author=alice), PostFactory(author=bob)]
    every = [post.pk for post in posts]

    for viewer, ids in [(alice, every), (bob, every), (None, every[:2]), (alice, every[1:3]), (bob, every[::-1])]:
        assert compiled(viewer=viewer, ids=ids) == list(_visible_by_author(viewer, ids))

    # One plan per shape: the second call of a shape builds nothing and runs one query.
    with CaptureQueriesContext(connection) as captured:
        compiled(viewer=alice, ids=every)
    assert len(captured.captured_queries) == 1
    assert len(compiled._plans) == 3  # (viewer, 4 ids), (None, 2 ids), (viewer, 2 ids)


def test_refuses_a_builder_that_freezes_the_time():
    def since_now(viewer: Any) -> Any:
        return User.objects.filter(pk=viewer.pk, created_at__lte=timezone.now()).values("id")

    with pytest.raises(CompileError, match="not one of the values"):
        CompiledQuery(since_now)(viewer=UserFactory())


def test_refuses_a_builder_that_derives_a_value():
    def next_one(user_id: int) -> Any:
        return User.objects.filter(pk=user_id + 1).values("id")

    with pytest.raises(CompileError, match="not one of the values"):
        CompiledQuery(next_one)(user_id=UserFactory().pk)


def test_refuses_a_builder_that_drops_a_value():
    def ignores(user_id: int, other: int) -> Any:
        return User.objects.filter(pk=user_id).values("id")

    with pytest.raises(CompileError, match="does not reach the SQL"):
        CompiledQuery(ignores)(user_id=1, other=2)


def test_refuses_a_builder_whose_sql_depends_on_the_values():
    def branches(user_id: int) -> Any:
        users = User.objects.values("id")
        return users.filter(pk=user_id) if user_id % 2 else users.filter(pk=user_id, is_active=True)

    with pytest.raises(CompileError, match="shape"):
        CompiledQuery(branches)(user_id=3)


def test_refuses_model_rows():
    with pytest.raises(CompileError, match="values"):
        CompiledQuery(lambda user_id: User.objects.filter(pk=user_id))(user_id=1)


def _newer_than(since: Any, forward: bool, limit: int) -> Any:
    posts = Post.objects.filter(created_at__gt=since) if forward else Post.objects.filter(created_at__lte=since)
    return posts.order_by("created_at", "id").values("id")[:limit]


def test_datetimes_are_values_and_shape_keywords_pick_the_sql():
    compiled = CompiledQuery(_newer_than, shape=("forward", "limit"))
    now = timezone.now()
    posts = [PostFactory(created_at=now - timezone.timedelta(minutes=minutes)) for minutes in (30, 20, 10)]
    for since in (now - timezone.timedelta(minutes=25), now - timezone.timedelta(minutes=15), now):
        for forward in (True, False):
            for limit in (1, 5):
                expected = list(_newer_than(since, forward, limit))
                assert compiled(since=since, forward=forward, limit=limit) == expected
    assert len(compiled._plans) == 4  # (forward, limit) pairs: the datetimes are parameters
    assert [row["id"] for row in compiled(since=now - timezone.timedelta(hours=1), forward=True, limit=5)] == [
        post.pk for post in posts
    ]
