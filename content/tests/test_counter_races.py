"""Counters on post rows under parallel writes: each write's UPDATE ... SET n = n + 1 waits for the
row lock of the one before, so none is lost and every counter ends equal to a recount.

PostgreSQL only: SQLite serialises every write, so nothing would race.
"""

from __future__ import annotations

import contextlib
import random
import threading

from accounts.tests.factories import UserFactory
from content.counters import POST_COUNTERS, post_counter_expressions
from content.models import Post
from content.services.interactions import (
    bookmark_add,
    bookmark_remove,
    comment_create,
    comment_delete,
    post_reaction_toggle,
    repost_create,
    repost_delete,
    repost_quote,
)
from content.services.posts import post_create, post_soft_delete
from core.errors import Conflict
from core.testing import postgres_only, race

pytestmark = postgres_only

THREADS = 8
ROUNDS = 6


def test_counters_equal_a_recount_after_parallel_writes_on_one_post():
    author = UserFactory()
    post = post_create(author=author, content="The $NVDA thread")
    users = [UserFactory() for _ in range(THREADS)]
    queue = list(users)
    lock = threading.Lock()

    def writes_of_one_user() -> None:
        with lock:
            user = queue.pop()
        rng = random.Random(user.pk)
        for _ in range(ROUNDS):
            post_reaction_toggle(user=user, post_id=post.pk)
            if rng.random() < 0.5:
                with contextlib.suppress(Conflict):  # already reposted
                    repost_create(user=user, post_id=post.pk)
            else:
                repost_delete(user=user, post_id=post.pk)
            bookmark_add(user=user, post_id=post.pk) if rng.random() < 0.5 else bookmark_remove(
                user=user, post_id=post.pk
            )
            comment = comment_create(author=user, post_id=post.pk, content="More on this")
            if rng.random() < 0.5:
                comment_delete(user=user, comment_id=comment.pk)
            quote = repost_quote(user=user, post_id=post.pk, content="Quoting")
            if rng.random() < 0.5:
                post_soft_delete(post=quote)

    outcomes = race(lambda: writes_of_one_user(), threads=THREADS)

    assert outcomes == [None] * THREADS
    counted = Post.objects.filter(pk=post.pk).annotate(**{f"n_{k}": v for k, v in post_counter_expressions().items()})
    row = counted.values(*POST_COUNTERS, *(f"n_{name}" for name in POST_COUNTERS)).get()
    assert {name: row[name] for name in POST_COUNTERS} == {name: row[f"n_{name}"] for name in POST_COUNTERS}
    # Every user wrote a comment and a quote each round: the counts are not trivially zero.
    assert row["comments_count"] + row["quotes_count"] > 0
