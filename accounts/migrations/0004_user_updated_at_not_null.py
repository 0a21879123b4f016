import django.utils.timezone
from django.db import migrations

import core.fields


class Migration(migrations.Migration):
    """Step 3 of 3: every row has a value; from now on save() sets it (core.fields.UpdatedAtField)."""

    dependencies = [("accounts", "0003_user_updated_at_fill")]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="updated_at",
            field=core.fields.UpdatedAtField(default=django.utils.timezone.now),
        ),
    ]
