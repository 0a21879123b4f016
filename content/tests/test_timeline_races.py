"""Home timelines under concurrency: a timeline being made while posts are published and fanned
out, and fan-outs racing an unfollow, still read exactly as the merge.

PostgreSQL only: SQLite serialises every write, so nothing would race.
"""

from __future__ import annotations

import threading

from django.db import connection
from django.test import override_settings

from accounts.tests.factories import UserFactory
from content.services.posts import post_create
from content.tests.test_timelines import walk
from content.timelines import fan_out_post, follow_prune, timeline_build
from core.testing import postgres_only, race
from social.models import Follow
from social.services import follow_create

pytestmark = postgres_only

ROUNDS = 5
POSTS = 6


def _runner(jobs: list[str], viewer, author):
    lock = threading.Lock()

    def run() -> None:
        with lock:
            job = jobs.pop()
        if job == "build":
            timeline_build(viewer.pk)
        else:
            # What the queue does: the post commits, then its fan-out runs.
            post = post_create(author=author, content="Tape reading")
            fan_out_post(post.pk)

    return run


def test_a_timeline_made_while_posts_fan_out_misses_none():
    viewer, author = UserFactory(), UserFactory()
    follow_create(follower=viewer, target=author)
    for _ in range(ROUNDS):
        jobs = ["build", *["post"] * POSTS]
        run = _runner(jobs, viewer, author)

        with override_settings(HOME_TIMELINES=False):  # the fan-out runs here, by hand
            outcomes = race(run, threads=len(jobs))
        assert outcomes == [None] * (POSTS + 1)
        assert walk(viewer, timelines=True) == walk(viewer, timelines=False)


def test_a_fan_out_racing_an_unfollow_never_shows_the_unfollowed():
    viewer, author = UserFactory(), UserFactory()
    follow_create(follower=viewer, target=author)
    timeline_build(viewer.pk)
    post = post_create(author=author, content="Racing")

    def unfollow_then_prune() -> None:
        Follow.objects.filter(follower=viewer, following=author).delete()
        follow_prune(viewer.pk, author.pk)

    jobs = [lambda: fan_out_post(post.pk), unfollow_then_prune]
    race(lambda: jobs.pop()(), threads=2)

    connection.close()
    # Whichever wrote last, the read checks the follow: nothing of the author's shows.
    assert walk(viewer, timelines=True) == walk(viewer, timelines=False) == [()]
