from django.apps import AppConfig


class SocialConfig(AppConfig):
    """The user graph: follows, mutes and blocks."""

    name = "social"
    default_auto_field = "django.db.models.BigAutoField"
