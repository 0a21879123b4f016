"""Removing soft-deleted content for good once its retention period is over (``purge_deleted_content``).

A deleted post goes with everything that hangs on it: its comments (deleted or
not, with their likes and reports), likes, plain reposts, bookmarks, ticker
links, reports (``moderation.Report`` cascades), its poll (options and votes:
the post holds the poll's key, so the poll is deleted explicitly) and its
media, rows and stored files. Posts quoting it keep working: their
``quoted_post`` becomes null (``SET_NULL``), as for any missing quoted post.
The moderation audit log (``ModerationAction``) names targets by id, so it stays.

A deleted comment goes with its likes and reports, unless replies to it still
exist: ``Comment.parent`` cascades, and deleting the comment would delete
replies that are still visible. Such a comment is kept as a tombstone (still
deleted, so invisible, its replies keeping their ``parent_id`` as they do while
it is soft-deleted) but its text is erased; it goes on a later run, once its
replies are gone. A reply that is itself deleted and past retention goes first,
so a chain of deleted comments goes in one run.

No counter changes: every counter already left deleted content out when it was
deleted (``User.posts_count``, ``Ticker.post_count``, the post counters of
``content.counters``); what a purged post's likes and reposts counted goes with it.

Work is done in batches, each in its own transaction, so memory and lock times
stay flat on big tables; files are deleted from storage only after their
batch commits (``transaction.on_commit``). On PostgreSQL each batch is locked
with ``SKIP LOCKED``, so concurrent runs never delete a row twice. A run that
stops half-way is finished by the next one: the purge is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from content.models import Comment, Media, Post
from content.querysets_comments import CommentQuerySet
from content.services.media import stored_files_delete
from polls.models import Poll

PURGE_BATCH_SIZE = 200
# What a kept tombstone's text becomes (a comment cannot be empty).
ERASED_COMMENT = "[deleted]"


@dataclass(frozen=True)
class PurgeResult:
    """What a purge removed (or, for a dry run, would remove)."""

    posts: int
    comments: int  # with their posts, or on their own
    media_files: int
    comments_kept: int  # deleted comments past retention kept (text erased) because replies to them remain
    dry_run: bool = False


def deleted_content_purge(*, older_than: datetime, dry_run: bool = False) -> PurgeResult:
    """Deletes for good the posts and comments soft-deleted before ``older_than`` (module docstring).

    With ``dry_run`` nothing is written and the result counts what a real run would remove.
    Batched, each batch atomic (not the whole run, on purpose): see the module docstring.
    """
    if dry_run:
        return _purge_counts(older_than)
    posts, comments, files = _posts_purge(older_than)
    comments += _comments_purge(older_than)
    kept = Comment.objects.filter(deleted_at__lt=older_than)
    kept.exclude(content=ERASED_COMMENT).update(content=ERASED_COMMENT, updated_at=timezone.now())
    return PurgeResult(posts=posts, comments=comments, media_files=files, comments_kept=kept.count())


def _posts_purge(older_than: datetime) -> tuple[int, int, int]:
    """(posts, comments, media files) removed."""
    posts = comments = files = 0
    while True:
        with transaction.atomic():
            ids = list(
                Post.objects.filter(deleted_at__lt=older_than)
                .select_for_update(skip_locked=True)
                .order_by("deleted_at", "pk")
                .values_list("pk", flat=True)[:PURGE_BATCH_SIZE]
            )
            if not ids:
                break
            names = [name for name in Media.objects.filter(post_id__in=ids).values_list("file", flat=True) if name]
            poll_ids = list(Post.objects.filter(pk__in=ids, poll__isnull=False).values_list("poll_id", flat=True))
            _, removed = Post.objects.filter(pk__in=ids).delete()
            Poll.objects.filter(pk__in=poll_ids).delete()
            transaction.on_commit(partial(stored_files_delete, names))
        posts += removed.get(Post._meta.label, 0)
        comments += removed.get(Comment._meta.label, 0)
        files += len(names)
        if len(ids) < PURGE_BATCH_SIZE:
            break
    return posts, comments, files


def _purgeable_comments(older_than: datetime) -> CommentQuerySet:
    """Comments deleted before ``older_than`` that nothing replies to (any more)."""
    return Comment.objects.filter(deleted_at__lt=older_than).filter(
        ~Exists(Comment.objects.filter(parent_id=OuterRef("pk")))
    )


def _comments_purge(older_than: datetime) -> int:
    """Comments removed on their own. Leaves first: deleting a reply can make its parent a leaf, which
    the next batch then finds, until only comments with remaining replies are left."""
    comments = 0
    while True:
        with transaction.atomic():
            ids = list(
                _purgeable_comments(older_than)
                .select_for_update(skip_locked=True)
                .order_by("deleted_at", "pk")
                .values_list("pk", flat=True)[:PURGE_BATCH_SIZE]
            )
            if not ids:
                return comments
            _, removed = Comment.objects.filter(pk__in=ids).delete()
        comments += removed.get(Comment._meta.label, 0)


def _purge_counts(older_than: datetime) -> PurgeResult:
    """What a purge would remove, read only.

    The comments that would go on their own are the deleted ones (on posts that stay) without a
    remaining comment below them: walking up from the parent of every reply that stays marks the
    deleted comments that must be kept. Holds the deleted comments' ids in memory (a dry run only).
    """
    purged_posts = Post.objects.filter(deleted_at__lt=older_than)
    deleted = dict(
        Comment.objects.filter(deleted_at__lt=older_than)
        .exclude(post__deleted_at__lt=older_than)
        .values_list("pk", "parent_id")
    )
    kept: set[int] = set()
    staying_replies_parents = (
        Comment.objects.filter(parent__deleted_at__lt=older_than)
        .exclude(deleted_at__lt=older_than)
        .values_list("parent_id", flat=True)
    )
    for parent_id in staying_replies_parents.iterator():
        while parent_id in deleted and parent_id not in kept:
            kept.add(parent_id)
            parent_id = deleted[parent_id]
    return PurgeResult(
        posts=purged_posts.count(),
        comments=Comment.objects.filter(post__in=purged_posts).count() + len(deleted) - len(kept),
        media_files=Media.objects.filter(post__in=purged_posts).exclude(file="").count(),
        comments_kept=len(kept),
        dry_run=True,
    )
