"""The content part of deleting an account (``accounts.account_hooks``, plugged in by ``ContentConfig.ready()``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from content.counters import post_counters_recount
from content.models import (
    Bookmark,
    Call,
    Comment,
    CommentMention,
    CommentReaction,
    Media,
    Post,
    PostMention,
    PostReaction,
    Repost,
    WatchlistItem,
)
from content.services.tickers import author_tickers_recount
from content.tasks import delete_stored_files
from core.tasks import enqueue


@transaction.atomic
def account_content_remove(*, user: User) -> None:
    """Soft-deletes ``user``'s posts and comments and removes their likes, reposts, bookmarks,
    watchlist, uploaded images (the files on the task queue, once the transaction commits) and the
    rows of other people's posts and comments mentioning them (the account stays, anonymised, so no
    CASCADE does it; the `@name` stays in the text, where it names nobody now).

    Deleted posts and comments leave every list and answer 404, as when their author deletes
    them one by one, and ``purge_deleted_content`` removes them for good later. Replies to the
    user's comments stay; quotes of the user's posts show ``quoted_post: null``.
    """
    moment = timezone.now()
    # The posts whose counters this changes (content.counters), recounted once the rows are gone.
    touched = (
        Comment.objects.filter(author_id=user.pk, deleted_at__isnull=True)
        .values_list("post_id")
        .union(
            Post.objects.filter(author_id=user.pk, deleted_at__isnull=True, quoted_post__isnull=False).values_list(
                "quoted_post_id"
            ),
            PostReaction.objects.filter(user_id=user.pk).values_list("post_id"),
            Repost.objects.filter(user_id=user.pk).values_list("post_id"),
            Bookmark.objects.filter(user_id=user.pk).values_list("post_id"),
        )
    )
    touched_ids = {post_id for (post_id,) in touched}
    Post.objects.filter(author_id=user.pk, deleted_at__isnull=True).update(deleted_at=moment)
    Comment.objects.filter(author_id=user.pk, deleted_at__isnull=True).update(deleted_at=moment)
    User.objects.filter(pk=user.pk).update(posts_count=0, calls_count=0, calls_scored=0, calls_hits=0)
    Call.objects.filter(author_id=user.pk).delete()
    PostReaction.objects.filter(user_id=user.pk).delete()
    CommentReaction.objects.filter(user_id=user.pk).delete()
    Repost.objects.filter(user_id=user.pk).delete()
    Bookmark.objects.filter(user_id=user.pk).delete()
    WatchlistItem.objects.filter(user_id=user.pk).delete()
    PostMention.objects.filter(user_id=user.pk).delete()
    CommentMention.objects.filter(user_id=user.pk).delete()
    uploads = Media.objects.filter(owner_id=user.pk)
    files = [name for name in uploads.values_list("file", flat=True) if name]
    uploads.delete()
    if files:
        enqueue(delete_stored_files, names=files)
    post_counters_recount(touched_ids)
    # Last: ticker rows are locked last in every transaction (see content.services.tickers).
    author_tickers_recount(user.pk)
