"""Reposts: ``posts/{id}/reposts``, a plain repost or a quote, and undoing a plain repost."""

from __future__ import annotations

from collections.abc import Mapping

from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from accounts.api.permissions import signed_in
from content.api.rendering import render_posts
from content.api.schema import BLOCK_RULE, POST_ID
from content.api.serializers.posts import PostSerializer
from content.api.serializers.reposts import RepostCreateSerializer, RepostResultSerializer
from content.services.interactions import repost_create, repost_delete, repost_quote
from core.schema import problems


@extend_schema(parameters=[POST_ID])
class PostRepostViewSet(ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_url_kwarg = "post_id"
    lookup_value_converter = "id"

    @property
    def throttle_scope(self) -> str:
        # A quote is a post, and spends the posts budget; plain reposts and their undoing have their own.
        data = self.request.data if self.request.method == "POST" else None
        return "posts" if isinstance(data, Mapping) and data.get("content") is not None else "reposts"

    @extend_schema(
        summary="Repost or quote a post",
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
    @action(detail=True, methods=["post"], url_path="reposts")
    def repost(self, request: Request, post_id: int) -> Response:
        serializer = RepostCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = signed_in(request)
        content = serializer.validated_data.get("content")
        if content is None:
            count = repost_create(user=user, post_id=post_id)
            body = RepostResultSerializer({"reposted": True, "count": count}).data
            return Response(body, status=status.HTTP_201_CREATED)
        quote = repost_quote(user=user, post_id=post_id, content=content)
        return Response(render_posts(request, [quote])[0], status=status.HTTP_201_CREATED)

    @repost.mapping.delete
    @extend_schema(
        summary="Undo a plain repost",
        description=(
            "Idempotent: 204 whether or not you had reposted it, and also when the post has since been "
            "deleted, hidden or blocked, so a repost can always be withdrawn. Quotes are posts: delete them "
            "with `DELETE posts/{id}`."
        ),
        responses={204: None, **problems(401, 429)},
    )
    def unrepost(self, request: Request, post_id: int) -> Response:
        repost_delete(user=signed_in(request), post_id=post_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
