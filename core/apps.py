from django.apps import AppConfig
from django.core.signals import request_finished
from django.urls import register_converter


class CoreConfig(AppConfig):
    """Shared plumbing that belongs to no domain: problem details, paging, rate limits."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.ids import IdConverter
        from core.logging import forget_request_id

        # Before any URLconf is imported, so every app's routes may use <id:...>.
        register_converter(IdConverter, "id")
        request_finished.connect(forget_request_id, dispatch_uid="core.forget_request_id")
