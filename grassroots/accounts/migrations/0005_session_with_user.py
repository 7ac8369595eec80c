"""Sessions move to ``accounts_session``, which keeps the user's id beside the data so a request
reads its session and its user in one query (grassroots.accounts.sessions). Live sessions are
copied over, so nobody is logged out by the upgrade; ``django_session`` is left as it was (no
longer read) and can be dropped by hand after the upgrade."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

BATCH = 5000


def user_id_in(data: dict[str, Any]) -> int | None:
    """The user id Django's login stored in the session (``_auth_user_id``), if any."""
    try:
        return int(data["_auth_user_id"])
    except (KeyError, TypeError, ValueError):
        return None


def copy_live_sessions(apps: Any, schema_editor: Any) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    old = apps.get_model("sessions", "Session")
    new = apps.get_model("accounts", "Session")
    using = schema_editor.connection.alias
    decoder = SessionStore()
    live = old.objects.using(using).filter(expire_date__gt=timezone.now()).order_by("pk")
    after = ""
    while True:
        rows = list(live.filter(pk__gt=after)[:BATCH])
        if not rows:
            return
        new.objects.using(using).bulk_create(
            [
                new(
                    session_key=row.session_key,
                    session_data=row.session_data,
                    expire_date=row.expire_date,
                    user_id=user_id_in(decoder.decode(row.session_data)),
                )
                for row in rows
            ]
        )
        after = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_cache_table_under_any_settings"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "user",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "db_table": "accounts_session",
                "abstract": False,
            },
        ),
        migrations.RunPython(copy_live_sessions, migrations.RunPython.noop, elidable=True),
    ]
