from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_quorum_rule_history")]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="presence",
            field=models.CharField(
                choices=[("room", "In the room"), ("online", "Online")],
                default="room",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="outcome",
            name="majority",
            field=models.CharField(
                choices=[("majority", "Simple majority"), ("two-thirds", "Two-thirds majority")],
                default="majority",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="outcome",
            name="quorum_override",
            field=models.TextField(blank=True),
        ),
    ]
