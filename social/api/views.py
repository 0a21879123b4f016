"""Public profiles, shown with how the signed-in viewer relates to each user."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import PublicUserSerializer
from accounts.models import User
from accounts.validators import username_validator
from core.schema import problems
from social.querysets import relationships_for, visible_profiles

# Ids beyond a bigint are nobody's; asking the database would be an error, not a 404.
MAX_ID = 2**63 - 1
NO_SUCH_USER = "No such user."

PROFILE_DESCRIPTION = (
    "Anyone may read a profile; `viewer` flags are false for anonymous callers and for oneself. "
    "Blocks do not hide a profile: `viewer.blocked` says the viewer blocked this user and "
    "`viewer.blocked_by` that this user blocked the viewer. Deactivated or suspended users are 404."
)


def _profile(request: Request, user: User) -> Response:
    context = {"request": request, "relationships": relationships_for(request.user, [user.pk])}
    return Response(PublicUserSerializer(user, context=context).data)


class UserDetailView(APIView):
    permission_classes = [AllowAny]
    public_cache_seconds = 60  # core.http_cache: anonymous answers, capped by HTTP_CACHE_MAX_AGE

    @extend_schema(
        summary="A user's profile",
        description=PROFILE_DESCRIPTION,
        parameters=[OpenApiParameter("user_id", int, OpenApiParameter.PATH, description="The user's id.")],
        responses={200: PublicUserSerializer, **problems(401, 404)},
    )
    def get(self, request: Request, user_id: int) -> Response:
        user = visible_profiles().filter(pk=user_id).first() if 0 < user_id <= MAX_ID else None
        if user is None:
            raise NotFound(NO_SUCH_USER)
        return _profile(request, user)


class UserByUsernameView(APIView):
    permission_classes = [AllowAny]
    public_cache_seconds = 60  # core.http_cache: anonymous answers, capped by HTTP_CACHE_MAX_AGE

    @extend_schema(
        summary="A user's profile, by username",
        description=f"The username matches ignoring case. {PROFILE_DESCRIPTION}",
        responses={200: PublicUserSerializer, **problems(401, 404)},
    )
    def get(self, request: Request, username: str) -> Response:
        try:
            username_validator(username)
        except DjangoValidationError:
            raise NotFound(NO_SUCH_USER) from None
        # Compared through Lower(), so the lookup uses the user_username_unique_ci index.
        user = visible_profiles().filter(Exact(Lower("username"), username.lower())).first()
        if user is None:
            raise NotFound(NO_SUCH_USER)
        return _profile(request, user)
