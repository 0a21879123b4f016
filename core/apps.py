from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing that belongs to no domain: problem details, paging, rate limits."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"
