"""The roll's pages keep room for each voter's mark (issue 22, PostgreSQL only).

Casting sets the voter's ``has_voted`` on their roll entry. On full pages (fillfactor 100) the
new row version goes to another page, so every cast also adds an entry to each of the roll's
five indexes and the WAL carries them: measured on the national ballot, 303,508 of 360,732 mark
updates were not heap-only. With half of each page left free when the roll is frozen, the new
version fits on the same page as the old: a heap-only (HOT) update, which writes no index entry
(``has_voted`` is in no index). A mark then also stays on the page where the roll put it, in
roll order, instead of moving to the end of the table in the order members voted.

Only pages written from now on (rolls frozen after this migration) are filled to half.
"""

from django.db import migrations

ROLL_FILLFACTOR = 50


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("ballots", "RollEntry")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {ROLL_FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("ballots", "RollEntry")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("ballots", "0024_roll_admitted_by_and_organisation_rule")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
