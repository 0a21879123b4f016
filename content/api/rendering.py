"""Pages of posts as the REST API shows them: a cached body per post version, plus the viewer's state.

A post's JSON has two parts:

- its **body** (``PostBodySerializer``: id, author, content, tickers, media, sentiment, times) is
  the same for every viewer and changes only when the post or its author is saved, which moves
  their ``updated_at``. It is rendered once and cached under the post's id and both
  ``updated_at`` (and the URL base its absolute URLs were built on), so a change is a new key and
  no service has to delete anything; entries expire after ``BODY_TTL``.
- its **state** (``content.querysets.post_states``: visibility to the viewer, the counters, the
  mentions, the poll's results and the viewer's vote, the viewer flags) changes all the time or
  per viewer. It is read for the whole page, and the posts the page quotes, in one compiled query.

So a page is one query for its states and one cache read for its bodies; only the bodies missing
from the cache cost a query and a serializer run. The result equals ``PostSerializer`` over
``Post.objects.for_display(viewer)`` (``content/tests/test_rendering.py`` checks it field by field),
which still declares the fields for the schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.cache import cache

from accounts.api.serializers import AuthorSerializer
from content.api.serializers.calls import call_from_state
from content.api.serializers.mentions import mention_list
from content.api.serializers.posts import PostBodySerializer, PostSerializer, PostStatsSerializer, QuotedPostSerializer
from content.models import Call, Post
from content.querysets import VIEWER_FLAGS, FeedEntry, post_states
from polls.api.serializers import PollSerializer
from polls.models import Poll

# Bodies are keyed by version, so this only bounds how long an unread one occupies the cache.
BODY_TTL = 24 * 3600
# Part of every body's key: change it when PostBodySerializer's output changes shape.
BODY_FORMAT = 1
# The stats object's names and the counter each one shows, as PostStatsSerializer declares them.
STATS = tuple((name, str(field.source)) for name, field in PostStatsSerializer().fields.items())


def render_posts(request: Any, posts: Sequence[Post | FeedEntry | Call]) -> list[dict[str, Any]]:
    """The posts (``Post`` rows or their ``Call`` rows, of which only the id is read, or following-feed
    entries with their ``reposted_by``) as ``PostSerializer`` shows them to ``request.user``, in order.

    A post the viewer may no longer see (deleted, hidden or blocked since the page was read) is
    left out; a quoted post the viewer may not see is null.
    """
    ids = [post.pk for post in posts]
    states = post_states(request.user, ids)
    bodies = post_bodies(request, states.values())
    # One instance each for the page: a serializer's fields are deep-copied per instance.
    authors, polls = AuthorSerializer(context={"request": request}), PollSerializer()
    shown = []
    for post, post_id in zip(posts, ids, strict=True):
        state = states.get(post_id)
        if state is None or post_id not in bodies:
            continue
        quoted_id = state["quoted_post_id"]
        quoted = states.get(quoted_id) if quoted_id is not None else None
        reposted_by = getattr(post, "reposted_by", None)
        data = _with_state(bodies[post_id], state, polls)
        data["quoted_post"] = (
            _order(_with_state(bodies[quoted_id], quoted, polls), QuotedPostSerializer.Meta.fields)
            if quoted is not None and quoted_id in bodies
            else None
        )
        data["reposted_by"] = authors.to_representation(reposted_by) if reposted_by is not None else None
        shown.append(_order(data, PostSerializer.Meta.fields))
    return shown


def post_bodies(request: Any, states: Iterable[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """``{post_id: body}`` for the posts whose ``post_states`` are given: from the cache, and the
    missing ones rendered in one query and cached."""
    base = request.build_absolute_uri("/")
    keys = {
        _body_key(state["id"], state["updated_at"], state["author_id"], state["author__updated_at"], base): state["id"]
        for state in states
    }
    if not keys:
        return {}
    bodies = {keys[key]: body for key, body in cache.get_many(list(keys)).items()}
    missing = [post_id for post_id in keys.values() if post_id not in bodies]
    if missing:
        posts = list(Post.objects.filter(pk__in=missing).with_bodies())
        rendered = PostBodySerializer(posts, many=True, context={"request": request}).data
        fresh = {post.pk: dict(body) for post, body in zip(posts, rendered, strict=True)}
        # Each under the version it was rendered from: a post saved since its state was read is
        # shown as saved, and cached under its new version.
        cache.set_many(
            {
                _body_key(post.pk, post.updated_at, post.author_id, post.author.updated_at, base): fresh[post.pk]
                for post in posts
            },
            timeout=BODY_TTL,
        )
        bodies.update(fresh)
    return bodies


def _body_key(post_id: int, updated_at: datetime, author_id: int, author_updated_at: datetime, base: str) -> str:
    return (
        f"post-body:{BODY_FORMAT}:{post_id}:{updated_at.timestamp()}:{author_id}:{author_updated_at.timestamp()}:{base}"
    )


def _with_state(body: dict[str, Any], state: dict[str, Any], polls: PollSerializer) -> dict[str, Any]:
    data = dict(body)
    data["mentions"] = mention_list(state["mentioned_users"])
    data["poll"] = _poll(state, polls)
    data["call"] = call_from_state(state)
    data["stats"] = {name: state[source] for name, source in STATS}
    data["viewer"] = {flag: bool(state[flag]) for flag in VIEWER_FLAGS}
    return data


def _poll(state: dict[str, Any], polls: PollSerializer) -> Any:
    if state["poll_id"] is None:
        return None
    poll = Poll(id=state["poll_id"], expires_at=state["poll__expires_at"])
    poll.option_rows = state["poll_options"]  # type: ignore[attr-defined]
    poll.viewer_vote_id = state["poll_vote"]  # type: ignore[attr-defined]
    return polls.to_representation(poll)


def _order(data: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {name: data[name] for name in fields}
