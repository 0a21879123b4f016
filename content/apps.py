from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Tickers, posts, comments, reactions, reposts, bookmarks, media, watchlists."""

    name = "content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # polls may not import content: it asks whether a poll's post is visible through this hook.
        from content.polls import poll_visible
        from polls.visibility import poll_visibility_register

        poll_visibility_register(poll_visible)

        # accounts may not import content either: deleting an account removes its content through this hook.
        from accounts.account_hooks import account_deletion_hook_register
        from content.services.account_deletion import account_content_remove

        account_deletion_hook_register("content", account_content_remove)

        # ... and its data export reads it through these sections.
        from content.export import register

        register()

        # markets may not import content: the scheduled price refresh asks it which symbols are tracked.
        from content.market_hooks import tracked_symbols
        from markets.tracking import tracked_symbols_register

        tracked_symbols_register(tracked_symbols)

        # The home timelines follow posts, reposts and follows (content.receivers).
        import content.receivers  # noqa: F401
