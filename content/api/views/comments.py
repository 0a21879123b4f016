"""Comments: a post's comments (``posts/{id}/comments``) and one comment (``comments/{id}``).

Writes call ``content.services.interactions``; the list is keyset-paginated and
renders a page in a fixed number of queries. Likes on comments are in
``reactions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ViewSet

from accounts.api.permissions import signed_in
from content.api.schema import BLOCK_RULE, COMMENT_ID, POST_ID, REMOVAL_REASON, REMOVAL_RULE
from content.api.serializers.comments import CommentCreateSerializer, CommentSerializer
from content.api.views.posts import removal_reason
from content.models import Comment, Post
from content.querysets_comments import comment_viewer_flags
from content.services.interactions import NO_SUCH_POST, comment_create, comment_delete
from core.errors import NotFound
from core.pagination import CursorPagination
from core.schema import problems


def render_comments(request: Request, comments: Sequence[Comment]) -> Any:
    """Comments loaded through ``for_display``, as the API shows them (one query for viewer flags)."""
    flags = comment_viewer_flags(request.user, [comment.pk for comment in comments])
    return CommentSerializer(comments, many=True, context={"request": request, "comment_flags": flags}).data


@extend_schema(parameters=[POST_ID])
class PostCommentViewSet(GenericViewSet):
    """``posts/{post_id}/comments``: read by anyone who may see the post, written by the signed-in."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_scope = "comments"
    pagination_class = CursorPagination
    serializer_class = CommentSerializer
    queryset = Comment.objects.none()  # for the schema; `list` builds the real one
    ordering = ("created_at", "id")

    @extend_schema(
        summary="A post's comments",
        description=(
            "Oldest first. Replies are listed flat in the same order, each with its `parent_id` "
            "(which may name a comment no longer listed: deleted, hidden, or by a user blocked either way). "
            "Comments by users who blocked the viewer, or whom the viewer blocked, are left out. "
            "404 when the post is not visible to the viewer."
        ),
        responses={200: CommentSerializer(many=True), **problems(400, 404)},
    )
    def list(self, request: Request, post_id: int) -> Response:
        viewer = request.user
        if not Post.objects.visible_to(viewer).filter(pk=post_id).exists():
            raise NotFound(NO_SUCH_POST)
        comments = Comment.objects.visible_to(viewer).filter(post_id=post_id).for_display(viewer)
        page = self.paginate_queryset(comments) or []
        return self.get_paginated_response(render_comments(request, page))

    @extend_schema(
        summary="Comment on a post",
        description=(
            "`parent_id` makes it a reply to a comment on the same post that you can see (else a 400 naming "
            f"`parent_id`). {BLOCK_RULE}"
        ),
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **problems(400, 401, 404, 429)},
    )
    def create(self, request: Request, post_id: int) -> Response:
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = signed_in(request)
        comment = comment_create(author=user, post_id=post_id, **serializer.validated_data)
        shown = Comment.objects.for_display(user).get(pk=comment.pk)
        return Response(render_comments(request, [shown])[0], status=status.HTTP_201_CREATED)


class CommentViewSet(ViewSet):
    """``comments/{comment_id}``: deleted by its author, or removed by a moderator."""

    permission_classes = [IsAuthenticated]
    lookup_url_kwarg = "comment_id"
    lookup_value_converter = "id"

    @extend_schema(
        summary="Delete a comment",
        parameters=[COMMENT_ID, REMOVAL_REASON],
        description=(
            "By its author: a soft delete, the comment leaves every list (its replies stay). "
            f"{REMOVAL_RULE} 404 when it is not visible to you or already deleted."
        ),
        responses={204: None, **problems(400, 401, 403, 404)},
    )
    def destroy(self, request: Request, comment_id: int) -> Response:
        comment_delete(user=signed_in(request), comment_id=comment_id, reason=removal_reason(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
