"""Precomputed home timelines (content.timelines) show exactly the feed merged on read.

The merge (``following_feed``) is the reference: for random sequences of posts,
reposts, follows, mutes, blocks, deletes, hides and suspensions, with timelines
made, trimmed and dropped along the way, every user's following feed read
through their timeline equals the merge, page by page and cursor by cursor.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import User
from accounts.tests.factories import UserFactory
from content.feed import FEED_FOLLOWING, feed_page
from content.models import HomeTimeline, HomeTimelineEntry, Post, Repost
from content.services.interactions import repost_create, repost_delete
from content.services.posts import post_create, post_set_hidden, post_soft_delete
from content.tests.factories import PostFactory
from content.timelines import fan_out_post, timeline_build, timeline_read, timelines_drop_inactive, timelines_trim
from core.errors import DomainError
from social.services import block_create, block_delete, follow_create, follow_delete, mute_create, mute_delete
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db

USERS = 4
PAGE = 3


def walk(viewer: User, *, timelines: bool, settings: Any = None) -> list[tuple[Any, ...]]:
    """Every page of the viewer's following feed, forward then back from the end: what each shows.

    ``override_settings`` rather than the ``settings`` fixture, whose every assignment stacks one
    more layer of settings for the rest of the test (thousands over a property test's examples).
    """
    with override_settings(HOME_TIMELINES=timelines):
        return _walk(viewer)


def _walk(viewer: User) -> list[tuple[Any, ...]]:
    seen: list[tuple[Any, ...]] = []
    cursor = None
    last = None
    while True:
        page = feed_page(viewer, scope=FEED_FOLLOWING, cursor=cursor, limit=PAGE)
        seen.append(tuple((post.pk, _reposter(post)) for post in page.rows))
        last = page
        if page.next is None:
            break
        cursor = page.next.encode()
    # And back from the last page, as a client paging up does.
    while last.previous is not None:
        last = feed_page(viewer, scope=FEED_FOLLOWING, cursor=last.previous.encode(), limit=PAGE)
        seen.append(("back", *((post.pk, _reposter(post)) for post in last.rows)))
    return seen


def _reposter(post: Any) -> int | None:
    reposter = getattr(post, "reposted_by", None)
    return reposter.pk if reposter is not None else None


operations = st.one_of(
    st.tuples(st.just("post"), st.integers(0, USERS - 1)),
    st.tuples(st.just("repost"), st.integers(0, USERS - 1), st.integers(0, 30)),
    st.tuples(st.just("unrepost"), st.integers(0, USERS - 1), st.integers(0, 30)),
    st.tuples(st.just("follow"), st.integers(0, USERS - 1), st.integers(0, USERS - 1)),
    st.tuples(st.just("unfollow"), st.integers(0, USERS - 1), st.integers(0, USERS - 1)),
    st.tuples(st.just("mute"), st.integers(0, USERS - 1), st.integers(0, USERS - 1)),
    st.tuples(st.just("unmute"), st.integers(0, USERS - 1), st.integers(0, USERS - 1)),
    st.tuples(st.just("block"), st.integers(0, USERS - 1), st.integers(0, USERS - 1)),
    st.tuples(st.just("unblock"), st.integers(0, USERS - 1), st.integers(0, USERS - 1)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("hide"), st.integers(0, 30)),
    st.tuples(st.just("unhide"), st.integers(0, 30)),
    st.tuples(st.just("suspend"), st.integers(0, USERS - 1)),
    st.tuples(st.just("read"), st.integers(0, USERS - 1)),
    st.tuples(st.just("drop"), st.integers(0, USERS - 1)),
    st.tuples(st.just("trim")),
)


def apply(operation: tuple[Any, ...], users: list[User], settings: Any) -> None:
    name, *args = operation
    posts = list(Post.objects.order_by("pk"))

    def post(index: int) -> Post | None:
        return posts[index % len(posts)] if posts else None

    def pair() -> tuple[User, User]:
        return users[args[0]], users[args[1]]

    try:
        if name == "post":
            post_create(author=users[args[0]], content=f"Post {len(posts)} on $AAPL")
        elif name in ("repost", "unrepost") and (target := post(args[1])) is not None:
            (repost_create if name == "repost" else repost_delete)(user=users[args[0]], post_id=target.pk)
        elif name == "follow":
            follow_create(follower=pair()[0], target=pair()[1])
        elif name == "unfollow":
            follow_delete(follower=pair()[0], target=pair()[1])
        elif name == "mute":
            mute_create(user=pair()[0], target=pair()[1])
        elif name == "unmute":
            mute_delete(user=pair()[0], target=pair()[1])
        elif name == "block":
            block_create(user=pair()[0], target=pair()[1])
        elif name == "unblock":
            block_delete(user=pair()[0], target=pair()[1])
        elif name == "delete" and (target := post(args[0])) is not None:
            post_soft_delete(post=target)
        elif name in ("hide", "unhide") and (target := post(args[0])) is not None:
            post_set_hidden(post=target, hidden=name == "hide")
        elif name == "suspend":
            user = users[args[0]]
            User.objects.filter(pk=user.pk).update(is_active=not User.objects.get(pk=user.pk).is_active)
        elif name == "read":
            walk(users[args[0]], timelines=True, settings=settings)
        elif name == "drop":
            HomeTimeline.objects.filter(user=users[args[0]]).delete()
            HomeTimelineEntry.objects.filter(user=users[args[0]]).delete()
        elif name == "trim":
            timelines_trim()
    except DomainError:
        pass  # refused (following oneself, reposting twice...): nothing happened


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=1, max_size=30), size=st.sampled_from([20, 800]))
def test_the_timeline_feed_equals_the_merged_feed(steps, size, settings, django_capture_on_commit_callbacks):
    with override_settings(HOME_TIMELINES=True, HOME_TIMELINE_SIZE=size), transaction.atomic():
        users = [UserFactory() for _ in range(USERS)]
        for user in users[1:]:
            follow_create(follower=users[0], target=user)
        for user in users:
            timeline_build(user.pk)  # kept from the start: every step below goes through the fan-out
        for step in steps:
            with django_capture_on_commit_callbacks(execute=True):
                apply(step, users, settings)
        for user in users:
            assert walk(user, timelines=True, settings=settings) == walk(user, timelines=False, settings=settings)
        transaction.set_rollback(True)


def test_a_small_timeline_pages_below_its_floor_through_the_merge(settings, django_capture_on_commit_callbacks):
    settings.HOME_TIMELINE_SIZE = 20
    viewer, author = UserFactory(), UserFactory()
    follow_create(follower=viewer, target=author)
    with django_capture_on_commit_callbacks(execute=True):
        posts = [post_create(author=author, content=f"Note {n}") for n in range(45)]
    timeline = timeline_build(viewer.pk)

    assert HomeTimelineEntry.objects.filter(user=viewer).count() == 20
    assert (timeline.floor_kind, timeline.floor_item) == (1, posts[-20].pk)
    pages = walk(viewer, timelines=True, settings=settings)
    assert pages == walk(viewer, timelines=False, settings=settings)
    forward = [post_id for page in pages if page[:1] != ("back",) for post_id, _ in page]
    assert forward == [post.pk for post in reversed(posts)]


def test_fan_out_reaches_followers_who_keep_a_timeline_only(django_capture_on_commit_callbacks):
    author, keeper, idle = UserFactory(), UserFactory(), UserFactory()
    follow_create(follower=keeper, target=author)
    follow_create(follower=idle, target=author)
    timeline_build(keeper.pk)
    timeline_build(author.pk)

    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(author=author, content="Fresh idea on $NVDA")

    holders = set(HomeTimelineEntry.objects.filter(post=post).values_list("user_id", flat=True))
    assert holders == {keeper.pk, author.pk}
    assert fan_out_post(post.pk) == 2  # again: idempotent, nothing doubled
    assert HomeTimelineEntry.objects.filter(post=post).count() == 2


def test_a_repost_and_a_follow_and_an_unfollow_move_entries(django_capture_on_commit_callbacks):
    viewer, friend, stranger = UserFactory(), UserFactory(), UserFactory()
    old = post_create(author=stranger, content="An old take")
    timeline_build(viewer.pk)

    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=viewer, target=friend)
        repost_create(user=friend, post_id=old.pk)
    repost = Repost.objects.get(user=friend)
    assert HomeTimelineEntry.objects.filter(user=viewer, repost=repost).exists()

    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=viewer, target=stranger)
    assert HomeTimelineEntry.objects.filter(user=viewer, post=old, kind=1).exists()  # backfilled

    with django_capture_on_commit_callbacks(execute=True):
        follow_delete(follower=viewer, target=friend)
    assert not HomeTimelineEntry.objects.filter(user=viewer, repost=repost).exists()  # pruned


def test_idle_timelines_are_dropped_and_made_again_on_the_next_read(settings):
    settings.HOME_TIMELINE_INACTIVE_DAYS = 14
    idle, active = UserFactory(), UserFactory()
    timeline_build(idle.pk)
    timeline_build(active.pk)
    User.objects.filter(pk=idle.pk).update(last_active_at=timezone.now() - timedelta(days=15))
    User.objects.filter(pk=active.pk).update(last_active_at=timezone.now() - timedelta(days=13))

    assert timelines_drop_inactive() == 1

    assert set(HomeTimeline.objects.values_list("user_id", flat=True)) == {active.pk}
    settings.HOME_TIMELINES = True
    feed_page(idle, scope=FEED_FOLLOWING, cursor=None, limit=PAGE)
    assert HomeTimeline.objects.filter(user=idle).exists()


def test_trim_cuts_grown_timelines_and_raises_the_floor(settings, django_capture_on_commit_callbacks):
    settings.HOME_TIMELINE_SIZE = 20
    viewer, author = UserFactory(), UserFactory()
    follow_create(follower=viewer, target=author)
    timeline_build(viewer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        posts = [post_create(author=author, content=f"Tick {n}") for n in range(30)]
    assert HomeTimelineEntry.objects.filter(user=viewer).count() == 30

    assert timelines_trim() == 1

    assert HomeTimelineEntry.objects.filter(user=viewer).count() == 20
    timeline = HomeTimeline.objects.get(user=viewer)
    assert timeline.floor_item == posts[10].pk
    assert walk(viewer, timelines=True, settings=settings) == walk(viewer, timelines=False, settings=settings)


def test_staff_rebuild_a_timeline_from_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    viewer, author = UserFactory(), UserFactory()
    follow_create(follower=viewer, target=author)
    timeline_build(viewer.pk)
    post = post_create(author=author, content="Written while no fan-out ran")  # on_commit never runs here
    assert not HomeTimelineEntry.objects.filter(user=viewer, post=post).exists()
    client.force_login(staff)

    response = client.post(
        "/admin/content/hometimeline/", {"action": "rebuild", "_selected_action": [viewer.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "Rebuilt 1 home timeline(s)." in response.content.decode()
    assert HomeTimelineEntry.objects.filter(user=viewer, post=post).exists()


def test_people_without_staff_access_cannot_rebuild(client):
    viewer = UserFactory()
    timeline_build(viewer.pk)
    client.force_login(UserFactory())

    response = client.post("/admin/content/hometimeline/", {"action": "rebuild", "_selected_action": [viewer.pk]})

    assert response.status_code == 302  # to the admin's sign-in page
    assert "/admin/login/" in response["Location"]


def test_a_forged_cursor_kind_reads_as_its_nearest_real_kind_and_adds_no_plans(user, other_user):
    from content.timelines import _entries_compiled

    FollowFactory(follower=user, following=other_user)
    posts = [PostFactory(author=other_user, created_at=timezone.now() - timedelta(minutes=m)) for m in range(5)]
    timeline_build(user.pk)
    middle = posts[2]
    pages = {
        kind: timeline_read(user, cursor=(middle.created_at, kind, middle.pk), forward=True, limit=10)
        for kind in (-50, -1, 0, 1, 2, 3, 99)
    }
    plans = len(_entries_compiled._plans)
    assert pages[99] == pages[3] == pages[2]
    assert pages[-50] == pages[-1]
    assert [entry.post_id for entry in pages[1]] == [post.pk for post in posts[3:]]
    for kind in range(100, 140):
        timeline_read(user, cursor=(middle.created_at, kind, middle.pk), forward=True, limit=10)
    assert len(_entries_compiled._plans) == plans
