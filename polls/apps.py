from django.apps import AppConfig


class PollsConfig(AppConfig):
    """Polls, their options and votes."""

    name = "polls"
    default_auto_field = "django.db.models.BigAutoField"
