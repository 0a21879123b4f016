from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set (`seed_demo`): last in the dependency order, as it writes every other app's rows."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
