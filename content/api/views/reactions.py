"""Likes: ``posts/{id}/reactions`` and ``comments/{id}/reactions``, one action on two resources."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from accounts.api.permissions import signed_in
from content.api.schema import BLOCK_RULE, COMMENT_ID, POST_ID
from content.api.serializers.reactions import ReactionRequestSerializer, ReactionResultSerializer
from content.services.interactions import comment_reaction_toggle, post_reaction_toggle
from core.schema import problems

REACTION_RULE = (
    "Without a body, a toggle: likes it, or removes your like if it was there; concurrent toggles take "
    "turns, and each answer is the state that request left. With `reacted`, it likes (`true`) or unlikes "
    "(`false`) whatever the state was, so a retry cannot undo it."
)


class _ReactionViewSet(ViewSet):
    """``{target}/{id}/reactions``: the subclass names the target's id and the service that likes it."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "reactions"
    lookup_value_converter = "id"
    # ``service(user=..., reacted=..., <lookup_url_kwarg>=id) -> (reacted, count)``
    service: Callable[..., tuple[bool, int]]

    @extend_schema(
        request=ReactionRequestSerializer,
        responses={200: ReactionResultSerializer, **problems(400, 401, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"], url_path="reactions")
    def react(self, request: Request, **target: int) -> Response:
        wanted = ReactionRequestSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        reacted, count = self.service(user=signed_in(request), reacted=wanted.validated_data.get("reacted"), **target)
        return Response(ReactionResultSerializer({"reacted": reacted, "count": count}).data)


@extend_schema_view(
    react=extend_schema(
        summary="Like or unlike a post", parameters=[POST_ID], description=f"{REACTION_RULE} {BLOCK_RULE}"
    )
)
class PostReactionViewSet(_ReactionViewSet):
    lookup_url_kwarg = "post_id"
    service = staticmethod(post_reaction_toggle)


@extend_schema_view(
    react=extend_schema(
        summary="Like or unlike a comment",
        parameters=[COMMENT_ID],
        description=(
            f"{REACTION_RULE} 404 when it is not visible to you, which includes when you and the comment's "
            "author, or the post's author, blocked one another."
        ),
    )
)
class CommentReactionViewSet(_ReactionViewSet):
    lookup_url_kwarg = "comment_id"
    service = staticmethod(comment_reaction_toggle)
