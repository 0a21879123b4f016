"""Posts: the list (with its filters), publishing, one post, deleting it; and a ticker's stream of posts.

Reads start from ``Post.objects.visible_to``/``for_feed`` for the page's ids and render through
``content.api.rendering.render_posts``, so a page costs the same handful of queries whatever
its size. Writes call ``content.services.posts``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import F
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.api.permissions import signed_in
from content.api.filters import PostFilter
from content.api.rendering import render_posts
from content.api.schema import POST_ID, REMOVAL_REASON, REMOVAL_RULE, SYMBOL
from content.api.serializers.posts import PostCreateSerializer, PostSerializer
from content.models import Post, Ticker
from content.querysets import PostQuerySet
from content.services.posts import post_create, post_delete
from content.services.watchlist import symbol_normalise
from core.errors import Invalid, NotFound
from core.schema import problems

NO_SUCH_POST = "No such post."
# PostTicker's copy of the post time, then the post id: the (ticker, -created_at, -post) index order.
TICKER_ORDERING = ("-tagged_at", "-id")


def removal_reason(request: Request) -> str:
    """A moderator's ``reason``: from the JSON body, else ``?reason=`` (some clients cannot send a DELETE body).

    Empty when absent; the moderation service decides whether one is needed and valid.
    """
    body = request.data
    reason = body.get("reason") if isinstance(body, Mapping) else None
    if reason is None:
        reason = request.query_params.get("reason", "")
    if not isinstance(reason, str):
        raise Invalid({"reason": "Must be a string."})
    return reason


@extend_schema_view(
    list=extend_schema(
        summary="Posts, newest first",
        description=(
            "Every post you may see (deleted, hidden and blocked-either-way posts never show; "
            "muted authors do: filter them in the feed). Filter by `author` (a user id) and `ticker`."
        ),
        responses={200: PostSerializer(many=True), **problems(400)},
    ),
    create=extend_schema(
        summary="Publish a post",
        description=(
            "Cashtags (`$AAPL`, `#aapl`, `$BRK.B`) in the content tag tickers, in order of first mention "
            "(at most 10); unknown symbols are created. `media_ids` are your own uploads not yet on a post. "
            "`quoted_post_id` makes it a quote: 400 naming it when that post does not exist or you cannot "
            "see it (deleted, hidden, or you and its author blocked one another)."
        ),
        request=PostCreateSerializer,
        responses={201: PostSerializer, **problems(400, 401, 429)},
    ),
    retrieve=extend_schema(
        summary="A post",
        description="404 when it does not exist, was deleted or hidden, or a block stands between you and its author.",
        parameters=[POST_ID],
        responses={200: PostSerializer, **problems(404)},
    ),
    destroy=extend_schema(
        summary="Delete a post",
        description=(
            "By its author: a soft delete, the post leaves every list and answers 404 from then on. "
            f"{REMOVAL_RULE} 404 when it is not visible to you."
        ),
        parameters=[POST_ID, REMOVAL_REASON],
        responses={204: None, **problems(400, 401, 403, 404)},
    ),
)
class PostViewSet(GenericViewSet):
    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = PostSerializer
    filterset_class = PostFilter
    lookup_url_kwarg = "post_id"
    lookup_value_converter = "id"

    @property
    def throttle_scope(self) -> str:
        # Publishing is rate limited (``RATE_LIMITS["posts"]``); deleting is not.
        return "posts" if self.action == "create" else ""

    @property
    def ordering(self) -> tuple[str, ...]:
        # Filtered by ticker, the page is read in the ticker stream's index order (the same order).
        return TICKER_ORDERING if self.request.query_params.get("ticker") else ("-created_at", "-id")

    def get_queryset(self) -> PostQuerySet:
        return Post.objects.visible_to(self.request.user)

    def get_object(self) -> Post:
        # Not ``filter_queryset``: the list's filters are no business of a single post.
        post = self.get_queryset().filter(pk=self.kwargs[self.lookup_url_kwarg]).first()
        if post is None:
            raise NotFound(NO_SUCH_POST)
        return post

    def list(self, request: Request) -> Response:
        # Only the ids and sort keys: render_posts reads the rest.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).only("id", "created_at")) or []
        return self.get_paginated_response(render_posts(request, page))

    def create(self, request: Request) -> Response:
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
        return Response(render_posts(request, [post])[0], status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, post_id: int) -> Response:
        return Response(render_posts(request, [self.get_object()])[0])

    def destroy(self, request: Request, post_id: int) -> Response:
        post = self.get_object()
        post_delete(post=post, actor=signed_in(request), reason=removal_reason(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Posts mentioning a ticker, newest first",
        description=(
            "The symbol ignores case and a leading `$` or `#`; 404 for an unknown or malformed symbol. "
            "Feed rules: no deleted, hidden or blocked-either-way posts, and no muted authors."
        ),
        parameters=[SYMBOL],
        responses={200: PostSerializer(many=True), **problems(400, 404)},
    ),
)
class TickerPostViewSet(GenericViewSet):
    permission_classes = [AllowAny]
    public_cache_seconds = {"list": 60}  # core.http_cache: anonymous answers only
    serializer_class = PostSerializer
    ordering = TICKER_ORDERING

    def get_queryset(self) -> PostQuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator, without a symbol
            return Post.objects.none()
        symbol = symbol_normalise(self.kwargs["symbol"])
        if symbol is None or not Ticker.objects.filter(pk=symbol).exists():
            raise NotFound("No such ticker.")
        viewer = self.request.user
        return (
            Post.objects.for_feed(viewer)
            .filter(post_tickers__ticker_id=symbol)
            .annotate(tagged_at=F("post_tickers__created_at"))
        )

    def list(self, request: Request, symbol: str) -> Response:
        page = self.paginate_queryset(self.get_queryset().only("id")) or []
        return self.get_paginated_response(render_posts(request, page))
