"""GET feed: the signed-in user's feed, read by ``content.feed.feed_page``."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.api.permissions import signed_in
from content.api.rendering import render_posts
from content.api.schema import FEED_SCOPE
from content.api.serializers.posts import PostSerializer
from content.feed import FEED_ALL, feed_page
from content.models import Post
from core.pagination import CursorPagination, parse_limit
from core.schema import problems


@extend_schema_view(
    list=extend_schema(
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
        parameters=[FEED_SCOPE],
        responses={200: PostSerializer(many=True), **problems(400, 401)},
    ),
)
class FeedViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = PostSerializer
    pagination_class = CursorPagination
    queryset = Post.objects.none()  # the schema's model; ``feed_page`` reads the posts

    def list(self, request: Request) -> Response:
        page = feed_page(
            signed_in(request),
            scope=request.query_params.get("scope") or FEED_ALL,
            cursor=request.query_params.get("cursor"),
            limit=parse_limit(request),
        )
        posts: list[Any] = cast(CursorPagination, self.paginator).paginate_page(page, request)
        return self.get_paginated_response(render_posts(request, posts))
