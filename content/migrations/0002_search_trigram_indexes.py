"""Trigram indexes for search (PostgreSQL only; other databases are left alone).

`content.search` filters on ``lower(column) LIKE 'term%'`` and
``lower(column) LIKE '% term%'`` (a later word starts with the term); a GIN
index with ``gin_trgm_ops`` on the same ``lower(...)`` expression serves both,
which a B-tree cannot. Built CONCURRENTLY, so writes to users go on meanwhile
(hence a non-atomic migration); should a build fail, drop the INVALID index it
leaves and migrate again. The ticker symbol prefix needs nothing new: PostgreSQL
already has a ``varchar_pattern_ops`` index for the ``CharField`` primary key.

These indexes are not in any model's ``Meta`` because SQLite cannot build them,
so ``makemigrations`` neither knows nor cares about them.
"""

from django.db import migrations

# (index name, app label, model, column)
INDEXES = [
    ("user_username_trgm_idx", "accounts", "User", "username"),
    ("user_display_name_trgm_idx", "accounts", "User", "display_name"),
    ("ticker_name_trgm_idx", "content", "Ticker", "name"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, app_label, model_name, column in INDEXES:
        table = apps.get_model(app_label, model_name)._meta.db_table
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {quote(name)} "
            f"ON {quote(table)} USING gin (lower({quote(column)}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: something else may use it by now.
    for name, _, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0001_initial"),
        ("content", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
