"""Posts, the feed, ticker streams and poll votes.

Reads start from ``Post.objects.visible_to``/``for_feed`` and render through
``for_display`` and ``post_serializer_context``, so a page costs the same
handful of queries whatever its size. Writes call ``content.services.posts``
and ``polls.services``. The poll endpoints live here because whether a poll
may be seen comes from its post.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from copy import copy
from datetime import datetime
from typing import Any

from django.db.models import F
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import signed_in
from accounts.models import User
from content.api.filters import PostFilter
from content.api.serializers import PostCreateSerializer, PostSerializer, post_serializer_context
from content.models import Post, Ticker
from content.querysets import FeedEntry, following_feed
from content.services.posts import post_create, post_delete
from content.services.watchlist import symbol_normalise
from core.pagination import CursorPagination, parse_limit
from core.schema import problems
from polls.api.serializers import PollSerializer, PollVoteSerializer
from polls.models import Poll
from polls.services import poll_vote

# Ids beyond a bigint are nobody's; asking the database would be an error, not a 404.
MAX_ID = 2**63 - 1
NO_SUCH_POST = "No such post."
NO_SUCH_POLL = "No such poll."
FEED_SCOPES = ("all", "following")
# PostTicker's copy of the post time, then the post id: the (ticker, -created_at, -post) index order.
TICKER_ORDERING = ("-tagged_at", "-id")

# The feed pages by hand (two scopes, two keys), so its page shape is spelled out for the schema.
PostPage = inline_serializer(
    name="PostPage",
    fields={
        "results": PostSerializer(many=True),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
    },
)

POST_ID = OpenApiParameter("post_id", int, OpenApiParameter.PATH, description="The post's id.")
POLL_ID = OpenApiParameter("poll_id", int, OpenApiParameter.PATH, description="The poll's id.")

# Deleting someone else's post or comment (``DELETE posts/{id}``, ``DELETE comments/{id}``).
REMOVAL_RULE = (
    "Someone else's: moderators only (staff with the moderation permission; 403 for anyone else), with a "
    "`reason` (400 naming it when missing), written to the moderation audit log; the open reports on it "
    "are resolved."
)
REMOVAL_REASON = OpenApiParameter(
    "reason",
    str,
    description=(
        "Why a moderator removes someone else's content (kept in the audit log). "
        "Also accepted as `reason` in a JSON body. Not needed for your own."
    ),
)


def removal_reason(request: Request) -> str:
    """A moderator's ``reason``: from the JSON body, else ``?reason=`` (some clients cannot send a DELETE body).

    Empty when absent; the moderation service decides whether one is needed and valid.
    """
    body = request.data
    reason = body.get("reason") if isinstance(body, Mapping) else None
    if reason is None:
        reason = request.query_params.get("reason", "")
    if not isinstance(reason, str):
        raise ValidationError({"reason": ["Must be a string."]})
    return reason


def render_posts(request: Request, posts: Sequence[Post]) -> Any:
    """A page of posts loaded through ``for_display``, as the API shows them (one query for viewer flags)."""
    return PostSerializer(posts, many=True, context=post_serializer_context(request, posts)).data


def _visible_post(request: Request, post_id: int) -> Post:
    post = Post.objects.visible_to(request.user).filter(pk=post_id).first() if 0 < post_id <= MAX_ID else None
    if post is None:
        raise NotFound(NO_SUCH_POST)
    return post


def _displayed(request: Request, post_id: int) -> dict[str, Any]:
    post = Post.objects.visible_to(request.user).for_display(request.user).get(pk=post_id)
    return render_posts(request, [post])[0]


class PostListView(GenericAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_scope = "posts"
    serializer_class = PostSerializer
    filterset_class = PostFilter
    pagination_class = CursorPagination

    @property
    def ordering(self) -> tuple[str, ...]:
        # Filtered by ticker, the page is read in the ticker stream's index order (the same order).
        return TICKER_ORDERING if self.request.query_params.get("ticker") else ("-created_at", "-id")

    def get_queryset(self) -> Any:
        return Post.objects.visible_to(self.request.user).for_display(self.request.user)

    @extend_schema(
        summary="Posts, newest first",
        description=(
            "Every post you may see (deleted, hidden and blocked-either-way posts never show; "
            "muted authors do: filter them in the feed). Filter by `author` (a user id) and `ticker`."
        ),
        responses={200: PostSerializer(many=True), **problems(400)},
    )
    def get(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset) or []
        return self.get_paginated_response(render_posts(request, page))

    @extend_schema(
        summary="Publish a post",
        description=(
            "Cashtags (`$AAPL`, `#aapl`, `$BRK.B`) in the content tag tickers, in order of first mention "
            "(at most 10); unknown symbols are created. `media_ids` are your own uploads not yet on a post. "
            "`quoted_post_id` makes it a quote: 400 naming it when that post does not exist or you cannot "
            "see it (deleted, hidden, or you and its author blocked one another)."
        ),
        request=PostCreateSerializer,
        responses={201: PostSerializer, **problems(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        serializer = PostCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        post = post_create(
            author=signed_in(request),
            content=data["content"],
            sentiment=data.get("sentiment"),
            media_ids=data.get("media_ids") or (),
            poll=data.get("poll"),
            quoted_post_id=data.get("quoted_post_id"),
        )
        return Response(_displayed(request, post.pk), status=status.HTTP_201_CREATED)


class PostDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        summary="A post",
        description="404 when it does not exist, was deleted or hidden, or a block stands between you and its author.",
        parameters=[POST_ID],
        responses={200: PostSerializer, **problems(404)},
    )
    def get(self, request: Request, post_id: int) -> Response:
        post = _visible_post(request, post_id)
        return Response(_displayed(request, post.pk))

    @extend_schema(
        summary="Delete a post",
        description=(
            "By its author: a soft delete, the post leaves every list and answers 404 from then on. "
            f"{REMOVAL_RULE} 404 when it is not visible to you."
        ),
        parameters=[POST_ID, REMOVAL_REASON],
        responses={204: None, **problems(400, 401, 403, 404)},
    )
    def delete(self, request: Request, post_id: int) -> Response:
        post = _visible_post(request, post_id)
        post_delete(post=post, actor=signed_in(request), reason=removal_reason(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeedPagination(CursorPagination):
    """Keyset pages of the following feed, on the (sort_time, kind, item_id) key of each entry."""

    ordering = ("-sort_time", "-kind", "-item_id")

    def paginate_feed(self, request: Request, viewer: User) -> list[FeedEntry]:
        self.request = request
        self.ordering_fields = self.ordering
        self.limit = parse_limit(request)
        cursor = self.decode_cursor(request)
        forward = cursor is None or cursor[0]
        values = None if cursor is None else cursor[1]
        if values is not None and not (
            isinstance(values[0], datetime) and isinstance(values[1], int) and isinstance(values[2], int)
        ):
            raise ValidationError({"cursor": ["Invalid cursor."]})
        entries = following_feed(viewer, cursor=values, forward=forward, limit=self.limit + 1)
        has_more = len(entries) > self.limit
        entries = entries[: self.limit]
        if not forward:
            entries.reverse()
        self.next_cursor = None
        self.previous_cursor = None
        if entries:
            if has_more if forward else True:
                self.next_cursor = self.encode_cursor(entries[-1], forward=True)
            if (cursor is not None) if forward else has_more:
                self.previous_cursor = self.encode_cursor(entries[0], forward=False)
        return entries


class FeedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Your feed, newest first",
        description=(
            "`scope=all` (default): every post you may see, minus muted authors. "
            "`scope=following`: your own posts, the posts of the people you follow, and their plain "
            "reposts, shown as the reposted post with `reposted_by` set. A post reposted by several "
            "people you follow appears once per repost (each is its own event); a post you also see "
            "as written appears both as written and as reposted. Never posts by muted or blocked users, "
            "nor users who blocked you. Pages are keyset pages: new posts arriving while you page never "
            "make an item repeat or go missing."
        ),
        parameters=[
            OpenApiParameter("scope", str, enum=list(FEED_SCOPES), description="Which feed (default `all`)."),
            OpenApiParameter("limit", int, description="Page size, 1-100 (default 20)."),
            OpenApiParameter("cursor", str, description="Opaque cursor taken from `next` or `previous`."),
        ],
        responses={200: PostPage, **problems(400, 401)},
    )
    def get(self, request: Request) -> Response:
        viewer = signed_in(request)
        scope = request.query_params.get("scope") or "all"
        if scope not in FEED_SCOPES:
            raise ValidationError({"scope": [f"One of: {', '.join(FEED_SCOPES)}."]})
        if scope == "all":
            paginator: CursorPagination = CursorPagination()
            page = paginator.paginate_queryset(Post.objects.for_feed(viewer).for_display(viewer), request, view=self)
            return paginator.get_paginated_response(render_posts(request, page))
        feed = FeedPagination()
        entries = feed.paginate_feed(request, viewer)
        loaded = Post.objects.for_display(viewer).in_bulk({entry.post_id for entry in entries})
        posts = []
        for entry in entries:
            post = copy(loaded[entry.post_id])
            post.reposted_by = entry.reposted_by  # type: ignore[attr-defined]
            posts.append(post)
        return feed.get_paginated_response(render_posts(request, posts))


class TickerPostsView(GenericAPIView):
    permission_classes = [AllowAny]
    queryset = Post.objects.none()  # for the schema; `get` builds the real one
    serializer_class = PostSerializer
    pagination_class = CursorPagination
    ordering = TICKER_ORDERING

    @extend_schema(
        summary="Posts mentioning a ticker, newest first",
        description=(
            "The symbol ignores case and a leading `$` or `#`; 404 for an unknown or malformed symbol. "
            "Feed rules: no deleted, hidden or blocked-either-way posts, and no muted authors."
        ),
        parameters=[OpenApiParameter("symbol", str, OpenApiParameter.PATH, description="E.g. `AAPL` or `BRK.B`.")],
        responses={200: PostSerializer(many=True), **problems(400, 404)},
    )
    def get(self, request: Request, symbol: str) -> Response:
        normalised = symbol_normalise(symbol)
        if normalised is None or not Ticker.objects.filter(pk=normalised).exists():
            raise NotFound("No such ticker.")
        queryset = (
            Post.objects.for_feed(request.user)
            .filter(post_tickers__ticker_id=normalised)
            .annotate(tagged_at=F("post_tickers__created_at"))
            .for_display(request.user)
        )
        page = self.paginate_queryset(queryset) or []
        return self.get_paginated_response(render_posts(request, page))


def _visible_poll(request: Request, poll_id: int) -> Poll:
    visible = 0 < poll_id <= MAX_ID and Post.objects.visible_to(request.user).filter(poll_id=poll_id).exists()
    poll = Poll.objects.with_results(request.user).filter(pk=poll_id).first() if visible else None
    if poll is None:
        raise NotFound(NO_SUCH_POLL)
    return poll


class PollVoteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Vote in a poll",
        description=(
            "One vote per user, final. 409 when you already voted or the poll has closed; 400 naming "
            "`option_id` when it is not one of this poll's options; 404 when you cannot see the poll's post."
        ),
        parameters=[POLL_ID],
        request=PollVoteSerializer,
        responses={201: PollSerializer, **problems(400, 401, 404, 409)},
    )
    def post(self, request: Request, poll_id: int) -> Response:
        voter = signed_in(request)
        poll = _visible_poll(request, poll_id)
        serializer = PollVoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        poll_vote(poll=poll, option_id=serializer.validated_data["option_id"], user=voter)
        results = Poll.objects.with_results(voter).get(pk=poll.pk)
        return Response(PollSerializer(results).data, status=status.HTTP_201_CREATED)


class PollResultsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A poll's results",
        description="Votes per option; `viewer_vote` is your option (null when anonymous or not voted).",
        parameters=[POLL_ID],
        responses={200: PollSerializer, **problems(404)},
    )
    def get(self, request: Request, poll_id: int) -> Response:
        return Response(PollSerializer(_visible_poll(request, poll_id)).data)


urlpatterns = [
    path("posts", PostListView.as_view(), name="post-list"),
    path("posts/<int:post_id>", PostDetailView.as_view(), name="post-detail"),
    path("feed", FeedView.as_view(), name="feed"),
    path("tickers/<str:symbol>/posts", TickerPostsView.as_view(), name="ticker-posts"),
    path("polls/<int:poll_id>/votes", PollVoteView.as_view(), name="poll-vote"),
    path("polls/<int:poll_id>/results", PollResultsView.as_view(), name="poll-results"),
]
