"""A member's own language (issue 21): empty until their first login sets it from the browser's
choice, so existing members need no data change.

Added by hand: on SQLite, Django adds a NOT NULL column by rebuilding the table, which the
audit log's append-only trigger (it names people_member) refuses. ``ADD COLUMN ... NOT NULL
DEFAULT ''`` works on both databases and, on PostgreSQL 11+, rewrites no row."""

from django.db import migrations, models

FIELD = models.CharField(
    blank=True,
    choices=[("en-gb", "English"), ("cy", "Cymraeg")],
    default="",
    max_length=8,
)


class Migration(migrations.Migration):
    dependencies = [("people", "0008_home_group_counts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="member", name="language", field=FIELD)
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE people_member ADD COLUMN language varchar(8) NOT NULL DEFAULT ''",
                    reverse_sql="ALTER TABLE people_member DROP COLUMN language",
                )
            ],
        ),
    ]
