from django.urls import path

from metrics.api.health import LivenessView, ReadinessView

urlpatterns = [
    path("health", LivenessView.as_view(), name="health"),
    path("health/ready", ReadinessView.as_view(), name="health-ready"),
]
