"""The streaming API's WebSocket route (``config.asgi`` mounts it behind the origin check)."""

from django.urls import path

from streaming.api.consumers import StreamingConsumer

websocket_urlpatterns = [
    path("api/v1/streaming", StreamingConsumer.as_asgi()),
]
