from django.apps import AppConfig
from django.core.signals import got_request_exception


class MetricsConfig(AppConfig):
    """Error logs, health and the metrics roll-ups."""

    name = "metrics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from metrics.signals import error_log_unhandled

        # Every sender: the request handler class, None and ProblemDetailsMiddleware all send it.
        got_request_exception.connect(error_log_unhandled, dispatch_uid="metrics.error_log_unhandled")
