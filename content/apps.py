from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Tickers, posts, comments, reactions, reposts, bookmarks, media, watchlists."""

    name = "content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # accounts may not import content: deleting an account removes its content through this hook.
        from accounts.account_hooks import account_deletion_hook_register
        from content.services.account_deletion import account_content_remove

        account_deletion_hook_register("content", account_content_remove)
