from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications (grouped as Mastodon groups them), their preferences and the email digest."""

    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
