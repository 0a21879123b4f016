from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, sign-up, sign-in, profiles, interests and activity sessions."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The data export's sections of accounts itself come first; the apps above add theirs.
        from accounts.export import register

        register()
