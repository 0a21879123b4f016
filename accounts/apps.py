from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, sign-up, sign-in, profiles, interests and activity sessions."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
