"""End-to-end verifiable ballots (issue 14): the ballot's mode, the tellers' public ceremony
values, mix stages and decryption shares. Existing ballots keep server-side encryption."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ballots", "0011_background_steps_and_published_files"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ballot",
            name="is_end_to_end",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="teller",
            name="transport_key",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="teller",
            name="deal",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="teller",
            name="has_checked_shares",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="question",
            name="e2e_papers",
            field=models.TextField(blank=True),
        ),
        migrations.CreateModel(
            name="MixStage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stage", models.PositiveSmallIntegerField()),
                ("mixer", models.CharField(max_length=200)),
                ("document", models.TextField()),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mix_stages",
                        to="ballots.question",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.member",
                    ),
                ),
            ],
            options={"ordering": ["question", "stage"]},
        ),
        migrations.AddConstraint(
            model_name="mixstage",
            constraint=models.UniqueConstraint(
                fields=("question", "stage"), name="mix_stage_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="mixstage",
            constraint=models.UniqueConstraint(
                fields=("question", "mixer"), name="mix_stage_mixer_once"
            ),
        ),
        migrations.CreateModel(
            name="DecryptionShares",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("document", models.TextField()),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="decryptions",
                        to="ballots.question",
                    ),
                ),
                (
                    "teller",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decryptions",
                        to="ballots.teller",
                    ),
                ),
            ],
            options={"verbose_name_plural": "decryption shares"},
        ),
        migrations.AddConstraint(
            model_name="decryptionshares",
            constraint=models.UniqueConstraint(
                fields=("question", "teller"), name="decryption_once"
            ),
        ),
    ]
