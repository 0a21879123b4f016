"""Counters on post rows (content.counters), filled from the rows they count."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

BATCH = 5_000


def _count(queryset, column):
    counted = queryset.filter(**{column: OuterRef("pk")}).order_by().values(column).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), Value(0))


def fill_counters(apps, schema_editor):
    Post = apps.get_model("content", "Post")
    visible = Q(deleted_at__isnull=True, is_hidden=False)
    counters = {
        "reactions_count": _count(apps.get_model("content", "PostReaction").objects.all(), "post_id"),
        "comments_count": _count(apps.get_model("content", "Comment").objects.filter(visible), "post_id"),
        "reposts_count": _count(apps.get_model("content", "Repost").objects.all(), "post_id"),
        "quotes_count": _count(Post.objects.filter(visible), "quoted_post_id"),
        "bookmarks_count": _count(apps.get_model("content", "Bookmark").objects.all(), "post_id"),
    }
    last = 0
    while True:
        ids = list(Post.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        last = ids[-1]
        Post.objects.filter(pk__in=ids).update(**counters)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0010_mentions"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="bookmarks_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="post",
            name="comments_count",
            field=models.PositiveIntegerField(default=0, help_text="Visible comments and replies."),
        ),
        migrations.AddField(
            model_name="post",
            name="quotes_count",
            field=models.PositiveIntegerField(default=0, help_text="Visible posts quoting this one."),
        ),
        migrations.AddField(
            model_name="post",
            name="reactions_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="post",
            name="reposts_count",
            field=models.PositiveIntegerField(default=0, help_text="Plain reposts."),
        ),
        migrations.RunPython(fill_counters, migrations.RunPython.noop),
    ]
