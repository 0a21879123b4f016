from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Tickers, posts, comments, reactions, reposts, bookmarks, media, watchlists."""

    name = "content"
    default_auto_field = "django.db.models.BigAutoField"
