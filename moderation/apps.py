from django.apps import AppConfig


class ModerationConfig(AppConfig):
    """Reports and the moderation audit log."""

    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"
