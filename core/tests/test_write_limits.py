"""Per-user limits on signed-in writes (core.throttling.UserWriteThrottle), one budget per kind of write.

Each case makes its scope's budget 2 a minute, with time frozen at 12:00:10 (so the
window ends 50 s later).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.urls import URLResolver, get_resolver
from rest_framework.views import APIView

from accounts.tests.factories import UserFactory
from content.models import Post
from content.tests.factories import PostFactory
from content.tests.factories_interactions import CommentFactory
from core.testing import assert_problem
from core.throttling import UserWriteThrottle

pytestmark = pytest.mark.django_db

NOW = "2026-01-01 12:00:10Z"
WINDOW_END = "1767268860"  # 12:01:00 UTC


@dataclass
class World:
    post: Any
    comment: Any
    people: list[Any]


Write = Callable[[Any, World, int], Any]


def _post(client: Any, world: World, n: int) -> Any:
    return client.post("/api/v1/posts", {"content": f"Post number {n}"}, format="json")


def _quote(client: Any, world: World, n: int) -> Any:
    return client.post(f"/api/v1/posts/{world.post.pk}/reposts", {"content": f"Quote {n}"}, format="json")


def _comment(client: Any, world: World, n: int) -> Any:
    return client.post(f"/api/v1/posts/{world.post.pk}/comments", {"content": f"Reply {n}"}, format="json")


def _like(client: Any, world: World, n: int) -> Any:
    # Post and comment likes share one budget: alternate between them.
    url = f"/api/v1/posts/{world.post.pk}/reactions" if n % 2 else f"/api/v1/comments/{world.comment.pk}/reactions"
    return client.post(url)


def _repost(client: Any, world: World, n: int) -> Any:
    # Reposting and undoing it both count.
    url = f"/api/v1/posts/{world.post.pk}/reposts"
    return client.delete(url) if n % 2 else client.post(url, {}, format="json")


def _follow(client: Any, world: World, n: int) -> Any:
    url = f"/api/v1/users/{world.people[n].pk}/follow"
    return client.delete(url) if n == 1 else client.post(url)


def _mute_or_block(client: Any, world: World, n: int) -> Any:
    return client.post(f"/api/v1/users/{world.people[n].pk}/{'block' if n % 2 else 'mute'}")


def _profile_picture(client: Any, world: World, n: int) -> Any:
    return client.delete("/api/v1/users/me/profile-picture")


# scope, a write of that scope, and a read on the same route (None: the route has no GET).
CASES: list[tuple[str, Write, str | None]] = [
    ("posts", _post, "/api/v1/posts"),
    ("posts", _quote, None),
    ("comments", _comment, "/api/v1/posts/{post}/comments"),
    ("reactions", _like, None),
    ("reposts", _repost, None),
    ("follows", _follow, None),
    ("mutes_blocks", _mute_or_block, None),
    ("profile_picture", _profile_picture, None),
]
IDS = ["post", "quote", "comment", "like", "repost", "follow", "mute-block", "profile-picture"]


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    # Tokens are made inside the frozen time too, so they are fresh in it.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world() -> World:
    author = UserFactory()
    post = PostFactory(author=author)
    return World(post=post, comment=CommentFactory(post=post, author=author), people=UserFactory.create_batch(3))


@pytest.mark.parametrize(("scope", "write", "read"), CASES, ids=IDS)
def test_the_write_past_a_users_budget_is_a_429_with_retry_after(scope, write, read, world, settings, client_for):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: "2/m"}
    client = client_for(UserFactory())

    answers = [write(client, world, n) for n in range(3)]

    assert [answer.status_code < 400 for answer in answers[:2]] == [True, True], answers
    assert answers[1]["X-RateLimit-Limit"] == "2"
    assert answers[1]["X-RateLimit-Remaining"] == "0"
    assert answers[1]["X-RateLimit-Reset"] == WINDOW_END
    body = assert_problem(answers[2], 429)
    assert body["code"] == "throttled"
    assert answers[2]["Retry-After"] == "50"
    assert answers[2]["X-RateLimit-Remaining"] == "0"


@pytest.mark.parametrize(("scope", "write", "read"), CASES, ids=IDS)
def test_one_users_budget_leaves_another_users_alone(scope, write, read, world, settings, client_for):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: "2/m"}
    spender, other = client_for(UserFactory()), client_for(UserFactory())

    spent = [write(spender, world, n).status_code for n in range(3)]
    answer = write(other, world, 0)

    assert spent[2] == 429
    assert answer.status_code < 400, answer.content
    assert answer["X-RateLimit-Remaining"] == "1"


@pytest.mark.parametrize(("scope", "write", "read"), CASES, ids=IDS)
def test_reads_on_the_same_route_are_not_counted(scope, write, read, world, settings, client_for):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: "2/m"}
    client = client_for(UserFactory())

    reads = [client.get((read or "/api/v1/posts").format(post=world.post.pk)) for _ in range(3)]
    answers = [write(client, world, n).status_code for n in range(3)]

    assert {response.status_code for response in reads} == {200}
    assert "X-RateLimit-Limit" not in reads[0]
    # The whole budget is still there after the reads, and then it ends.
    assert [status < 400 for status in answers] == [True, True, False], answers
    assert answers[2] == 429


def test_a_quote_spends_the_posts_budget_and_a_plain_repost_does_not(world, settings, client_for):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "posts": "2/m", "reposts": "5/m"}
    client = client_for(UserFactory())

    repost = client.post(f"/api/v1/posts/{world.post.pk}/reposts", {}, format="json")
    statuses = [_quote(client, world, 0).status_code, _post(client, world, 1).status_code]
    refused = _post(client, world, 2)

    assert repost.status_code == 201
    assert statuses == [201, 201]
    assert_problem(refused, 429)
    assert Post.objects.filter(content__startswith="Post number 2").count() == 0


def test_switched_off_by_setting(world, settings, client_for):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "posts": "2/m"}
    settings.RATE_LIMITS_ENABLED = False
    client = client_for(UserFactory())

    statuses = [_post(client, world, n).status_code for n in range(4)]

    assert statuses == [201] * 4


# Signed-in writes deliberately left without a per-user budget, each with the reason.
UNLIMITED = {
    "api/v1/auth/register": "anonymous: its own per-IP limit",
    "api/v1/auth/login": "anonymous: its own per-IP limit, and failures per account (failures_limited)",
    "api/v1/auth/password/reset": "anonymous: its own per-IP limit",
    "api/v1/auth/password/reset/confirm": "anonymous: its own per-IP limit",
    "api/v1/auth/refresh": "anonymous: the per-IP anonymous write budget applies",
    "api/v1/auth/logout": "ends a session; nothing is written for others",
    "api/v1/auth/verify": "a read sent as POST",
    "api/v1/auth/password/change": "failed attempts are limited per user instead (failures_limited)",
    "api/v1/users/me": "your own profile fields; deleting the account spends the wrong-password budget instead",
    "api/v1/users/me/onboarding": "your own profile fields",
    "api/v1/users/me/interests": "private to you",
    "api/v1/users/me/watchlist": "private to you",
    "api/v1/users/me/watchlist/<str:symbol>": "private to you",
    "api/v1/posts/<id:post_id>": "deleting your own post must always work",
    "api/v1/comments/<id:comment_id>": "deleting your own comment must always work",
    "api/v1/polls/<id:poll_id>/votes": "one final vote per poll",
    "api/v1/posts/<id:post_id>/bookmarks": "private to you",
    "api/v1/notifications/read": "private to you",
    "api/v1/notifications/preferences": "private to you",
    "api/v1/notifications/unsubscribe": "anonymous: the per-IP anonymous write budget applies (one-click POST)",
    "api/v1/errors/log": "its own per-user or per-IP limit (ErrorLogThrottle)",
    "api/v1/errors/<id:error_id>/resolve": "staff only",
}


WRITES = ("post", "put", "patch", "delete")


def _write_routes() -> dict[str, APIView]:
    """Each route that writes, with its view as the route builds it (a viewset with its action's kwargs)."""
    routes: dict[str, APIView] = {}
    pending = [("", pattern) for pattern in get_resolver().url_patterns]
    while pending:
        prefix, pattern = pending.pop()
        if isinstance(pattern, URLResolver):
            pending.extend((prefix + str(pattern.pattern), child) for child in pattern.url_patterns)
            continue
        view = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None)  # a viewset route's {method: action}
        writes = any(method in actions for method in WRITES) if actions else any(hasattr(view, m) for m in WRITES)
        if isinstance(view, type) and issubclass(view, APIView) and writes:
            routes[prefix + str(pattern.pattern)] = view(**getattr(pattern.callback, "initkwargs", {}))
    return routes


def test_every_signed_in_write_has_a_budget_or_a_reason_not_to():
    routes = _write_routes()
    unbudgeted = {
        route
        for route, view in routes.items()
        if not isinstance(type(view).__dict__.get("throttle_scope"), property)
        and not getattr(view, "throttle_scope", "")
    }

    assert unbudgeted - set(UNLIMITED) == set(), "a new write endpoint: give it a throttle_scope or a reason here"
    assert set(UNLIMITED) <= set(routes)
    assert not unbudgeted & {"api/v1/posts", "api/v1/posts/<id:post_id>/comments", "api/v1/reports"}
    # A budget only counts through UserWriteThrottle, which views get by default.
    for route, view in routes.items():
        if route not in UNLIMITED:
            assert any(isinstance(throttle, UserWriteThrottle) for throttle in view.get_throttles()), route
