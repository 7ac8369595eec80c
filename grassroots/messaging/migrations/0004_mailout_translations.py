"""System mail in each member's language (issue 21): the other languages' texts of a mailout."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("messaging", "0003_delivery_mailout_index")]

    operations = [
        migrations.AddField(
            model_name="mailout",
            name="translations",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
