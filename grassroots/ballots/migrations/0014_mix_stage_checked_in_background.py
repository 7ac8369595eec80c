"""A mix stage's proof of shuffle is checked by a background task after the upload (issue 14):
each stage carries whether it is being checked, accepted or refused, and why. Stages kept before
this were checked inside the upload's request, so they are accepted. A refused stage no longer
holds its number or its mixer's name."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ballots", "0013_quota_rules_normalised"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="mixstage", name="mix_stage_unique"),
        migrations.RemoveConstraint(model_name="mixstage", name="mix_stage_mixer_once"),
        migrations.AddField(
            model_name="mixstage",
            name="problem",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="mixstage",
            name="status",
            field=models.CharField(
                choices=[
                    ("checking", "Being checked"),
                    ("accepted", "Accepted"),
                    ("refused", "Refused"),
                ],
                default="accepted",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="mixstage",
            name="status",
            field=models.CharField(
                choices=[
                    ("checking", "Being checked"),
                    ("accepted", "Accepted"),
                    ("refused", "Refused"),
                ],
                default="checking",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="mixstage",
            constraint=models.UniqueConstraint(
                condition=~models.Q(status="refused"),
                fields=("question", "stage"),
                name="mix_stage_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="mixstage",
            constraint=models.UniqueConstraint(
                condition=~models.Q(status="refused"),
                fields=("question", "mixer"),
                name="mix_stage_mixer_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="mixstage",
            constraint=models.CheckConstraint(
                condition=models.Q(status__in=["checking", "accepted", "refused"]),
                name="mix_stage_status_valid",
            ),
        ),
    ]
