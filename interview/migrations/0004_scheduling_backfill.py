import datetime

from django.db import migrations


def backfill(apps, schema_editor):
    """Give every profile a calendar token, and every existing interview a booking with holds."""
    import secrets

    Profile = apps.get_model("interview", "Profile")
    Interview = apps.get_model("interview", "Interview")
    Booking = apps.get_model("interview", "Booking")
    Hold = apps.get_model("interview", "Hold")
    for profile in Profile.objects.all():
        profile.calendar_token = secrets.token_urlsafe(32)
        profile.save(update_fields=["calendar_token"])
    for interview in Interview.objects.filter(booking__isnull=True):
        ends_at = interview.scheduled_at + datetime.timedelta(minutes=interview.duration_minutes)
        active = interview.status in ("invited", "accepted", "completed")
        booking = Booking.objects.create(
            kind="single",
            source="invite",
            status="active" if active else "cancelled",
            organizer_id=interview.created_by_id,
            peer_id=interview.candidate_id
            if interview.created_by_id == interview.interviewer_id
            else interview.interviewer_id,
            starts_at=interview.scheduled_at,
            ends_at=ends_at,
        )
        interview.booking = booking
        interview.save(update_fields=["booking"])
        if active:
            for user_id in (interview.interviewer_id, interview.candidate_id):
                clash = Hold.objects.filter(
                    user_id=user_id, starts_at__lt=ends_at, ends_at__gt=interview.scheduled_at
                ).exists()
                if not clash:  # older data may overlap; only the first of such interviews holds the time
                    Hold.objects.create(
                        booking=booking, user_id=user_id, starts_at=interview.scheduled_at, ends_at=ends_at
                    )


class Migration(migrations.Migration):
    dependencies = [("interview", "0003_scheduling")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
