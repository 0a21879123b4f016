from django.urls import path

from streaming.api.views import streaming_health

urlpatterns = [
    path("streaming/health", streaming_health, name="streaming-health"),
]
