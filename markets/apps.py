from django.apps import AppConfig


class MarketsConfig(AppConfig):
    """Daily price bars per symbol, the latest quote derived from them, and the providers that load them."""

    name = "markets"
    default_auto_field = "django.db.models.BigAutoField"
