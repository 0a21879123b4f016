"""users/me/profile-picture: upload (multipart ``file``) and remove the signed-in user's picture."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import MeSerializer
from accounts.api.signed_in import signed_in
from accounts.services.pictures import profile_picture_delete, profile_picture_set
from core.images import InvalidImageError
from core.schema import problems


class ProfilePictureUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            "A JPEG, PNG or WebP image of at most 5 MB (the format is read from the bytes). "
            "It is centre-cropped to a square of at most 512 px and re-encoded without metadata."
        ),
    )


class ProfilePictureView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "profile_picture"
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Set my profile picture",
        description=(
            "Replaces the picture; the previous file is deleted from storage. Every upload gets a new URL. "
            "A file that is not a JPEG, PNG or WebP image, is larger than 5 MB, has too many pixels, "
            "is animated or is corrupt is a 400 naming `file`."
        ),
        request={"multipart/form-data": ProfilePictureUploadSerializer},
        responses={200: MeSerializer, **problems(400, 401, 415, 429)},
        tags=["users"],
    )
    def post(self, request: Request) -> Response:
        serializer = ProfilePictureUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = profile_picture_set(user=signed_in(request), upload=serializer.validated_data["file"])
        except InvalidImageError as exc:
            raise serializers.ValidationError({"file": [exc.message]}, code=exc.code) from exc
        return Response(MeSerializer(user, context={"request": request}).data)

    @extend_schema(
        summary="Remove my profile picture",
        description="Idempotent: 204 whether or not there was a picture.",
        request=None,
        responses={204: OpenApiResponse(description="Removed."), **problems(401, 429)},
        tags=["users"],
    )
    def delete(self, request: Request) -> Response:
        profile_picture_delete(user=signed_in(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("users/me/profile-picture", ProfilePictureView.as_view(), name="profile-picture"),
]
