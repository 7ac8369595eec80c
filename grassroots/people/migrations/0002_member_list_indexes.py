"""Indexes for the member list at 100,000+ members (docs/benchmarks/foundation.md).

- ``member_list_order``: the list's ORDER BY (last_name, first_name, id), so the national
  office's first page is read from the index instead of sorting every member.
- On PostgreSQL, prefix-search indexes matching what Django writes for ``istartswith``
  (``UPPER(col::text) LIKE UPPER('smi%')``), with text_pattern_ops so LIKE can use them under
  any collation. SQLite's LIKE cannot use such indexes, so they are PostgreSQL only.
"""

from django.db import migrations, models

PREFIX_COLUMNS = ("last_name", "first_name", "postcode")


def create_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in PREFIX_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS member_{column}_upper_prefix "
            f"ON people_member (UPPER({column}::text) text_pattern_ops)"
        )


def drop_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in PREFIX_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS member_{column}_upper_prefix")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["last_name", "first_name", "id"], name="member_list_order"),
        ),
        migrations.RunPython(create_prefix_indexes, drop_prefix_indexes),
    ]
