from django.db import migrations
from django.db.models import F


def fill_from_created_at(apps, schema_editor):
    # Never edited before the column existed: last changed when created.
    apps.get_model("accounts", "User").objects.filter(updated_at__isnull=True).update(updated_at=F("created_at"))


class Migration(migrations.Migration):
    """Step 2 of 3: existing rows get updated_at = created_at."""

    dependencies = [("accounts", "0002_user_updated_at_nullable")]

    operations = [migrations.RunPython(fill_from_created_at, migrations.RunPython.noop)]
