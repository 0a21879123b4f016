"""Interactions with posts and comments: comments, likes, reposts (plain and quotes), bookmarks.

The rules every write here follows:

- The target must be visible to the public (not deleted, not hidden by a
  moderator, by an active and unsuspended author), else 404.
- A block between the acting user and the target's author, either way, makes
  the target invisible to them: 404, as the contract has it for every read, so
  a blocked user learns nothing more by writing than by reading.
- "Once per user" is decided by the unique constraints, never by a read
  first: an insert in a savepoint either lands or raises IntegrityError, so
  concurrent requests cannot make duplicates or a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import User
from content import signals
from content.counters import post_counter_add, post_counter_value
from content.models import COMMENT_MAX_LENGTH, Bookmark, Comment, CommentReaction, Post, PostReaction, Repost
from content.moderation_hooks import content_remove
from content.services.mentions import comment_mentions_write
from content.services.posts import post_create
from core.errors import Conflict, Invalid, NotFound
from core.ids import is_id
from core.textnorm import text_normalise
from social.querysets import is_blocked_either_way

# Who "the public" is: a viewer without blocks.
PUBLIC = AnonymousUser()

NO_SUCH_POST = "No such post."
NO_SUCH_COMMENT = "No such comment."
# Rounds a toggle may take while other toggles of the same row by the same user go first (see ``_toggle``).
TOGGLE_ROUNDS = 20


def _post_to_act_on(*, user: User, post_id: int) -> Post:
    """The post, if the user may see it: public, and no block either way with its author (else 404)."""
    if not is_id(post_id):
        raise NotFound(NO_SUCH_POST)
    post = Post.objects.visible_to(PUBLIC).select_related("author").filter(pk=post_id).first()
    if post is None:
        raise NotFound(NO_SUCH_POST)
    if is_blocked_either_way(user, post.author):
        raise NotFound(NO_SUCH_POST)
    return post


def _comment_to_act_on(*, user: User, comment_id: int) -> Comment:
    """The comment, if the user may see it: public, and no block either way with the
    comment's author or the post's author (else 404)."""
    if not is_id(comment_id):
        raise NotFound(NO_SUCH_COMMENT)
    comment = Comment.objects.visible_to(PUBLIC).select_related("author", "post__author").filter(pk=comment_id).first()
    if comment is None:
        raise NotFound(NO_SUCH_COMMENT)
    if is_blocked_either_way(user, comment.author) or is_blocked_either_way(user, comment.post.author):
        raise NotFound(NO_SUCH_COMMENT)
    return comment


def _insert_once(model: type[models.Model], **fields: Any) -> bool:
    """Inserts the row; False when the unique constraint says it is already there."""
    try:
        with transaction.atomic():
            model._default_manager.create(**fields)
    except IntegrityError:
        return False
    return True


def _toggle(model: type[models.Model], **fields: Any) -> bool:
    """Adds the row, or removes it if it was there; True when it is there now.

    Each call makes exactly one change of its own, as if the calls ran one
    after the other, and its answer is that change: concurrent toggles by one
    user answer "added" and "removed" in turn, each "removed" is a row this
    call deleted, and the "added" answers minus the "removed" ones are the
    final state. An insert that finds the row there (the unique index makes a
    concurrent insert wait for the first transaction) deletes it instead; a
    delete that finds it gone (another toggle removed it meanwhile) inserts
    again. Every such round means another toggle made its change, so the loop
    ends; ``TOGGLE_ROUNDS`` only bounds a pathological pile-up (409).
    """
    for _ in range(TOGGLE_ROUNDS):
        if _insert_once(model, **fields):
            return True
        if model._default_manager.filter(**fields).delete()[0]:
            return False
    raise Conflict("Too many changes to this at once; try again.")


def _reaction_set(model: type[models.Model], reacted: bool | None, **fields: Any) -> tuple[bool, bool]:
    """Toggles the reaction (``reacted`` None), or makes it so: True likes, False unlikes, both idempotent.

    Returns (whether it is there now, whether this call changed it). "There
    now" is what this call left: a like that loses the race to a concurrent
    like of the same user ends liked, unchanged by this call.
    """
    if reacted is None:
        return _toggle(model, **fields), True
    if reacted:
        return True, _insert_once(model, **fields)
    return False, model._default_manager.filter(**fields).delete()[0] > 0


# Comments


@transaction.atomic
def comment_create(*, author: User, post_id: int, content: str, parent_id: int | None = None) -> Comment:
    """A comment on a post, or a reply to a comment of the same post that the author can see, with its
    mentions of users (``content.services.mentions``) written before ``comment_published`` is sent."""
    content = text_normalise(content)  # invisible characters neither pass for text nor count
    if not content:
        raise Invalid({"content": ["A comment cannot be empty."]})
    if len(content) > COMMENT_MAX_LENGTH:
        raise Invalid({"content": [f"A comment has at most {COMMENT_MAX_LENGTH} characters."]})
    post = _post_to_act_on(user=author, post_id=post_id)
    if parent_id is not None and not (
        is_id(parent_id) and Comment.objects.visible_to(author).filter(pk=parent_id, post=post).exists()
    ):
        raise Invalid({"parent_id": ["No such comment on this post."]})
    comment = Comment.objects.create(post=post, author=author, content=content, parent_id=parent_id)
    post_counter_add(post.pk, "comments_count", +1)
    comment_mentions_write(comment)
    signals.comment_published.send(
        Comment, comment_id=comment.pk, post_id=post.pk, author_id=author.pk, parent_id=comment.parent_id
    )
    return comment


@transaction.atomic
def comment_delete(*, user: User, comment_id: int, reason: str = "") -> None:
    """Soft-deletes a comment: by its author, or by a moderator with a ``reason``.

    The author needs no reason and leaves no audit entry. Anyone else who can
    see the comment goes through ``content.moderation_hooks`` (the moderation
    service: permission, reason, audit log; 403 without the permission); a
    comment they cannot see is a 404. Replies stay; they keep their ``parent_id``.
    """
    comment = Comment.objects.filter(pk=comment_id, deleted_at__isnull=True).first() if is_id(comment_id) else None
    if comment is None:
        raise NotFound(NO_SUCH_COMMENT)
    if comment.author_id == user.pk:
        comment_soft_delete(comment=comment)
        return
    if not Comment.objects.visible_to(user).filter(pk=comment.pk).exists():
        raise NotFound(NO_SUCH_COMMENT)
    content_remove(moderator=user, target=comment, reason=reason)


# Likes


@transaction.atomic
def post_reaction_toggle(*, user: User, post_id: int, reacted: bool | None = None) -> tuple[bool, int]:
    """Likes the post, or unlikes it if liked (``reacted`` True or False: likes or unlikes, idempotent);
    returns (liked now, likes now)."""
    post = _post_to_act_on(user=user, post_id=post_id)
    now, changed = _reaction_set(PostReaction, reacted, post=post, user=user)
    if changed:
        post_counter_add(post.pk, "reactions_count", +1 if now else -1)
        signals.post_reaction_changed.send(PostReaction, user_id=user.pk, post_id=post.pk, reacted=now)
    return now, post_counter_value(post.pk, "reactions_count")


@transaction.atomic
def comment_reaction_toggle(*, user: User, comment_id: int, reacted: bool | None = None) -> tuple[bool, int]:
    """Likes the comment, or unlikes it if liked (``reacted`` True or False: likes or unlikes, idempotent);
    returns (liked now, likes now)."""
    comment = _comment_to_act_on(user=user, comment_id=comment_id)
    now, changed = _reaction_set(CommentReaction, reacted, comment=comment, user=user)
    if changed:
        signals.comment_reaction_changed.send(CommentReaction, user_id=user.pk, comment_id=comment.pk, reacted=now)
    return now, CommentReaction.objects.filter(comment=comment).count()


# Reposts


@transaction.atomic
def repost_create(*, user: User, post_id: int) -> int:
    """A plain repost (one's own posts too, as on Mastodon); 409 if already reposted. Returns the reposts now."""
    post = _post_to_act_on(user=user, post_id=post_id)
    if not _insert_once(Repost, post=post, user=user):
        raise Conflict("You have already reposted this post.")
    post_counter_add(post.pk, "reposts_count", +1)
    signals.repost_created.send(Repost, user_id=user.pk, post_id=post.pk)
    return post_counter_value(post.pk, "reposts_count")


@transaction.atomic
def repost_quote(*, user: User, post_id: int, content: str) -> Post:
    """A quote: a new post by ``user`` quoting the post, made by ``post_create``."""
    _post_to_act_on(user=user, post_id=post_id)
    return post_create(author=user, content=content, quoted_post_id=post_id)


@transaction.atomic
def repost_delete(*, user: User, post_id: int) -> bool:
    """Removes the user's plain repost of the post, whatever became of the post; False if there was none."""
    if not is_id(post_id):
        return False
    deleted, _ = Repost.objects.filter(post_id=post_id, user=user).delete()
    if deleted:
        post_counter_add(post_id, "reposts_count", -1)
        signals.repost_removed.send(Repost, user_id=user.pk, post_id=post_id)
    return deleted > 0


# Bookmarks


@transaction.atomic
def bookmark_add(*, user: User, post_id: int) -> tuple[bool, int]:
    """Bookmarks the post; returns (added now — False if it was already there, bookmarks of the post now)."""
    post = _post_to_act_on(user=user, post_id=post_id)
    created = _insert_once(Bookmark, post=post, user=user)
    if created:
        post_counter_add(post.pk, "bookmarks_count", +1)
    return created, post_counter_value(post.pk, "bookmarks_count")


@transaction.atomic
def bookmark_remove(*, user: User, post_id: int) -> bool:
    """Removes the bookmark, whatever became of the post; False if there was none."""
    if not is_id(post_id):
        return False
    deleted, _ = Bookmark.objects.filter(post_id=post_id, user=user).delete()
    if deleted:
        post_counter_add(post_id, "bookmarks_count", -1)
    return deleted > 0


# Moderation (called by the moderation services, which check who may act and log it)


@transaction.atomic
def comment_set_hidden(*, comment: Comment, hidden: bool) -> bool:
    """Hides a comment from everyone (a moderator's reversible action), or shows it again.

    Returns whether anything changed; a deleted comment is left alone. The
    conditional UPDATE decides, so of two concurrent identical calls one changes it.
    """
    moment = timezone.now()
    # update() skips auto_now: updated_at is set with the change.
    changed = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True, is_hidden=not hidden).update(
        is_hidden=hidden, updated_at=moment
    )
    if changed:
        comment.is_hidden, comment.updated_at = hidden, moment
        post_counter_add(comment.post_id, "comments_count", -1 if hidden else +1)
        if hidden:
            signals.comment_withdrawn.send(
                Comment, comment_id=comment.pk, post_id=comment.post_id, author_id=comment.author_id, reason="hidden"
            )
        else:
            signals.comment_restored.send(
                Comment, comment_id=comment.pk, post_id=comment.post_id, author_id=comment.author_id
            )
    return bool(changed)


@transaction.atomic
def comment_soft_delete(*, comment: Comment) -> bool:
    """Soft-deletes ``comment``; False if it already was. No permission check: ``comment_delete``
    and the moderation services decide who may.

    Unlike ``comment_delete`` (the API's, which answers 404 for a deleted
    comment), this is idempotent, and the conditional UPDATE decides, so
    concurrent deletes report one change.
    """
    moment = timezone.now()
    alive = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True)
    # Two conditional UPDATEs, so the one that lands says whether the comment was counted
    # (visible) without a read that a concurrent hide could make stale.
    deleted = alive.filter(is_hidden=False).update(deleted_at=moment, updated_at=moment)
    if deleted:
        post_counter_add(comment.post_id, "comments_count", -1)
    else:
        deleted = alive.filter(is_hidden=True).update(deleted_at=moment, updated_at=moment)
    if deleted:
        comment.deleted_at = comment.updated_at = moment
        signals.comment_withdrawn.send(
            Comment, comment_id=comment.pk, post_id=comment.post_id, author_id=comment.author_id, reason="deleted"
        )
    return bool(deleted)
