from django.apps import AppConfig


class ModerationConfig(AppConfig):
    """Reports and the moderation audit log."""

    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # content may not import moderation: it asks for other users' content to be removed through this hook.
        from content.moderation_hooks import content_remover_register
        from moderation.services import content_delete

        content_remover_register(content_delete)

        # accounts may not import moderation: the user's data export reads the reports they filed here.
        from moderation.export import register

        register()
