"""Create the shared cache table named in settings.CACHES (login throttling, TOTP replay).

Running it as a migration means `migrate` is the only deployment step, and every test database
has the table. `createcachetable` skips tables that already exist and does nothing for caches
that are not database caches (the demo's per-process cache). If CACHES later names a new table,
run `manage.py createcachetable` once.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
