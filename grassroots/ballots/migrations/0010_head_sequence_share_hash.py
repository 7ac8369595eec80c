"""Number the signed heads per ballot (issue 20, item 3) and keep each teller's share hash
(item 10). Heads already stored are numbered in the order they were signed (by id)."""

from django.db import migrations, models


def number_heads(apps, schema_editor):  # type: ignore[no-untyped-def]
    LogHead = apps.get_model("ballots", "LogHead")
    numbers: dict[int, int] = {}
    for head in LogHead.objects.order_by("ballot_id", "id").only("id", "ballot_id").iterator():
        head.sequence = numbers.get(head.ballot_id, 0)
        numbers[head.ballot_id] = head.sequence + 1
        head.save(update_fields=["sequence"])


class Migration(migrations.Migration):
    dependencies = [("ballots", "0009_kept_shares_off_the_ballot")]

    operations = [
        migrations.AddField(
            model_name="teller",
            name="share_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="loghead",
            name="sequence",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(number_heads, migrations.RunPython.noop),
        migrations.AlterModelOptions(name="loghead", options={"ordering": ["ballot", "sequence"]}),
        migrations.AddConstraint(
            model_name="loghead",
            constraint=models.UniqueConstraint(
                fields=("ballot", "sequence"), name="head_sequence_unique"
            ),
        ),
    ]
