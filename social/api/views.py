"""The social graph over HTTP: public profiles, follow, mute and block, the follower lists and the content filters.

Profiles are shown with how the signed-in viewer relates to each user (the
``viewer`` flags, one query per page). Writes answer with the other user's
public profile as it is now (counters and ``viewer`` flags included), so a
client can redraw a button without a second request. Creating a relation that
exists is a 200, removing one that does not is a 204: retries are harmless.
Undoing (DELETE) works on deactivated or suspended users too, so nobody is
stuck with a relation they cannot see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ViewSet

from accounts.api.permissions import signed_in
from accounts.api.serializers import PublicUserSerializer
from accounts.models import User
from accounts.validators import username_validator
from core.ids import ID_PATTERN
from core.schema import problems
from social.api.serializers import CONTENT_FILTERS_MAX, ContentFiltersSerializer
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

NO_SUCH_USER = "No such user."

# The OpenAPI descriptions, each written once.
USER_ID = OpenApiParameter(
    "user_id", str, OpenApiParameter.PATH, required=True, pattern=ID_PATTERN, description="The user's id."
)
PROFILE = (
    "Anyone may read a profile; `viewer` flags are false for anonymous callers and for oneself. "
    "Blocks do not hide a profile: `viewer.blocked` says the viewer blocked this user and "
    "`viewer.blocked_by` that this user blocked the viewer. Deactivated or suspended users are 404."
)
FOLLOW_LIST = (
    "Newest follow first, cursor-paginated. Only active, non-suspended users are listed; `viewer` flags "
    "are the signed-in caller's (false for anonymous callers). 404 for an unknown, deactivated or suspended user."
)
SELF_400 = "400 naming `user` when it is yourself."
UNDO_404 = "404 only when no such user exists."


def _profile_schema(summary: str, description: str, parameters: Sequence[OpenApiParameter] = ()) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        parameters=list(parameters),
        responses={200: PublicUserSerializer, **problems(401, 404)},
    )


def _list_schema(summary: str) -> Any:
    return extend_schema(
        summary=summary,
        description=FOLLOW_LIST,
        parameters=[USER_ID],
        responses={200: PublicUserSerializer(many=True), **problems(400, 401, 404)},
    )


def _relation_schema(
    verb: str, undo: str, *, description: str, created: str, existed: str, undone: str, refusals: Sequence[int] = ()
) -> list[Any]:
    """The POST (create the relation) and DELETE (undo it) of one verb of the graph."""
    return [
        extend_schema(
            methods=["POST"],
            summary=f"{verb} a user",
            description=description,
            parameters=[USER_ID],
            request=None,
            responses={
                201: OpenApiResponse(PublicUserSerializer, description=created),
                200: OpenApiResponse(PublicUserSerializer, description=existed),
                **problems(400, 401, *refusals, 404, 429),
            },
        ),
        extend_schema(
            methods=["DELETE"],
            summary=f"{undo} a user",
            description=f"{undone} {SELF_400} {UNDO_404}",
            parameters=[USER_ID],
            request=None,
            responses={204: None, **problems(400, 401, 404, 429)},
        ),
    ]


def relation(*, throttle_scope: str) -> Any:
    """A verb of the graph on users/{id}/<verb>: POST creates the relation, DELETE undoes it; signed-in only."""
    return action(
        detail=True, methods=["post", "delete"], permission_classes=[IsAuthenticated], throttle_scope=throttle_scope
    )


@extend_schema_view(
    retrieve=_profile_schema("A user's profile", PROFILE, [USER_ID]),
    by_username=_profile_schema("A user's profile, by username", f"The username matches ignoring case. {PROFILE}"),
    followers=_list_schema("Who follows a user"),
    following=_list_schema("Who a user follows"),
    follow=_relation_schema(
        "Follow",
        "Unfollow",
        description=(
            "201 when you now follow them, 200 when you already did (counters move once). "
            f"{SELF_400} 403 when either of you blocked the other. "
            "404 for an unknown, deactivated or suspended user. "
            "The answer is their profile, with the new follower count and `viewer.following` true."
        ),
        created="Now following.",
        existed="Already following.",
        undone="204 whether or not you followed them (counters move only when you did).",
        refusals=[403],
    ),
    mute=_relation_schema(
        "Mute",
        "Unmute",
        description=(
            "Their posts leave your feeds and ticker streams; their profile and direct links still work, "
            "and they are not told. 201 when muted now, 200 when already muted. "
            f"{SELF_400} 404 for an unknown, deactivated or suspended user."
        ),
        created="Muted.",
        existed="Already muted.",
        undone="204 whether or not they were muted.",
    ),
    block=_relation_schema(
        "Block",
        "Unblock",
        description=(
            "Neither of you sees the other's posts or comments, and neither can follow the other. "
            "Follows between you are removed, both ways, with the counters; unblocking does not restore them. "
            "Mutes stay. 201 when blocked now, 200 when already blocked. "
            f"{SELF_400} 404 for an unknown, deactivated or suspended user."
        ),
        created="Blocked.",
        existed="Already blocked.",
        undone="204 whether or not they were blocked.",
    ),
)
class UserViewSet(GenericViewSet):
    """users/{id}: a public profile, its followers and following, and the follow, mute and block verbs."""

    permission_classes = [AllowAny]
    serializer_class = PublicUserSerializer
    lookup_url_kwarg = "user_id"
    lookup_value_converter = "id"
    # core.http_cache: the public profile's anonymous answers, capped by HTTP_CACHE_MAX_AGE.
    public_cache_seconds = {"retrieve": 60, "by_username": 60}
    filter_backends: list[Any] = []
    # The lists page through follow rows: their (created_at, id) is what the indexes order.
    ordering = ("-created_at", "-id")
    throttle_scope = ""  # set per action

    def get_queryset(self) -> QuerySet[User]:
        if self.request.method == "DELETE":
            # Undoing a relation works whatever became of the other side.
            return User.objects.all()
        return visible_profiles()

    def get_object(self) -> User:
        try:
            return super().get_object()  # type: ignore[no-any-return]
        except Http404:
            raise NotFound(NO_SUCH_USER) from None

    def serialize(self, users: User | list[User]) -> Any:
        """A profile or a page of them, with the viewer's relationships to them (one query)."""
        many = isinstance(users, list)
        ids = [user.pk for user in users] if isinstance(users, list) else [users.pk]
        context = {**self.get_serializer_context(), "relationships": relationships_for(self.request.user, ids)}
        return self.get_serializer(users, many=many, context=context).data

    def written(self, target: User, *, created: bool) -> Response:
        return Response(self.serialize(target), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def follow_page(self, rows: QuerySet[Follow], side: str) -> Response:
        follows = self.paginate_queryset(rows) or []
        return self.get_paginated_response(self.serialize([getattr(follow, side) for follow in follows]))

    def retrieve(self, request: Request, user_id: int) -> Response:
        return Response(self.serialize(self.get_object()))

    @action(detail=False, url_path="by-username/<str:username>")
    def by_username(self, request: Request, username: str) -> Response:
        try:
            username_validator(username)
        except DjangoValidationError:
            raise NotFound(NO_SUCH_USER) from None
        # Compared through Lower(), so the lookup uses the user_username_unique_ci index.
        user = self.get_queryset().filter(Exact(Lower("username"), username.lower())).first()
        if user is None:
            raise NotFound(NO_SUCH_USER)
        return Response(self.serialize(user))

    @action(detail=True)
    def followers(self, request: Request, user_id: int) -> Response:
        return self.follow_page(follower_rows(self.get_object()), "follower")

    @action(detail=True)
    def following(self, request: Request, user_id: int) -> Response:
        return self.follow_page(following_rows(self.get_object()), "following")

    @relation(throttle_scope="follows")
    def follow(self, request: Request, user_id: int) -> Response:
        target = self.get_object()
        if request.method == "DELETE":
            follow_delete(follower=signed_in(request), target=target)
            return Response(status=status.HTTP_204_NO_CONTENT)
        _, created = follow_create(follower=signed_in(request), target=target)
        target.refresh_from_db(fields=["followers_count", "following_count"])
        return self.written(target, created=created)

    # Generous: someone under a pile-on must be able to mute and block many accounts quickly.
    @relation(throttle_scope="mutes_blocks")
    def mute(self, request: Request, user_id: int) -> Response:
        target = self.get_object()
        if request.method == "DELETE":
            mute_delete(user=signed_in(request), target=target)
            return Response(status=status.HTTP_204_NO_CONTENT)
        _, created = mute_create(user=signed_in(request), target=target)
        return self.written(target, created=created)

    @relation(throttle_scope="mutes_blocks")
    def block(self, request: Request, user_id: int) -> Response:
        target = self.get_object()
        if request.method == "DELETE":
            block_delete(user=signed_in(request), target=target)
            return Response(status=status.HTTP_204_NO_CONTENT)
        _, created = block_create(user=signed_in(request), target=target)
        target.refresh_from_db(fields=["followers_count", "following_count"])
        return self.written(target, created=created)


@extend_schema_view(
    list=extend_schema(
        summary="Who you muted and blocked",
        description=(
            f"Both lists newest first and not paginated: each holds at most the newest {CONTENT_FILTERS_MAX}, "
            "and `truncated` says which was cut. Deactivated and suspended users are left out "
            "(their mutes and blocks stay in force)."
        ),
        responses={200: ContentFiltersSerializer, **problems(401)},
    )
)
class ContentFilterViewSet(ViewSet):
    """content-filters: the signed-in user's mutes and blocks, in one answer."""

    permission_classes = [IsAuthenticated]

    def list(self, request: Request) -> Response:
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
