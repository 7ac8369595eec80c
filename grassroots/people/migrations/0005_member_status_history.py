"""Membership status history (grassroots.people.standing).

1. The table, with the index the "status on a date" probe reads.
2. The backfill: one entry per existing member, their current status from the day they joined
   (cause "backfill"), in one INSERT ... SELECT, so 100,000 members take a moment, not a loop.
3. On PostgreSQL, a deferred constraint trigger: at commit, a member inserted or whose status
   changed must have, as their latest entry, that status. A writer that forgets to record the
   change cannot commit it. SQLite has no deferred triggers; there tests/people/
   test_status_history.py enumerates the writers instead.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION people_member_status_has_history() RETURNS trigger AS $$
DECLARE
    now_status text;
    latest text;
BEGIN
    -- Checked at commit: the row as it stands then (changed again, or deleted, meanwhile).
    SELECT m.status INTO now_status FROM people_member m WHERE m.id = NEW.id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT h.status INTO latest FROM people_memberstatuschange h
        WHERE h.member_id = NEW.id ORDER BY h.effective_on DESC, h.id DESC LIMIT 1;
    IF latest IS DISTINCT FROM now_status THEN
        RAISE EXCEPTION 'member % has status % but its latest status history entry says %: '
            'record the change with grassroots.people.standing.record_status_changes',
            NEW.id, now_status, coalesce(latest, 'nothing')
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER people_member_insert_has_history
    AFTER INSERT ON people_member DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION people_member_status_has_history();
CREATE CONSTRAINT TRIGGER people_member_status_change_has_history
    AFTER UPDATE OF status ON people_member DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION people_member_status_has_history();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS people_member_status_change_has_history ON people_member;
DROP TRIGGER IF EXISTS people_member_insert_has_history ON people_member;
DROP FUNCTION IF EXISTS people_member_status_has_history();
"""


def backfill(apps, schema_editor):
    Member = apps.get_model("people", "Member")
    Change = apps.get_model("people", "MemberStatusChange")
    quote = schema_editor.connection.ops.quote_name
    history, members = quote(Change._meta.db_table), quote(Member._meta.db_table)
    # Table names are the models' own, quoted; the one value is a parameter (bandit B608).
    schema_editor.execute(
        f"INSERT INTO {history} (member_id, status, effective_on, cause, recorded_at) "  # noqa: S608  # nosec B608
        f"SELECT id, status, joined_on, 'backfill', %s FROM {members}",
        params=[schema_editor.connection.ops.adapt_datetimefield_value(timezone.now())],
    )


def unbackfill(apps, schema_editor):
    apps.get_model("people", "MemberStatusChange").objects.filter(cause="backfill").delete()


def install_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def remove_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_contact_outcomes"),
    ]

    operations = [
        migrations.CreateModel(
            name="MemberStatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("member", "Member"),
                            ("supporter", "Supporter"),
                            ("lapsed", "Lapsed"),
                            ("suspended", "Suspended"),
                        ],
                        max_length=10,
                    ),
                ),
                ("effective_on", models.DateField()),
                (
                    "cause",
                    models.CharField(
                        choices=[
                            ("joined", "Joined"),
                            ("import", "Member import"),
                            ("seed", "Demo or benchmark data"),
                            ("backfill", "Status when the history began"),
                        ],
                        max_length=10,
                    ),
                ),
                ("recorded_at", models.DateTimeField()),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_changes",
                        to="people.member",
                    ),
                ),
            ],
            options={
                "ordering": ["member", "effective_on", "id"],
                "indexes": [
                    models.Index(
                        fields=["member", "effective_on", "id"], name="member_status_on_date"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, unbackfill),
        migrations.RunPython(install_guard, remove_guard),
    ]
