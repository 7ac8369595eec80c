"""Migration 0003's guard again, with every comparison NULL-safe.

SQLite's ``WHEN NOT (condition)`` does not fire when the condition is NULL, and ``NEW.actor_id
= OLD.actor_id`` is NULL when an UPDATE clears ``actor_id``: such an UPDATE (together with a
permitted label) slipped through. Columns are now compared with ``IS`` (SQLite) and ``IS NOT
DISTINCT FROM`` (PostgreSQL), and a NULL condition counts as "refuse" on both.
"""

from django.db import migrations

PREFIX = "erased member #"
COLUMNS = ("id", "at", "actor_id", "action", "subject_type", "subject_id", "scope", "purpose")

_CONDITION = """
    {unchanged}
    AND OLD.actor_id IS NOT NULL
    AND substr(OLD.actor_label, 1, {length}) <> '{prefix}'
    AND NOT EXISTS (SELECT 1 FROM {user_table} WHERE id = OLD.actor_id)
    AND EXISTS (
        SELECT 1 FROM {member_table}
        WHERE erased_at IS NOT NULL AND user_id IS NULL
          AND NEW.actor_label = '{prefix}' || membership_number
    )
"""

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION audit_entry_update_guard() RETURNS trigger AS $$
BEGIN
    IF coalesce(({condition}), false) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_auditentry is append-only: UPDATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
       WHEN NOT coalesce(({condition}), 0)
       BEGIN SELECT RAISE(ABORT, 'audit_auditentry is append-only: UPDATE refused'); END;""",
]


def _condition(apps, vendor):
    same = "IS NOT DISTINCT FROM" if vendor == "postgresql" else "IS"
    unchanged = " AND ".join(f"NEW.{c} {same} OLD.{c}" for c in (*COLUMNS, "detail"))
    return _CONDITION.format(
        unchanged=unchanged,
        length=len(PREFIX),
        prefix=PREFIX,
        user_table=apps.get_model("accounts", "User")._meta.db_table,
        member_table=apps.get_model("people", "Member")._meta.db_table,
    )


def null_safe_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    condition = _condition(apps, vendor)
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD.replace("{condition}", condition), params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement.replace("{condition}", condition), params=None)
    else:
        raise RuntimeError(f"No append-only guard for the {vendor} database.")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_allow_erased_actor_label")]

    # Backwards, migration 0003 reinstalls its own guard when it is itself reversed.
    operations = [migrations.RunPython(null_safe_guard, migrations.RunPython.noop)]
