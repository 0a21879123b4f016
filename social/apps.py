from django.apps import AppConfig


class SocialConfig(AppConfig):
    """The user graph: follows, mutes and blocks."""

    name = "social"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # accounts may not import social: deleting an account removes its relationships through this hook.
        from accounts.account_hooks import account_deletion_hook_register
        from social.services import account_relationships_remove

        account_deletion_hook_register("social", account_relationships_remove)

        # ... and its data export reads them through these sections.
        from social.export import register

        register()
