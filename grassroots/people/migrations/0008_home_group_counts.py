"""Members per home group, kept by triggers on the member table (issue 22): the national
overview reads these counts instead of counting every member, whose speed depended on the
visibility map being fresh. PostgreSQL: statement-level triggers over the transition tables,
one upsert per statement; SQLite: row-level triggers."""

import django.db.models.deletion
from django.db import migrations, models

POSTGRES_FUNCTION = """
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {counts} (group_id, members)
    SELECT group_id, sum(change) FROM (
        {new_side}
        {union}
        {old_side}
    ) AS delta GROUP BY group_id HAVING sum(change) <> 0
    ON CONFLICT (group_id) DO UPDATE SET members = {counts}.members + EXCLUDED.members;
    RETURN NULL;
END $$
"""
NEW_SIDE = "SELECT home_group_id AS group_id, count(*) AS change FROM new_rows GROUP BY 1"
OLD_SIDE = "SELECT home_group_id AS group_id, -count(*) AS change FROM old_rows GROUP BY 1"

SQLITE_TRIGGERS = [
    """CREATE TRIGGER people_member_count_insert AFTER INSERT ON {members} BEGIN
        INSERT INTO {counts} (group_id, members) VALUES (NEW.home_group_id, 1)
        ON CONFLICT(group_id) DO UPDATE SET members = members + 1;
    END""",
    """CREATE TRIGGER people_member_count_delete AFTER DELETE ON {members} BEGIN
        UPDATE {counts} SET members = members - 1 WHERE group_id = OLD.home_group_id;
    END""",
    """CREATE TRIGGER people_member_count_update AFTER UPDATE OF home_group_id ON {members}
    WHEN OLD.home_group_id <> NEW.home_group_id BEGIN
        UPDATE {counts} SET members = members - 1 WHERE group_id = OLD.home_group_id;
        INSERT INTO {counts} (group_id, members) VALUES (NEW.home_group_id, 1)
        ON CONFLICT(group_id) DO UPDATE SET members = members + 1;
    END""",
]


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    quote = schema_editor.quote_name
    members = quote(apps.get_model("people", "Member")._meta.db_table)
    counts = quote(apps.get_model("people", "HomeGroupCount")._meta.db_table)
    statements = [
        f"INSERT INTO {counts} (group_id, members) "  # noqa: S608  # nosec B608 (model tables)
        f"SELECT home_group_id, count(*) FROM {members} GROUP BY home_group_id"
    ]
    if schema_editor.connection.vendor == "postgresql":
        for event, new_side, old_side, referencing in (
            ("INSERT", NEW_SIDE, "", "NEW TABLE AS new_rows"),
            ("DELETE", "", OLD_SIDE, "OLD TABLE AS old_rows"),
            ("UPDATE", NEW_SIDE, OLD_SIDE, "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ):
            function = f"people_home_group_count_{event.lower()}"
            statements.append(
                POSTGRES_FUNCTION.format(
                    function=function,
                    counts=counts,
                    new_side=new_side,
                    old_side=old_side,
                    union="UNION ALL" if new_side and old_side else "",
                )
            )
            statements.append(
                f"CREATE TRIGGER {function} AFTER {event} ON {members} "
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    else:
        statements += [t.format(members=members, counts=counts) for t in SQLITE_TRIGGERS]
    for statement in statements:
        schema_editor.execute(statement)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    members = schema_editor.quote_name(apps.get_model("people", "Member")._meta.db_table)
    for event in ("insert", "delete", "update"):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER people_home_group_count_{event} ON {members}")
            schema_editor.execute(f"DROP FUNCTION people_home_group_count_{event}()")
        else:
            schema_editor.execute(f"DROP TRIGGER people_member_count_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0006_structure_changes"),
        ("people", "0007_paid_up_requirements"),
    ]

    operations = [
        migrations.CreateModel(
            name="HomeGroupCount",
            fields=[
                (
                    "group",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="organisation.group",
                    ),
                ),
                ("members", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
