import django.utils.timezone
from django.db import migrations

import core.fields


class Migration(migrations.Migration):
    """Step 3 of 3: every row has a value; from now on save() sets it (core.fields.UpdatedAtField)."""

    dependencies = [("content", "0008_post_comment_updated_at_fill")]

    operations = [
        migrations.AlterField(
            model_name="post",
            name="updated_at",
            field=core.fields.UpdatedAtField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="comment",
            name="updated_at",
            field=core.fields.UpdatedAtField(default=django.utils.timezone.now),
        ),
    ]
