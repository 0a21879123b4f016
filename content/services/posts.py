"""Writing posts: creating one (with tickers, media, a poll or a quote), deleting and hiding it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User, in_good_standing
from content import signals
from content.calls import call_for_post, call_withdraw, calls_score
from content.cashtags import extract_tickers
from content.counters import post_counter_add
from content.models import MAX_MEDIA_PER_POST, POST_MAX_LENGTH, Media, Post, PostTicker, Sentiment, Ticker
from content.moderation_hooks import content_remove
from content.reference import reference_tickers
from content.services.mentions import post_mentions_write
from content.services.tickers import post_symbols, ticker_counts_add
from core.errors import Invalid
from core.textnorm import text_normalise
from polls.services import poll_clean, poll_create

NO_SUCH_QUOTED_POST = "No such post, or you cannot see it."


def _clean_content(content: Any) -> str:
    # Normalised first, so invisible characters neither pass for text nor count towards the length.
    text = text_normalise(content) if isinstance(content, str) else ""
    if not 1 <= len(text) <= POST_MAX_LENGTH:
        raise Invalid({"content": [f"A post is 1-{POST_MAX_LENGTH} characters (after trimming)."]})
    return text


def _clean_media_ids(media_ids: Sequence[int]) -> list[int]:
    ids = [int(pk) for pk in media_ids]
    if len(ids) > MAX_MEDIA_PER_POST:
        raise Invalid({"media_ids": [f"A post has at most {MAX_MEDIA_PER_POST} images."]})
    if len(set(ids)) != len(ids):
        raise Invalid({"media_ids": ["An image is listed twice."]})
    return ids


def _lock_media(*, author: User, ids: list[int]) -> list[Media]:
    """The author's uploads not yet on a post, locked until the transaction ends, in the given order.

    The lock (and the ``post IS NULL`` re-check PostgreSQL makes after waiting
    for it) means two posts racing for one upload cannot both take it.
    """
    if not ids:
        return []
    found = {
        media.pk: media
        for media in Media.objects.select_for_update().filter(pk__in=ids, owner_id=author.pk, post__isnull=True)
    }
    if len(found) != len(ids):
        raise Invalid({"media_ids": ["Use your own uploads that are not on a post yet."]})
    return [found[pk] for pk in ids]


def _quotable(*, author: User, quoted_post_id: int) -> Post:
    # A post behind a block (either way) is invisible to the author, so it is
    # missing to them, exactly like a deleted one (the contract's rule for blocks).
    quoted = Post.objects.visible_to(author).filter(pk=quoted_post_id).select_related("author").first()
    if quoted is None:
        raise Invalid({"quoted_post_id": [NO_SUCH_QUOTED_POST]})
    return quoted


def ticker_symbols_ensure(symbols: Sequence[str]) -> None:
    """Creates the tickers not seen before: listed and named when on the reference list, else unlisted.

    ``ignore_conflicts`` makes it race-safe: a symbol created concurrently is simply kept.
    """
    names = reference_tickers()
    Ticker.objects.bulk_create(
        [Ticker(symbol=symbol, name=names.get(symbol, ""), is_listed=symbol in names) for symbol in symbols],
        ignore_conflicts=True,
    )


@transaction.atomic
def post_create(
    *,
    author: User,
    content: str,
    sentiment: str | None = None,
    media_ids: Sequence[int] = (),
    poll: dict[str, Any] | None = None,
    quoted_post_id: int | None = None,
) -> Post:
    """Publishes a post by ``author`` and counts it in ``author.posts_count``.

    Checks everything first (400 naming the field: ``content``, ``sentiment``,
    ``media_ids``, ``poll`` with its ``options``/``duration_hours``,
    ``quoted_post_id``; 403 when quoting across a block), then writes the post,
    its tickers (made on first mention, in order of first mention), its mentions
    of users (``content.services.mentions``), its media (in the given order) and
    its poll, all before ``post_published`` is sent.
    """
    text = _clean_content(content)
    if sentiment is not None and sentiment not in Sentiment.values:
        raise Invalid({"sentiment": [f"One of: {', '.join(Sentiment.values)}, or null."]})
    ids = _clean_media_ids(media_ids)
    if poll is not None:
        try:
            poll_clean(options=poll.get("options") or (), duration_hours=poll.get("duration_hours"))
        except Invalid as exc:
            raise Invalid({"poll": exc.errors}) from None
    quoted = _quotable(author=author, quoted_post_id=quoted_post_id) if quoted_post_id is not None else None
    media = _lock_media(author=author, ids=ids)

    new_poll = poll_create(options=poll["options"], duration_hours=poll["duration_hours"]) if poll else None
    post = Post.objects.create(
        author=author,
        content=text,
        sentiment=sentiment,
        quoted_post=quoted,
        poll=new_poll,
        created_at=timezone.now(),
    )
    symbols = extract_tickers(text)
    if symbols:
        ticker_symbols_ensure(symbols)
        PostTicker.objects.bulk_create(
            PostTicker(
                post=post,
                ticker_id=symbol,
                position=position,
                created_at=post.created_at,
                sentiment=post.sentiment,
            )
            for position, symbol in enumerate(symbols)
        )
    post_mentions_write(post)
    call_for_post(post, symbols)
    for position, item in enumerate(media):
        item.post = post
        item.position = position
    if media:
        Media.objects.bulk_update(media, ["post", "position"])
    User.objects.filter(pk=author.pk).update(posts_count=F("posts_count") + 1)
    if quoted is not None:
        post_counter_add(quoted.pk, "quotes_count", +1)
    if symbols:
        ticker_counts_add(symbols, +1)
    signals.post_published.send(Post, post_id=post.pk, author_id=author.pk, quoted_post_id=post.quoted_post_id)
    return post


def _by_visible_author(post_id: int, **conditions: Any) -> bool:
    """Whether the post's author is active and not suspended (and the post meets ``conditions``)."""
    return Post.objects.filter(in_good_standing("author__"), pk=post_id, **conditions).exists()


@transaction.atomic
def post_delete(*, post: Post, actor: User, reason: str = "") -> bool:
    """Deletes ``post``: its author, or a moderator with a ``reason`` (403 for anyone else).

    The author needs no reason and leaves no audit entry. Anyone else goes
    through ``content.moderation_hooks`` (the moderation service: permission,
    reason, audit log, the open reports on the post closed). False when there
    was nothing to do.
    """
    if post.author_id != actor.pk:
        return content_remove(moderator=actor, target=post, reason=reason)
    return post_soft_delete(post=post)


@transaction.atomic
def post_soft_delete(*, post: Post) -> bool:
    """Soft-deletes ``post`` and uncounts it; no permission check (``post_delete`` and the
    moderation services decide who may).

    Idempotent: deleting a deleted post changes nothing and returns False. The
    conditional UPDATE decides, so concurrent deletes count down once.
    """
    moment = timezone.now()
    # update() skips auto_now: updated_at is set with the change.
    deleted = Post.objects.filter(pk=post.pk, deleted_at__isnull=True).update(deleted_at=moment, updated_at=moment)
    if deleted:
        post.updated_at = moment
        User.objects.filter(pk=post.author_id).update(posts_count=F("posts_count") - 1)
        # The row is locked by the UPDATE, so ``is_hidden`` cannot change under us.
        hidden, quoted_post_id = Post.objects.filter(pk=post.pk).values_list("is_hidden", "quoted_post_id").get()
        if not hidden:
            post_counter_add(quoted_post_id, "quotes_count", -1)
        if _by_visible_author(post.pk, is_hidden=False):
            ticker_counts_add(post_symbols(post.pk), -1)
        call_withdraw(post.pk)
        signals.post_withdrawn.send(Post, post_id=post.pk, author_id=post.author_id, reason="deleted")
    return bool(deleted)


@transaction.atomic
def post_set_hidden(*, post: Post, hidden: bool) -> bool:
    """Hides a post from everyone (a moderator's reversible action), or shows it again.

    Returns whether anything changed; a deleted post is left alone. Hidden
    posts answer 404 and leave every list (``Post.objects.visible_to``); the
    author's ``posts_count`` keeps them, their tickers' ``post_count`` does not.
    """
    moment = timezone.now()
    changed = Post.objects.filter(pk=post.pk, deleted_at__isnull=True, is_hidden=not hidden).update(
        is_hidden=hidden, updated_at=moment
    )
    if changed:
        post.is_hidden, post.updated_at = hidden, moment
        post_counter_add(post.quoted_post_id, "quotes_count", -1 if hidden else +1)
        if _by_visible_author(post.pk):
            ticker_counts_add(post_symbols(post.pk), -1 if hidden else +1)
        if hidden:
            call_withdraw(post.pk)
            signals.post_withdrawn.send(Post, post_id=post.pk, author_id=post.author_id, reason="hidden")
        else:
            symbols = (
                PostTicker.objects.filter(post_id=post.pk).order_by("position").values_list("ticker_id", flat=True)
            )
            if call_for_post(post, list(symbols)):
                calls_score(post_ids=[post.pk])
            signals.post_restored.send(Post, post_id=post.pk, author_id=post.author_id)
    return bool(changed)
