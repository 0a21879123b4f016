"""The social graph over HTTP: follow, mute and block, the follower lists and the content filters.

Writes answer with the other user's public profile as it is now (counters and
``viewer`` flags included), so a client can redraw a button without a second
request. Creating a relation that exists is a 200, removing one that does not
is a 204: retries are harmless. Undoing (DELETE) works on deactivated or
suspended users too, so nobody is stuck with a relation they cannot see.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import signed_in
from accounts.api.serializers import PublicUserSerializer
from accounts.models import User
from core.pagination import CursorPagination
from core.schema import problems
from social.api.serializers import CONTENT_FILTERS_MAX, ContentFiltersSerializer
from social.api.views import MAX_ID, NO_SUCH_USER
from social.models import Follow
from social.querysets import (
    block_rows,
    follower_rows,
    following_rows,
    mute_rows,
    relationships_for,
    visible_profiles,
)
from social.services import (
    block_create,
    block_delete,
    follow_create,
    follow_delete,
    mute_create,
    mute_delete,
)

USER_ID = OpenApiParameter("user_id", int, OpenApiParameter.PATH, description="The other user's id.")
SELF_400 = "400 naming `user` when it is yourself."


def _visible_user(user_id: int) -> User:
    """An active, non-suspended user, or 404."""
    user = visible_profiles().filter(pk=user_id).first() if 0 < user_id <= MAX_ID else None
    if user is None:
        raise NotFound(NO_SUCH_USER)
    return user


def _any_user(user_id: int) -> User:
    """Any user that exists, or 404: for undoing a relation, whatever became of the other side."""
    user = User.objects.filter(pk=user_id).first() if 0 < user_id <= MAX_ID else None
    if user is None:
        raise NotFound(NO_SUCH_USER)
    return user


def _profile(request: Request, user: User, *, created: bool) -> Response:
    context = {"request": request, "relationships": relationships_for(request.user, [user.pk])}
    return Response(
        PublicUserSerializer(user, context=context).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


def _write_responses(created: str, existed: str, *statuses: int) -> dict[int, Any]:
    return {
        201: OpenApiResponse(PublicUserSerializer, description=created),
        200: OpenApiResponse(PublicUserSerializer, description=existed),
        **problems(*statuses),
    }


class FollowView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "follows"

    @extend_schema(
        summary="Follow a user",
        description=(
            "201 when you now follow them, 200 when you already did (counters move once). "
            f"{SELF_400} 403 when either of you blocked the other. "
            "404 for an unknown, deactivated or suspended user. "
            "The answer is their profile, with the new follower count and `viewer.following` true."
        ),
        parameters=[USER_ID],
        request=None,
        responses=_write_responses("Now following.", "Already following.", 400, 401, 403, 404, 429),
    )
    def post(self, request: Request, user_id: int) -> Response:
        target = _visible_user(user_id)
        _, created = follow_create(follower=signed_in(request), target=target)
        target.refresh_from_db(fields=["followers_count", "following_count"])
        return _profile(request, target, created=created)

    @extend_schema(
        summary="Unfollow a user",
        description=(
            f"204 whether or not you followed them (counters move only when you did). {SELF_400} "
            "404 only when no such user exists."
        ),
        parameters=[USER_ID],
        request=None,
        responses={204: None, **problems(400, 401, 404, 429)},
    )
    def delete(self, request: Request, user_id: int) -> Response:
        follow_delete(follower=signed_in(request), target=_any_user(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MuteView(APIView):
    permission_classes = [IsAuthenticated]
    # Generous: someone under a pile-on must be able to mute and block many accounts quickly.
    throttle_scope = "mutes_blocks"

    @extend_schema(
        summary="Mute a user",
        description=(
            "Their posts leave your feeds and ticker streams; their profile and direct links still work, "
            "and they are not told. 201 when muted now, 200 when already muted. "
            f"{SELF_400} 404 for an unknown, deactivated or suspended user."
        ),
        parameters=[USER_ID],
        request=None,
        responses=_write_responses("Muted.", "Already muted.", 400, 401, 404, 429),
    )
    def post(self, request: Request, user_id: int) -> Response:
        target = _visible_user(user_id)
        _, created = mute_create(user=signed_in(request), target=target)
        return _profile(request, target, created=created)

    @extend_schema(
        summary="Unmute a user",
        description=f"204 whether or not they were muted. {SELF_400} 404 only when no such user exists.",
        parameters=[USER_ID],
        request=None,
        responses={204: None, **problems(400, 401, 404, 429)},
    )
    def delete(self, request: Request, user_id: int) -> Response:
        mute_delete(user=signed_in(request), target=_any_user(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "mutes_blocks"

    @extend_schema(
        summary="Block a user",
        description=(
            "Neither of you sees the other's posts or comments, and neither can follow the other. "
            "Follows between you are removed, both ways, with the counters; unblocking does not restore them. "
            "Mutes stay. 201 when blocked now, 200 when already blocked. "
            f"{SELF_400} 404 for an unknown, deactivated or suspended user."
        ),
        parameters=[USER_ID],
        request=None,
        responses=_write_responses("Blocked.", "Already blocked.", 400, 401, 404, 429),
    )
    def post(self, request: Request, user_id: int) -> Response:
        target = _visible_user(user_id)
        _, created = block_create(user=signed_in(request), target=target)
        target.refresh_from_db(fields=["followers_count", "following_count"])
        return _profile(request, target, created=created)

    @extend_schema(
        summary="Unblock a user",
        description=f"204 whether or not they were blocked. {SELF_400} 404 only when no such user exists.",
        parameters=[USER_ID],
        request=None,
        responses={204: None, **problems(400, 401, 404, 429)},
    )
    def delete(self, request: Request, user_id: int) -> Response:
        block_delete(user=signed_in(request), target=_any_user(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class _FollowListView(generics.ListAPIView):
    """A page of the users on one side of someone's follows, newest follow first."""

    permission_classes = [AllowAny]
    serializer_class = PublicUserSerializer
    pagination_class = CursorPagination
    filter_backends: list = []
    # Keyset on the follow row: its (created_at, id) is what the index orders.
    ordering = ("-created_at", "-id")
    side = ""  # the Follow field holding the listed user

    def rows(self, user: User) -> QuerySet[Follow]:
        raise NotImplementedError

    def get(self, request: Request, user_id: int) -> Response:
        paginator = self.pagination_class()
        follows = paginator.paginate_queryset(self.rows(_visible_user(user_id)), request, view=self)
        users = [getattr(follow, self.side) for follow in follows]
        context = {"request": request, "relationships": relationships_for(request.user, [user.pk for user in users])}
        return paginator.get_paginated_response(PublicUserSerializer(users, many=True, context=context).data)


LIST_DESCRIPTION = (
    "Newest follow first, cursor-paginated. Only active, non-suspended users are listed; `viewer` flags "
    "are the signed-in caller's (false for anonymous callers). 404 for an unknown, deactivated or suspended user."
)


class FollowersView(_FollowListView):
    side = "follower"

    def rows(self, user: User) -> QuerySet[Follow]:
        return follower_rows(user)

    @extend_schema(
        summary="Who follows a user",
        description=LIST_DESCRIPTION,
        parameters=[USER_ID],
        responses={200: PublicUserSerializer(many=True), **problems(400, 401, 404)},
    )
    def get(self, request: Request, user_id: int) -> Response:
        return super().get(request, user_id)


class FollowingView(_FollowListView):
    side = "following"

    def rows(self, user: User) -> QuerySet[Follow]:
        return following_rows(user)

    @extend_schema(
        summary="Who a user follows",
        description=LIST_DESCRIPTION,
        parameters=[USER_ID],
        responses={200: PublicUserSerializer(many=True), **problems(400, 401, 404)},
    )
    def get(self, request: Request, user_id: int) -> Response:
        return super().get(request, user_id)


class ContentFiltersView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who you muted and blocked",
        description=(
            f"Both lists newest first and not paginated: each holds at most the newest {CONTENT_FILTERS_MAX}, "
            "and `truncated` says which was cut. Deactivated and suspended users are left out "
            "(their mutes and blocks stay in force)."
        ),
        responses={200: ContentFiltersSerializer, **problems(401)},
    )
    def get(self, request: Request) -> Response:
        me = signed_in(request)
        # One row past the cap tells whether the list was cut.
        muted = [mute.target for mute in mute_rows(me)[: CONTENT_FILTERS_MAX + 1]]
        blocked = [block.target for block in block_rows(me)[: CONTENT_FILTERS_MAX + 1]]
        data = {
            "muted": muted[:CONTENT_FILTERS_MAX],
            "blocked": blocked[:CONTENT_FILTERS_MAX],
            "truncated": {"muted": len(muted) > CONTENT_FILTERS_MAX, "blocked": len(blocked) > CONTENT_FILTERS_MAX},
        }
        ids = [user.pk for user in (*muted[:CONTENT_FILTERS_MAX], *blocked[:CONTENT_FILTERS_MAX])]
        context = {"request": request, "relationships": relationships_for(me, ids)}
        return Response(ContentFiltersSerializer(data, context=context).data)


urlpatterns = [
    path("users/<int:user_id>/follow", FollowView.as_view(), name="user-follow"),
    path("users/<int:user_id>/followers", FollowersView.as_view(), name="user-followers"),
    path("users/<int:user_id>/following", FollowingView.as_view(), name="user-following"),
    path("users/<int:user_id>/mute", MuteView.as_view(), name="user-mute"),
    path("users/<int:user_id>/block", BlockView.as_view(), name="user-block"),
    path("content-filters", ContentFiltersView.as_view(), name="content-filters"),
]
