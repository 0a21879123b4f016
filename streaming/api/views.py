"""GET streaming/health: whether this process serves the streaming API (Mastodon's health probe)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, permission_classes, renderer_classes
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response


class PlainTextRenderer(BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data: object, accepted_media_type: str | None = None, renderer_context: object = None) -> bytes:
        return str(data).encode(self.charset)


@extend_schema(
    summary="Streaming health",
    description=(
        "`OK` while this process serves the streaming API. The stream itself is a WebSocket at "
        "`/api/v1/streaming` speaking Mastodon's streaming protocol (README, section Streaming)."
    ),
    auth=[],
    responses={200: OpenApiResponse(OpenApiTypes.STR, description="`OK`")},
)
@api_view(["GET"])
@permission_classes([AllowAny])
@renderer_classes([PlainTextRenderer])
def streaming_health(request: Request) -> Response:
    return Response("OK", content_type="text/plain; charset=utf-8")
