"""Erasure: ``Member.erased_at`` marks a pseudonymised record, and ``ErasedAddress`` holds the
suppression list (HMACs of erased email addresses) that stops them being imported again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0002_member_list_indexes")]

    operations = [
        migrations.AddField(
            model_name="member",
            name="erased_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="ErasedAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("erased_at", models.DateTimeField()),
            ],
            options={"verbose_name_plural": "erased addresses"},
        ),
    ]
