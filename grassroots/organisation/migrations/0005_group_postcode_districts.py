from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisation", "0004_officer_appointments")]

    operations = [
        migrations.AddField(
            model_name="group",
            name="postcode_districts",
            field=models.CharField(blank=True, max_length=500),
        ),
    ]
