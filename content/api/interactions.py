"""Comments, likes, reposts and bookmarks.

Every write calls a service in ``content.services.interactions`` (404 when the
target is not visible to the caller, a block either way with its author
included, as the contract rules); every list is keyset-paginated and renders a page in a fixed number
of queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import signed_in
from content.api.posts import REMOVAL_REASON, REMOVAL_RULE, removal_reason
from content.api.serializers import PostSerializer, post_serializer_context
from content.api.serializers_comments import (
    BookmarkResultSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    ReactionRequestSerializer,
    ReactionResultSerializer,
    RepostCreateSerializer,
    RepostResultSerializer,
)
from content.models import Bookmark, Comment, Post
from content.querysets_interactions import bookmarks_of, comment_viewer_flags
from content.services.interactions import (
    NO_SUCH_POST,
    bookmark_add,
    bookmark_remove,
    comment_create,
    comment_delete,
    comment_reaction_toggle,
    post_reaction_toggle,
    repost_create,
    repost_delete,
    repost_quote,
)
from core.ids import MAX_ID
from core.pagination import CursorPagination
from core.schema import problems

POST_ID = OpenApiParameter("post_id", int, OpenApiParameter.PATH, description="The post's id.")
COMMENT_ID = OpenApiParameter("comment_id", int, OpenApiParameter.PATH, description="The comment's id.")
BLOCK_RULE = "404 when it is not visible to you, which includes when you and its author blocked one another."


def _reacted_wanted(request: Request) -> bool | None:
    """The body's ``reacted`` (like or unlike), or None for a toggle."""
    serializer = ReactionRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data.get("reacted")


def _posts_response(request: Request, posts: list[Post]) -> Any:
    return PostSerializer(posts, many=True, context=post_serializer_context(request, posts)).data


def _comments_response(request: Request, comments: list[Comment]) -> Any:
    flags = comment_viewer_flags(request.user, [comment.pk for comment in comments])
    context = {"request": request, "comment_flags": flags}
    return CommentSerializer(comments, many=True, context=context).data


class PostCommentsView(GenericAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_scope = "comments"
    pagination_class = CursorPagination
    serializer_class = CommentSerializer
    queryset = Comment.objects.none()  # for the schema; `get` builds the real one
    ordering = ("created_at", "id")

    @extend_schema(
        summary="A post's comments",
        parameters=[POST_ID],
        description=(
            "Oldest first. Replies are listed flat in the same order, each with its `parent_id` "
            "(which may name a comment no longer listed: deleted, hidden, or by a user blocked either way). "
            "Comments by users who blocked the viewer, or whom the viewer blocked, are left out. "
            "404 when the post is not visible to the viewer."
        ),
        responses={200: CommentSerializer(many=True), **problems(400, 404)},
    )
    def get(self, request: Request, post_id: int) -> Response:
        viewer = request.user
        if not (0 < post_id <= MAX_ID and Post.objects.visible_to(viewer).filter(pk=post_id).exists()):
            raise NotFound(NO_SUCH_POST)
        comments = Comment.objects.visible_to(viewer).filter(post_id=post_id).for_display(viewer)
        page = self.paginate_queryset(comments) or []
        return self.get_paginated_response(_comments_response(request, page))

    @extend_schema(
        summary="Comment on a post",
        parameters=[POST_ID],
        description=(
            "`parent_id` makes it a reply to a comment on the same post that you can see (else a 400 naming "
            f"`parent_id`). {BLOCK_RULE}"
        ),
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **problems(400, 401, 404, 429)},
    )
    def post(self, request: Request, post_id: int) -> Response:
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = signed_in(request)
        comment = comment_create(author=user, post_id=post_id, **serializer.validated_data)
        shown = Comment.objects.for_display(user).get(pk=comment.pk)
        return Response(_comments_response(request, [shown])[0], status=status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Delete a comment",
        parameters=[COMMENT_ID, REMOVAL_REASON],
        description=(
            "By its author: a soft delete, the comment leaves every list (its replies stay). "
            f"{REMOVAL_RULE} 404 when it is not visible to you or already deleted."
        ),
        responses={204: None, **problems(400, 401, 403, 404)},
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        comment_delete(user=signed_in(request), comment_id=comment_id, reason=removal_reason(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


REACTION_RULE = (
    "Without a body, a toggle: likes it, or removes your like if it was there; concurrent toggles take "
    "turns, and each answer is the state that request left. With `reacted`, it likes (`true`) or unlikes "
    "(`false`) whatever the state was, so a retry cannot undo it."
)


class PostReactionsView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "reactions"

    @extend_schema(
        summary="Like or unlike a post",
        parameters=[POST_ID],
        description=f"{REACTION_RULE} {BLOCK_RULE}",
        request=ReactionRequestSerializer,
        responses={200: ReactionResultSerializer, **problems(400, 401, 404, 409, 429)},
    )
    def post(self, request: Request, post_id: int) -> Response:
        reacted, count = post_reaction_toggle(
            user=signed_in(request), post_id=post_id, reacted=_reacted_wanted(request)
        )
        return Response(ReactionResultSerializer({"reacted": reacted, "count": count}).data)


class CommentReactionsView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "reactions"

    @extend_schema(
        summary="Like or unlike a comment",
        parameters=[COMMENT_ID],
        description=(
            f"{REACTION_RULE} 404 when it is not visible to you, which includes when you and the comment's "
            "author, or the post's author, blocked one another."
        ),
        request=ReactionRequestSerializer,
        responses={200: ReactionResultSerializer, **problems(400, 401, 404, 409, 429)},
    )
    def post(self, request: Request, comment_id: int) -> Response:
        reacted, count = comment_reaction_toggle(
            user=signed_in(request), comment_id=comment_id, reacted=_reacted_wanted(request)
        )
        return Response(ReactionResultSerializer({"reacted": reacted, "count": count}).data)


class PostRepostsView(APIView):
    permission_classes = [IsAuthenticated]

    @property
    def throttle_scope(self) -> str:
        # A quote is a post, and spends the posts budget; plain reposts and their undoing have their own.
        data = self.request.data if self.request.method == "POST" else None
        return "posts" if isinstance(data, Mapping) and data.get("content") is not None else "reposts"

    @extend_schema(
        summary="Repost or quote a post",
        parameters=[POST_ID],
        description=(
            "Without `content` (or with `null`): a plain repost, answered with `{reposted, count}`; "
            "409 if you already reposted it. You may repost your own posts. "
            "With `content`: a quote, a new post of yours quoting this one, answered with that post "
            f"(the same rules as `POST posts`). {BLOCK_RULE}"
        ),
        request=RepostCreateSerializer,
        responses={
            201: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="RepostOrQuote",
                    serializers=[RepostResultSerializer, PostSerializer],
                    resource_type_field_name=None,
                ),
                description="The plain repost (`{reposted, count}`), or with `content` the quote post.",
            ),
            **problems(400, 401, 404, 409, 429),
        },
    )
    def post(self, request: Request, post_id: int) -> Response:
        serializer = RepostCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = signed_in(request)
        content = serializer.validated_data.get("content")
        if content is None:
            count = repost_create(user=user, post_id=post_id)
            return Response(
                RepostResultSerializer({"reposted": True, "count": count}).data, status=status.HTTP_201_CREATED
            )
        quote = repost_quote(user=user, post_id=post_id, content=content)
        shown = Post.objects.for_display(user).get(pk=quote.pk)
        return Response(_posts_response(request, [shown])[0], status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Undo a plain repost",
        parameters=[POST_ID],
        description=(
            "Idempotent: 204 whether or not you had reposted it, and also when the post has since been "
            "deleted, hidden or blocked, so a repost can always be withdrawn. Quotes are posts: delete them "
            "with `DELETE posts/{id}`."
        ),
        responses={204: None, **problems(401, 429)},
    )
    def delete(self, request: Request, post_id: int) -> Response:
        repost_delete(user=signed_in(request), post_id=post_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostBookmarksView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Bookmark a post",
        parameters=[POST_ID],
        description=f"201 when added, 200 when it was already bookmarked. {BLOCK_RULE}",
        request=None,
        responses={
            201: OpenApiResponse(BookmarkResultSerializer, description="Added."),
            200: OpenApiResponse(BookmarkResultSerializer, description="Already bookmarked."),
            **problems(401, 404),
        },
    )
    def post(self, request: Request, post_id: int) -> Response:
        created, count = bookmark_add(user=signed_in(request), post_id=post_id)
        return Response(
            BookmarkResultSerializer({"bookmarked": True, "count": count}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Remove a bookmark",
        parameters=[POST_ID],
        description=(
            "Idempotent: 204 whether or not it was bookmarked, and also when the post has since been "
            "deleted, hidden or blocked."
        ),
        responses={204: None, **problems(401)},
    )
    def delete(self, request: Request, post_id: int) -> Response:
        bookmark_remove(user=signed_in(request), post_id=post_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookmarksView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = CursorPagination
    serializer_class = PostSerializer
    queryset = Bookmark.objects.none()  # for the schema; `get` builds the real one
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
    def get(self, request: Request) -> Response:
        user = signed_in(request)
        bookmarks = self.paginate_queryset(bookmarks_of(user)) or []
        posts = Post.objects.for_display(user).in_bulk([bookmark.post_id for bookmark in bookmarks])
        # A post hidden between the two reads is simply skipped.
        page = [posts[bookmark.post_id] for bookmark in bookmarks if bookmark.post_id in posts]
        return self.get_paginated_response(_posts_response(request, page))


urlpatterns = [
    path("bookmarks", BookmarksView.as_view(), name="bookmarks"),
    path("posts/<int:post_id>/comments", PostCommentsView.as_view(), name="post-comments"),
    path("comments/<int:comment_id>", CommentDetailView.as_view(), name="comment-detail"),
    path("posts/<int:post_id>/reactions", PostReactionsView.as_view(), name="post-reactions"),
    path("comments/<int:comment_id>/reactions", CommentReactionsView.as_view(), name="comment-reactions"),
    path("posts/<int:post_id>/reposts", PostRepostsView.as_view(), name="post-reposts"),
    path("posts/<int:post_id>/bookmarks", PostBookmarksView.as_view(), name="post-bookmarks"),
]
