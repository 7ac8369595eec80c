"""The box's pages keep room for each paper's decrypted plaintext (issue 22, PostgreSQL only).

The count writes every paper's plaintext onto its box row. On full pages (fillfactor 100) the
new row version goes to another page, so every paper also adds an entry to each of the box's
indexes (its random UUID key, its tracker, its log position); once those indexes outgrow the
shared buffers each entry is a random page read, and the count's database time grew faster
than the papers (docs/benchmarks.md). With 60% of each page left free when the sealer writes
it, the new version fits on the same page beside the old one: a heap-only (HOT) update, which
writes no index entry at all. The cost is a box about 2.5 times larger on disk.

Only pages written from now on are filled to 40%; the rows already stored keep their pages.
"""

from django.db import migrations

BOX_FILLFACTOR = 40


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("ballots", "BallotBoxEntry")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {BOX_FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("ballots", "BallotBoxEntry")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("ballots", "0022_roll_checks_the_open_writes")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
