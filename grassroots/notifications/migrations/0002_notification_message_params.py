"""A notification says what it says as a message key and parameters, put into words in the
reader's language when it is read (issue 21). Existing rows whose title has one of the undated
shapes get their key and parameters; the dated ones (a ballot's close, a meeting's start, a
proposal's close: the date was written out in English) keep showing their title as written."""

import re

from django.db import migrations, models

BATCH = 2000

SHAPES = [
    ("ballot_published", re.compile(r"^Result published: (?P<title>.+)$")),
    ("survey_opened", re.compile(r"^Survey open: (?P<title>.+)$")),
    ("initiative_to_sign", re.compile(r"^Sign if you agree: (?P<title>.+)$")),
    ("motion_to_second", re.compile(r"^(?P<proposer>.+?) asks you to second “(?P<title>.+)”$")),
]
PREFIXES = {
    "ballot_published": "Result published: ",
    "survey_opened": "Survey open: ",
    "initiative_to_sign": "Sign if you agree: ",
    "motion_to_second": "",
}


def keys_for_old_titles(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for key, shape in SHAPES:
        rows = Notification.objects.filter(message="")
        if PREFIXES[key]:
            rows = rows.filter(title__startswith=PREFIXES[key])
        else:
            rows = rows.filter(title__contains=" asks you to second “")
        last = 0
        while batch := list(rows.filter(pk__gt=last).order_by("pk").only("pk", "title")[:BATCH]):
            last = batch[-1].pk
            changed = []
            for row in batch:
                match = shape.match(row.title)
                if match is not None:
                    row.message = key
                    row.params = match.groupdict()
                    changed.append(row)
            Notification.objects.bulk_update(changed, ["message", "params"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_notifications_preferences_digests")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="message",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(keys_for_old_titles, migrations.RunPython.noop),
    ]
