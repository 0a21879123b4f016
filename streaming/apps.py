from django.apps import AppConfig


class StreamingConfig(AppConfig):
    """The streaming API (WebSocket, Mastodon's protocol): live posts, notifications and deletes."""

    name = "streaming"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The fan-out: receivers of the domain signals of content, social, accounts and notifications.
        from streaming import receivers

        receivers.connect()
