"""Uploads (``media/upload``): images stored ahead of the post that will show them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from accounts.api.permissions import signed_in
from content.api.serializers.media import MediaUploadResponseSerializer, MediaUploadSerializer
from content.services.media import MEDIA_UPLOAD_MAX_TOTAL_BYTES, media_upload, total_too_large_message
from core.errors import Invalid
from core.schema import problems

# Multipart boundaries and part headers on top of the images themselves.
_MULTIPART_OVERHEAD = 64 * 1024


def _content_length(request: Request) -> int:
    try:
        return int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return 0  # the multipart parser deals with a body whose length lies


class MediaViewSet(ViewSet):
    permission_classes = [IsAuthenticated]
    throttle_scope = "media_upload"

    @extend_schema(
        summary="Upload images for a post",
        description=(
            "Stores 1-4 images for the signed-in user; pass their ids as `media_ids` to `POST posts` "
            "within 24 hours, after which unused uploads are deleted. Each image is read from its bytes "
            "(JPEG, PNG or WebP), stripped of all metadata (EXIF, GPS, ICC, text), its orientation applied, "
            "scaled to fit 2048 px and re-encoded: PNG if it has transparent pixels, JPEG otherwise. "
            "All or nothing: if any file is refused, nothing is stored and the 400 names `files`, "
            "each message starting with the file's position (`File 3: ...`, counting from 1)."
        ),
        request={"multipart/form-data": MediaUploadSerializer},
        responses={
            201: OpenApiResponse(MediaUploadResponseSerializer, description="Stored, in upload order."),
            **problems(400, 401, 415, 429),
        },
        tags=["media"],
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser])
    def upload(self, request: Request) -> Response:
        owner = signed_in(request)
        # Refuse an oversized body from its header, before it is parsed and spooled to disk.
        if _content_length(request) > MEDIA_UPLOAD_MAX_TOTAL_BYTES + _MULTIPART_OVERHEAD:
            raise Invalid({"files": total_too_large_message()}, code="too_large")
        serializer = MediaUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        media = media_upload(owner=owner, files=serializer.validated_data["files"])
        body = MediaUploadResponseSerializer({"media": media}, context={"request": request})
        return Response(body.data, status=status.HTTP_201_CREATED)
