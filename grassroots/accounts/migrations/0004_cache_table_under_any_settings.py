"""Create the login cache's table whatever the settings `migrate` runs under.

0002 made the table only when the settings of the day named a database cache, so a database
migrated under the demo settings (a per-process cache) and then served under production's had
no table, and every login was an error (issue 20, item 8). The name is production's
(grassroots.settings.base.CACHES); `createcachetable` skips a table that already exists.
"""

from django.core.management import call_command
from django.db import migrations

CACHE_TABLE = "grassroots_cache"


def create_cache_table(apps, schema_editor):
    call_command(
        "createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_session_generation")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
