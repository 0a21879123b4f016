"""Bookmarks: your list (``bookmarks``), and bookmarking a post (``posts/{id}/bookmarks``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ViewSet

from accounts.api.permissions import signed_in
from content.api.rendering import render_posts
from content.api.schema import BLOCK_RULE, POST_ID
from content.api.serializers.bookmarks import BookmarkResultSerializer
from content.api.serializers.posts import PostSerializer
from content.models import Bookmark, Post
from content.querysets_bookmarks import bookmarks_of
from content.services.interactions import bookmark_add, bookmark_remove
from core.pagination import CursorPagination
from core.schema import problems


class BookmarkViewSet(GenericViewSet):
    """``bookmarks``: the posts you bookmarked."""

    permission_classes = [IsAuthenticated]
    pagination_class = CursorPagination
    serializer_class = PostSerializer
    queryset = Bookmark.objects.none()  # for the schema; `list` builds the real one
    # The bookmark's, not the post's: newest bookmark first.
    ordering = ("-created_at", "-id")

    @extend_schema(
        summary="Your bookmarks",
        description=(
            "The posts you bookmarked, most recently bookmarked first. Posts since deleted, hidden, or by a "
            "user blocked either way are left out (the bookmark is kept and shows again if the post does)."
        ),
        responses={200: PostSerializer(many=True), **problems(400, 401)},
    )
    def list(self, request: Request) -> Response:
        user = signed_in(request)
        bookmarks = self.paginate_queryset(bookmarks_of(user)) or []
        # A post hidden between the two reads is simply skipped.
        posts = [Post(pk=bookmark.post_id) for bookmark in bookmarks]
        return self.get_paginated_response(render_posts(request, posts))


@extend_schema(parameters=[POST_ID])
class PostBookmarkViewSet(ViewSet):
    """``posts/{post_id}/bookmarks``: private to you, so without a write budget."""

    permission_classes = [IsAuthenticated]
    lookup_url_kwarg = "post_id"
    lookup_value_converter = "id"

    @extend_schema(
        summary="Bookmark a post",
        description=f"201 when added, 200 when it was already bookmarked. {BLOCK_RULE}",
        request=None,
        responses={
            201: OpenApiResponse(BookmarkResultSerializer, description="Added."),
            200: OpenApiResponse(BookmarkResultSerializer, description="Already bookmarked."),
            **problems(401, 404),
        },
    )
    @action(detail=True, methods=["post"], url_path="bookmarks")
    def bookmark(self, request: Request, post_id: int) -> Response:
        created, count = bookmark_add(user=signed_in(request), post_id=post_id)
        return Response(
            BookmarkResultSerializer({"bookmarked": True, "count": count}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @bookmark.mapping.delete
    @extend_schema(
        summary="Remove a bookmark",
        description=(
            "Idempotent: 204 whether or not it was bookmarked, and also when the post has since been "
            "deleted, hidden or blocked."
        ),
        responses={204: None, **problems(401)},
    )
    def unbookmark(self, request: Request, post_id: int) -> Response:
        bookmark_remove(user=signed_in(request), post_id=post_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
