from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 1 of 3 of a new non-null column: add it nullable (no table rewrite)."""

    dependencies = [("content", "0006_ticker_is_listed_authors_count")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="updated_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="comment",
            name="updated_at",
            field=models.DateTimeField(null=True),
        ),
    ]
