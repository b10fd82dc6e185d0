"""Reminders 24 hours and 15 minutes before a confirmed session, each sent exactly once.

How "once" holds:
- `reminders_queue_due` runs every minute (Celery beat). It writes one Reminder row per person, kind
  and start time; the unique key (booking, user, kind, starts_at) makes a second run, or two
  overlapping runs, find the rows already there. It returns the unsent ones, and a task is queued
  for each.
- `reminder_send` locks the row, sends, and marks it sent in one transaction. A duplicate task, a
  retry, or a redelivery after a worker restart waits on the lock or finds `sent_at` set, and sends
  nothing. A failed send (OSError from the mail server) rolls back, so the retry sends it.
- A reschedule changes the booking's start: the old rows no longer match it and are never sent,
  and new rows are made for the new start. A cancelled booking gets none.

The one unavoidable window: the mail server accepts the email, then the worker dies (or the
database fails) before the transaction commits. `sent_at` was never stored, so the redelivered
task or the next queue run sends the reminder a second time. Mail and database cannot commit
together; this duplicate, never a lost reminder, is the chosen failure.
"""

import datetime as dt
import logging
import math

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from ..models import Booking, BookingChange, Interview, Reminder
from ..selectors import booking_get
from .notifications import booking_email

logger = logging.getLogger(__name__)

DAY_BEFORE = dt.timedelta(hours=24)
SOON = dt.timedelta(minutes=15)


def _due_kind(booking: Booking, now: dt.datetime, *, moved_at: dt.datetime | None) -> str | None:
    """Which reminder is due now: 15 minutes before the start, or 24 hours before it, the latter only
    if the session was set for this time more than a day ahead (otherwise the confirmation or the
    reschedule email just sent says it all)."""
    if booking.starts_at - SOON <= now < booking.starts_at:
        return Reminder.Kind.SOON
    set_at = max(booking.created_at, moved_at or booking.created_at)
    if booking.starts_at - DAY_BEFORE <= now < booking.starts_at - SOON and booking.starts_at - set_at > DAY_BEFORE:
        return Reminder.Kind.DAY
    return None


def reminders_queue_due(*, now: dt.datetime | None = None) -> list[int]:
    """Make the reminders due now (idempotent) and return the ids of those not sent yet."""
    now = now or timezone.now()
    confirmed = Interview.objects.filter(booking=OuterRef("pk"), part=1, status=Interview.Status.ACCEPTED)
    last_move = (
        BookingChange.objects.filter(booking=OuterRef("pk"), kind=BookingChange.Kind.RESCHEDULE)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    bookings = (
        Booking.objects.filter(status=Booking.Status.ACTIVE, starts_at__gt=now, starts_at__lte=now + DAY_BEFORE)
        .filter(Exists(confirmed))
        .annotate(moved_at=Subquery(last_move))
        .only("pk", "organizer_id", "peer_id", "starts_at", "created_at")
    )
    rows = []
    for booking in bookings:
        kind = _due_kind(booking, now, moved_at=booking.moved_at)  # the last reschedule, annotated above
        if kind is not None:
            rows += [
                Reminder(booking=booking, user_id=user_id, kind=kind, starts_at=booking.starts_at)
                for user_id in (booking.organizer_id, booking.peer_id)
            ]
    if not rows:
        return []
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    due = Q()
    for row in rows:
        due |= Q(booking_id=row.booking_id, user_id=row.user_id, kind=row.kind, starts_at=row.starts_at)
    return list(Reminder.objects.filter(due, sent_at__isnull=True).order_by("pk").values_list("pk", flat=True))


def _starts_in(starts_at: dt.datetime, now: dt.datetime) -> str:
    """ "in 14 minutes", "in about 23 hours": as it is when the email goes out."""
    minutes = max(1, math.ceil((starts_at - now).total_seconds() / 60))
    if minutes < 90:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    return f"in about {round(minutes / 60)} hours"


def reminder_send(*, reminder_id: int, now: dt.datetime | None = None) -> bool:
    """Send one reminder unless it was sent already or no longer applies (booking cancelled, moved,
    or already started). Safe to run twice or concurrently; True if this call sent it."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if reminder is None or reminder.sent_at is not None:
            return False
        # Lock the booking too, so a cancellation or a move waits until the reminder is out, then
        # tells the peer; a reminder is never sent for a booking that changed while it was sending.
        locked = Booking.objects.select_for_update().filter(pk=reminder.booking_id).first()
        if (
            locked is None
            or locked.status != Booking.Status.ACTIVE
            or locked.starts_at != reminder.starts_at
            or now >= locked.starts_at
        ):
            return False
        booking = booking_get(booking_id=locked.pk)
        if reminder.user_id not in (booking.organizer_id, booking.peer_id):
            return False
        recipient = booking.organizer if reminder.user_id == booking.organizer_id else booking.peer
        subject = (
            "Starting {starts_in}: {label} with {peer}"
            if reminder.kind == Reminder.Kind.SOON
            else "Reminder: {label} with {peer} on {when_short}"
        )
        message = booking_email(
            booking,
            recipient,
            template="reminder",
            subject=subject,
            context={"starts_in": _starts_in(booking.starts_at, now)},
        )
        if message is not None:
            message.send()
        reminder.sent_at = now
        reminder.save(update_fields=["sent_at"])
    logger.info("%s reminder %s for booking %s done", reminder.kind, reminder.pk, booking.pk)
    return True
