"""Posts and notification groups as the streams send them: exactly what the REST API shows the viewer.

A post event reaches every socket that may show it, often hundreds in one process. Rendering it
per socket (``for_display`` and the serializer: ~9 queries each) made the last of 1,000 sockets
wait ~25 s. So the part that is the same for everyone is rendered once per event per process
(``PostRenderCache``, for a few seconds, keyed by post, repost and URL base) as an anonymous
viewer sees it, and each socket adds its viewer's part with two queries (``viewer_overlay``):

- whether the viewer's feed shows it: ``Post.objects.for_feed(viewer)``, the feed's own rule (and
  for a repost ``content.querysets.reposts_for_feed``), so muted, blocked, hidden and deleted
  are decided where the REST feed decides them;
- whether the quoted post is visible to the viewer (else ``quoted_post`` is null, as in the feed),
  the viewer's poll votes (``viewer_vote``) and the viewer flags (``post_viewer_flags``).

``streaming/tests/test_rendering.py`` checks the result equals ``GET feed`` for the same viewer.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest

from content.api.serializers.posts import PostSerializer
from content.models import Post, Repost
from content.querysets import post_viewer_flags, reposts_for_feed
from core.compiled import CompiledQuery
from polls.models import PollVote

# Seconds a rendered post is reused: long enough for one event's delivery to every socket of
# the process, short enough that counts shown with it are fresh.
RENDER_TTL = 5.0


class ScopeRequest(HttpRequest):
    """A WebSocket's scope as the request the serializers take: absolute media and picture URLs are
    built from its Host header and scheme exactly as for an HTTP request (``ws``/``wss`` count as
    ``http``/``https``; ``X-Forwarded-Proto`` as ``SECURE_PROXY_SSL_HEADER`` says)."""

    def __init__(self, scope: dict[str, Any], user: Any = None) -> None:
        super().__init__()
        self._scope_scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
        self.path = scope.get("path", "")
        self.user = user
        server = scope.get("server") or ("localhost", 80)
        self.META["SERVER_NAME"] = str(server[0])
        self.META["SERVER_PORT"] = str(server[1] if server[1] is not None else "")
        for name, value in scope.get("headers", []):
            key = name.decode("latin-1").upper().replace("-", "_")
            self.META[f"HTTP_{key}"] = value.decode("latin-1")

    def _get_scheme(self) -> str:
        return self._scope_scheme

    def base_url(self) -> str:
        return f"{self.scheme}://{self.get_host()}"


def render_post(post_id: int, repost_id: int | None, request: ScopeRequest) -> dict[str, Any] | None:
    """The post (with ``reposted_by`` for a repost) as an anonymous reader of the feed sees it;
    None when nobody may see it (or the repost is gone)."""
    post = Post.objects.visible_to(None).for_display(None).filter(pk=post_id).first()
    if post is None:
        return None
    if repost_id is not None:
        repost = Repost.objects.select_related("user").filter(pk=repost_id, post_id=post_id).first()
        if repost is None:
            return None
        post.reposted_by = repost.user  # type: ignore[attr-defined]
    else:
        post.reposted_by = None  # type: ignore[attr-defined]
    data = PostSerializer(post, context={"request": request, "post_flags": {}}).data
    return _plain(data)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class Overlay:
    """What one viewer sees differently from an anonymous reader."""

    quoted_shown: bool
    poll_vote: int | None
    quoted_poll_vote: int | None
    flags: dict[int, dict[str, bool]]


def _shown(viewer: Any, post_id: int, repost_id: int | None) -> Any:
    """The post if the viewer's feed shows it, with the quoted post's visibility and the viewer's votes."""
    votes = PollVote.objects.filter(user_id=viewer.pk)
    shown = (
        Post.objects.for_feed(viewer)
        .filter(pk=post_id)
        .annotate(
            quoted_shown=Exists(Post.objects.visible_to(viewer).filter(pk=OuterRef("quoted_post_id"))),
            poll_vote=Subquery(votes.filter(poll_id=OuterRef("poll_id")).values("option_id")[:1]),
            quoted_poll_vote=Subquery(votes.filter(poll_id=OuterRef("quoted_post__poll_id")).values("option_id")[:1]),
        )
    )
    if repost_id is not None:
        shown = shown.filter(Exists(reposts_for_feed(viewer).filter(pk=repost_id, post_id=OuterRef("pk"))))
    return shown.order_by().values("quoted_post_id", "quoted_shown", "poll_vote", "quoted_poll_vote")[:1]


# Building these querysets with the feed's nested ``Exists`` costs ~10 ms of Python per viewer and
# running them ~0.2 ms: so they are compiled once per shape and process (``core.compiled``), and
# each socket runs the same SQL with its own viewer. The rules stay in the feed's querysets.
_shown_compiled = CompiledQuery(_shown)


def viewer_overlay(viewer: Any, *, post_id: int, repost_id: int | None) -> Overlay | None:
    """The viewer's part of the post, or None when the viewer's feed does not show it: two
    compiled queries (this one, and the viewer flags through ``post_viewer_flags``)."""
    rows = _shown_compiled(viewer=viewer, post_id=post_id, repost_id=repost_id)
    if not rows:
        return None
    quoted_post_id, quoted_shown, poll_vote, quoted_poll_vote = rows[0].values()
    flags = post_viewer_flags(viewer, [post_id] if quoted_post_id is None else [post_id, quoted_post_id])
    return Overlay(bool(quoted_shown), poll_vote, quoted_poll_vote, flags)


@dataclass
class _Asked:
    viewer: Any
    post_id: int
    repost_id: int | None
    answer: asyncio.Future[Overlay | None]


class OverlayBatches:
    """``viewer_overlay`` for many sockets of a process in one trip to the database thread.

    Every consumer's queries run on the process's one thread for sync code; one trip per socket
    cost a thread hop and connection check each. Here the askers queue up while a trip runs, and
    the next trip takes all of them: a batch as large as the load makes it, with no timer.
    """

    def __init__(self) -> None:
        self._waiting: dict[asyncio.AbstractEventLoop, list[_Asked]] = {}
        self._driving: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}

    async def get(self, viewer: Any, *, post_id: int, repost_id: int | None) -> Overlay | None:
        loop = asyncio.get_running_loop()
        asked = _Asked(viewer, post_id, repost_id, loop.create_future())
        self._waiting.setdefault(loop, []).append(asked)
        if loop not in self._driving:
            self._driving[loop] = loop.create_task(self._drive(loop))
        return await asked.answer

    async def _drive(self, loop: asyncio.AbstractEventLoop) -> None:
        from channels.db import database_sync_to_async

        try:
            while self._waiting.get(loop):
                batch = self._waiting.pop(loop)
                try:
                    results = await database_sync_to_async(_overlays)(batch)
                except Exception as exc:
                    for each in batch:
                        if not each.answer.done():
                            each.answer.set_exception(exc)
                    continue
                for each, result in zip(batch, results, strict=True):
                    if not each.answer.done():
                        each.answer.set_result(result)
        finally:
            self._driving.pop(loop, None)


def _overlays(batch: list[_Asked]) -> list[Overlay | None]:
    return [viewer_overlay(each.viewer, post_id=each.post_id, repost_id=each.repost_id) for each in batch]


overlays = OverlayBatches()


def _with_viewer(post: dict[str, Any], flags: dict[int, dict[str, bool]], vote: int | None) -> dict[str, Any]:
    shown = {**post, "viewer": dict(flags[int(post["id"])])}
    if post.get("poll") is not None:
        shown["poll"] = {**post["poll"], "viewer_vote": None if vote is None else str(vote)}
    return shown


def apply_overlay(base: dict[str, Any], overlay: Overlay) -> dict[str, Any]:
    """``base`` (``render_post``) as the viewer of ``overlay`` sees it; ``base`` is left as it was."""
    post = _with_viewer(base, overlay.flags, overlay.poll_vote)
    quoted = base.get("quoted_post")
    if quoted is not None:
        post["quoted_post"] = (
            _with_viewer(quoted, overlay.flags, overlay.quoted_poll_vote) if overlay.quoted_shown else None
        )
    return post


class PostRenderCache:
    """``render_post`` once per (post, repost, URL base) per process, shared by every socket that
    asks within ``RENDER_TTL`` seconds; concurrent askers await the same render."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, int | None, str, int], tuple[float, asyncio.Future[Any]]] = {}

    def clear(self) -> None:
        self._entries.clear()

    async def get(self, post_id: int, repost_id: int | None, request: ScopeRequest) -> dict[str, Any] | None:
        from channels.db import database_sync_to_async

        loop = asyncio.get_running_loop()
        now = time.monotonic()
        key = (post_id, repost_id, request.base_url(), id(loop))
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return await asyncio.shield(entry[1])
        self._prune(now)
        future: asyncio.Future[Any] = loop.create_future()
        self._entries[key] = (now + RENDER_TTL, future)
        try:
            result = await database_sync_to_async(render_post)(post_id, repost_id, request)
        except BaseException as exc:
            del self._entries[key]
            future.set_exception(exc)
            future.exception()  # retrieved: the askers waiting get it, nobody else logs it
            raise
        future.set_result(result)
        return result

    def _prune(self, now: float) -> None:
        for key in [key for key, (expires, _) in self._entries.items() if expires <= now]:
            del self._entries[key]


post_renders = PostRenderCache()
