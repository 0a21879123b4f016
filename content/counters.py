"""The counters kept on post rows, and their recount.

A post carries ``reactions_count``, ``comments_count`` (visible comments and
replies), ``reposts_count`` (plain reposts), ``quotes_count`` (visible posts
quoting it) and ``bookmarks_count``, so that a page of posts costs no counting.
The services that add or remove the counted rows move the counter in the same
transaction (``post_counter_add``: an ``UPDATE ... SET n = n + 1``, which
PostgreSQL serialises on the post's row lock, so parallel writes never lose an
update). What the services cannot see (rows deleted in the admin or by hand)
is repaired by ``recount_counters``, which recounts from the rows and reports
the drift it found.

``POST_COUNTERS`` is the one definition of what each counter counts: the
recount, the repair command and the tests compare against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from content.models import VISIBLE, Bookmark, Comment, Post, PostReaction, Repost
from core.sqljson import count_by
from social.models import Follow

# Posts recounted per UPDATE by the repair command: short row locks on a big table.
RECOUNT_BATCH_SIZE = 5_000


def post_counter_expressions() -> dict[str, Coalesce]:
    """Each post counter as a correlated count over the rows it counts."""
    return {
        "reactions_count": count_by(PostReaction.objects.all(), "post_id"),
        "comments_count": count_by(Comment.objects.filter(VISIBLE), "post_id"),
        "reposts_count": count_by(Repost.objects.all(), "post_id"),
        "quotes_count": count_by(Post.objects.filter(VISIBLE), "quoted_post_id"),
        "bookmarks_count": count_by(Bookmark.objects.all(), "post_id"),
    }


POST_COUNTERS = tuple(post_counter_expressions())


def post_counter_add(post_id: int | None, counter: str, delta: int) -> None:
    """Moves one counter of one post by ``delta``, in the caller's transaction (never below zero)."""
    if post_id is None or not delta:
        return
    Post.objects.filter(pk=post_id).update(**{counter: Greatest(F(counter) + delta, Value(0))})


def post_counter_value(post_id: int, counter: str) -> int:
    """The counter as stored now (read after ``post_counter_add`` in the same transaction)."""
    return int(Post.objects.filter(pk=post_id).values_list(counter, flat=True).first() or 0)


def post_counters_recount(post_ids: Iterable[int]) -> int:
    """Sets every counter of these posts from the rows, in one UPDATE; returns the posts updated.

    For the set-based writes that change many posts' rows at once (an account's deletion).
    """
    ids = sorted(set(post_ids))  # rows locked in one order, whoever else recounts
    if not ids:
        return 0
    return Post.objects.filter(pk__in=ids).update(**post_counter_expressions())


@dataclass
class Drift:
    """What a recount found in one table: rows looked at, rows fixed, and per counter the rows that
    were wrong and the sum of (recount - stored) over them."""

    rows: int = 0
    fixed: int = 0
    wrong: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)


def user_counter_expressions() -> dict[str, Coalesce]:
    """Each user counter as a correlated count: follows both ways, posts not deleted (hidden ones count)."""
    return {
        "followers_count": count_by(Follow.objects.all(), "following_id"),
        "following_count": count_by(Follow.objects.all(), "follower_id"),
        "posts_count": count_by(Post.objects.filter(deleted_at__isnull=True), "author_id"),
    }


def counters_repair(
    model: type[models.Model],
    expressions: dict[str, Coalesce],
    *,
    dry_run: bool = False,
    batch_size: int = RECOUNT_BATCH_SIZE,
) -> Drift:
    """Recounts the counters of every row of ``model``, batch by batch of ids, and fixes those that drifted.

    Each batch is one transaction: a SELECT of the drifted rows (stored value against the
    recount), then, unless ``dry_run``, one UPDATE of those rows from the recount. A write that
    commits between the two is counted by the UPDATE, which recounts rather than copying the
    SELECT's figures.
    """
    names = tuple(expressions)
    drift = Drift(wrong=dict.fromkeys(names, 0), total=dict.fromkeys(names, 0))
    expected = {f"expected_{name}": expression for name, expression in expressions.items()}
    wrong = Q()
    for name in names:
        wrong |= ~Q(**{name: F(f"expected_{name}")})
    manager = model._default_manager
    last = 0
    while True:
        with transaction.atomic():
            ids = list(manager.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return drift
            last = ids[-1]
            drift.rows += len(ids)
            drifted = []
            for row in manager.filter(pk__in=ids).annotate(**expected).filter(wrong).values("pk", *names, *expected):
                drifted.append(row["pk"])
                for name in names:
                    difference = row[f"expected_{name}"] - row[name]
                    if difference:
                        drift.wrong[name] += 1
                        drift.total[name] += difference
            if drifted and not dry_run:
                drift.fixed += manager.filter(pk__in=drifted).update(**expressions)


def counters_repair_all(*, dry_run: bool = False, batch_size: int = RECOUNT_BATCH_SIZE) -> dict[str, Drift]:
    """Every counter kept on rows by content and social: posts' and users'."""
    return {
        "posts": counters_repair(Post, post_counter_expressions(), dry_run=dry_run, batch_size=batch_size),
        "users": counters_repair(User, user_counter_expressions(), dry_run=dry_run, batch_size=batch_size),
    }
