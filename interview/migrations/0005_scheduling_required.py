import django.db.models.deletion
from django.db import migrations, models

import interview.models


class Migration(migrations.Migration):
    dependencies = [("interview", "0004_scheduling_backfill")]

    operations = [
        migrations.AlterField(
            model_name="profile",
            name="calendar_token",
            field=models.CharField(default=interview.models.new_calendar_token, max_length=64, unique=True),
        ),
        migrations.AlterField(
            model_name="interview",
            name="booking",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="interviews", to="interview.booking"
            ),
        ),
    ]
