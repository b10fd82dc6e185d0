"""Background work. Tasks take ids, re-read the rows and call one service, so running one twice is
harmless. The periodic ones are scheduled in CELERY_BEAT_SCHEDULE (config/settings.py)."""

from celery import shared_task


@shared_task
def run_match_queue() -> int:
    from .services import match_queue_run

    return len(match_queue_run())


@shared_task
def record_no_shows() -> int:
    from .services import bookings_record_no_shows

    return bookings_record_no_shows()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_booking(booking_id: int, event: str) -> int:
    """Email the people a booking event concerns (invited, accepted, declined, booked, matched,
    rescheduled, cancelled); an event that no longer matches the booking sends nothing."""
    from .services.notifications import booking_notify

    return booking_notify(booking_id=booking_id, event=event)


@shared_task
def queue_reminders() -> int:
    """Every minute: make the reminders that are due and queue one send per unsent reminder."""
    from .services.reminders import reminders_queue_due

    reminder_ids = reminders_queue_due()
    for reminder_id in reminder_ids:
        send_reminder.delay(reminder_id)
    return len(reminder_ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_reminder(reminder_id: int) -> bool:
    """Send one reminder at most once, however often this runs (see interview/services/reminders.py)."""
    from .services.reminders import reminder_send

    return reminder_send(reminder_id=reminder_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def transcribe_chunk(chunk_id: int) -> int:
    """Transcribe one recorded chunk into speech segments (again, replacing them, if run twice)."""
    from .services.speech import speech_transcribe_chunk

    return len(speech_transcribe_chunk(chunk_id=chunk_id))


@shared_task
def transcribe_track(interview_id: int, speaker_id: int) -> int:
    """After the end: one speaker's whole track in one pass, replacing their chunk segments."""
    from .services.speech import speech_transcribe_track

    events = speech_transcribe_track(interview_id=interview_id, speaker_id=speaker_id)
    return -1 if events is None else len(events)


@shared_task
def purge_recordings() -> int:
    """Hourly: delete audio older than RECORDING_RETENTION_DAYS."""
    from .services.recording import recordings_purge

    return recordings_purge()
