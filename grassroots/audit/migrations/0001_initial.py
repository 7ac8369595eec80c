import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(db_index=True)),
                ("actor_label", models.CharField(max_length=254)),
                ("action", models.CharField(db_index=True, max_length=64)),
                ("subject_type", models.CharField(max_length=64)),
                ("subject_id", models.CharField(blank=True, max_length=64)),
                ("scope", models.CharField(blank=True, max_length=120)),
                ("purpose", models.CharField(blank=True, max_length=200)),
                ("detail", models.JSONField(blank=True, default=dict)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name_plural": "audit entries", "ordering": ["-at", "-id"]},
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                fields=["subject_type", "subject_id"], name="audit_audit_subject_428d52_idx"
            ),
        ),
    ]
