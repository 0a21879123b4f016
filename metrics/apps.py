from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """Error logs, health and the metrics roll-ups."""

    name = "metrics"
    default_auto_field = "django.db.models.BigAutoField"
