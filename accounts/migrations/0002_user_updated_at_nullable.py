from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 1 of 3 of a new non-null column: add it nullable (no table rewrite)."""

    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="updated_at",
            field=models.DateTimeField(null=True),
        ),
    ]
