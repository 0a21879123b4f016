"""The report queue (a proxy for the admin), the `moderate` permission, and the Moderators group.

Moderators are staff (`is_staff=True`, not superusers) in the Moderators group:
they may view and work the report queue, act on reports (`moderation.moderate`),
read the audit log, and view posts, comments and users in the admin. Nothing more.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
# (app_label, codename), frozen here: a later change of the group is a later migration.
PERMISSIONS = [
    ("moderation", "view_report"),
    ("moderation", "change_report"),
    ("moderation", "moderate"),
    ("moderation", "view_moderationaction"),
    ("content", "view_post"),
    ("content", "view_comment"),
    ("accounts", "view_user"),
]


def moderators_group_create(apps, schema_editor):
    """Creates (or brings back to exactly these permissions) the Moderators group. Idempotent."""
    # Permissions are made by a post_migrate signal, after every migration has run; on a
    # fresh database they do not exist yet, so make those of the apps we need now.
    for label in sorted({app_label for app_label, _ in PERMISSIONS}):
        config = apps.get_app_config(label)
        stub = getattr(config, "models_module", None) is None  # the migration state's app configs have none
        if stub:
            config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        if stub:
            config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in PERMISSIONS
    ]
    group.permissions.set(permissions)


def moderators_group_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("content", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="report",
            options={"permissions": [("moderate", "Can act on reported content: hide, delete, suspend, dismiss")]},
        ),
        migrations.CreateModel(
            name="ReportQueue",
            fields=[],
            options={
                "verbose_name": "report queue",
                "verbose_name_plural": "report queue",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("moderation.report",),
        ),
        migrations.RunPython(moderators_group_create, moderators_group_delete),
    ]
