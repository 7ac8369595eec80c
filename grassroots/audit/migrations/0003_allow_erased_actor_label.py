"""The audit log's one permitted UPDATE: an erased member's email label becomes their pseudonym.

Erasure (grassroots.people.erasure) deletes the member's login and must not leave their email
in ``actor_label``. The guard still refuses every other UPDATE. It lets a row change only when

- nothing but ``actor_label`` changes;
- the row was written by a login (``actor_id`` set) that no longer exists;
- the label is not already an erased label, so it changes once;
- the new label is exactly ``erased member #<membership number>`` of a member record that is
  erased and has no login.

So nobody can relabel the rows of a living login, or point an erased member's rows at a
number of their choosing unless that record is itself erased. DELETE and TRUNCATE are as
migration 0002 left them.
"""

from django.db import migrations

PREFIX = "erased member #"

_CONDITION = """
    NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor_id = OLD.actor_id
    AND NEW.action = OLD.action AND NEW.subject_type = OLD.subject_type
    AND NEW.subject_id = OLD.subject_id AND NEW.scope = OLD.scope
    AND NEW.purpose = OLD.purpose AND {detail_unchanged}
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
    IF {condition} THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_auditentry is append-only: UPDATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_update_guard();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_is_append_only();
DROP FUNCTION IF EXISTS audit_entry_update_guard();
"""
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
       WHEN NOT ({condition})
       BEGIN SELECT RAISE(ABORT, 'audit_auditentry is append-only: UPDATE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit_auditentry is append-only: UPDATE refused'); END;""",
]


def _condition(apps, vendor):
    return _CONDITION.format(
        detail_unchanged=(
            "NEW.detail = OLD.detail" if vendor == "postgresql" else "NEW.detail IS OLD.detail"
        ),
        length=len(PREFIX),
        prefix=PREFIX,
        user_table=apps.get_model("accounts", "User")._meta.db_table,
        member_table=apps.get_model("people", "Member")._meta.db_table,
    )


def allow_erased_label(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    condition = _condition(apps, vendor)
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD.replace("{condition}", condition), params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement.replace("{condition}", condition), params=None)
    else:
        raise RuntimeError(f"No append-only guard for the {vendor} database.")


def refuse_every_update(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    else:
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_refuse_update_and_delete"),
        ("accounts", "0003_user_session_generation"),
        ("people", "0004_contact_outcomes"),
    ]

    operations = [migrations.RunPython(allow_erased_label, refuse_every_update)]
