"""Tellers' shares kept by a deployment's share keeper move off the ballot into a table of their
own, and the demo's mark on the ballot goes: whether a ballot's shares are kept, and whether it
may close early, are now the deployment's settings (grassroots.ballots.custody), not the
ballot's. Shares already kept are moved as they are (still sealed under the same label)."""

from django.db import migrations, models
from django.utils import timezone


def move_kept_shares(apps, schema_editor):
    Ballot = apps.get_model("ballots", "Ballot")
    KeptShares = apps.get_model("ballots", "KeptShares")
    kept = Ballot.objects.filter(demo_shares_sealed__isnull=False)
    KeptShares.objects.bulk_create(
        KeptShares(
            ballot_id=ballot.pk, sealed=bytes(ballot.demo_shares_sealed), kept_at=timezone.now()
        )
        for ballot in kept
    )


def move_them_back(apps, schema_editor):
    Ballot = apps.get_model("ballots", "Ballot")
    KeptShares = apps.get_model("ballots", "KeptShares")
    for kept in KeptShares.objects.all():
        Ballot.objects.filter(pk=kept.ballot_id).update(
            is_demo=True, demo_shares_sealed=bytes(kept.sealed)
        )


class Migration(migrations.Migration):
    dependencies = [("ballots", "0008_group_support")]

    operations = [
        migrations.CreateModel(
            name="KeptShares",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sealed", models.BinaryField(max_length=2048)),
                ("kept_at", models.DateTimeField()),
                (
                    "ballot",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        related_name="kept_shares",
                        to="ballots.ballot",
                    ),
                ),
            ],
            options={"verbose_name_plural": "kept shares"},
        ),
        migrations.RunPython(move_kept_shares, move_them_back),
        migrations.RemoveConstraint(model_name="ballot", name="ballot_only_demo_keeps_shares"),
        migrations.RemoveField(model_name="ballot", name="demo_shares_sealed"),
        migrations.RemoveField(model_name="ballot", name="is_demo"),
    ]
