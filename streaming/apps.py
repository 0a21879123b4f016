from django.apps import AppConfig


class StreamingConfig(AppConfig):
    """The streaming API (WebSocket, Mastodon's protocol): live posts, notifications and deletes."""

    name = "streaming"
    default_auto_field = "django.db.models.BigAutoField"
