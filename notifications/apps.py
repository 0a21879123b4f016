from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications (grouped as Mastodon groups them), their preferences and the email digest."""

    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The fan-out: receivers of the domain signals of social, content and accounts.
        from notifications import receivers

        receivers.connect()

        # accounts may not import notifications: deleting an account removes them through this hook,
        # and the data export reads the preferences through this section.
        from accounts.account_hooks import account_deletion_hook_register
        from notifications.export import register
        from notifications.services import account_notifications_remove

        account_deletion_hook_register("notifications", account_notifications_remove)
        register()
