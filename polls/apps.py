from django.apps import AppConfig


class PollsConfig(AppConfig):
    """Polls, their options and votes."""

    name = "polls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # accounts may not import polls: the user's data export reads their votes through this section.
        from polls.export import register

        register()
