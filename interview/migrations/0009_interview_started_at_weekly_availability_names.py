from django.db import migrations, models


def started_when_first_entered(apps, schema_editor):
    """Interviews someone already entered started, at the latest, when their step clock first ran;
    the first step change or scheduled start is the best we know."""
    Interview = apps.get_model("interview", "Interview")
    TranscriptEvent = apps.get_model("interview", "TranscriptEvent")
    for interview in Interview.objects.filter(started_at__isnull=True, step_started_at__isnull=False):
        first = (
            TranscriptEvent.objects.filter(interview_id=interview.pk)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        ).first()
        interview.started_at = min(moment for moment in (first, interview.step_started_at) if moment is not None)
        interview.save(update_fields=["started_at"])


def canonical_time_zones(apps, schema_editor):
    """Profiles and weekly windows saved with an alias (Asia/Calcutta) get its canonical zone
    (Asia/Kolkata): the same clock, so no window moves. Names that are no place stay as they are."""
    from interview.zones import canonical_zone

    for model in ("Profile", "WeeklyAvailability"):
        rows = apps.get_model("interview", model).objects
        for zone in set(rows.values_list("time_zone", flat=True)):
            canonical = canonical_zone(zone)
            if canonical is not None and canonical != zone:
                rows.filter(time_zone=zone).update(time_zone=canonical)


class Migration(migrations.Migration):
    dependencies = [
        ("interview", "0008_recording"),
    ]

    operations = [
        migrations.AddField(
            model_name="interview",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterModelOptions(
            name="weeklyavailability",
            options={
                "ordering": ["weekday", "start_time"],
                "verbose_name": "weekly availability",
                "verbose_name_plural": "weekly availability",
            },
        ),
        migrations.RunPython(started_when_first_entered, migrations.RunPython.noop),
        migrations.RunPython(canonical_time_zones, migrations.RunPython.noop),
    ]
