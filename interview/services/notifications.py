"""Emails about bookings: invitations and their answers, bookings, matches, moves, cancellations.

Each message goes to one person only, shows times in their own time zone, names the peer by public
name, and carries the calendar entry as invite.ics: METHOD:REQUEST adds or updates it, METHOD:CANCEL
removes it. Whoever made a change gets a short confirmation with the same entry, so the copy their
calendar app took from an earlier email follows too.

Events are re-read from the database when the task runs: one that no longer matches the booking
(an invitation answered since, a booking cancelled since) sends nothing.
"""

import dataclasses
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from .. import ics
from ..models import Booking, BookingChange, Interview
from ..selectors import booking_get, public_name

logger = logging.getLogger(__name__)

EVENTS = ("invited", "accepted", "declined", "booked", "matched", "rescheduled", "cancelled")


@dataclasses.dataclass(frozen=True)
class Notice:
    recipient: object
    template: str  # templates/interview/email/<template>.txt
    subject: str  # a str.format template over the email's context, e.g. "{peer}", "{when_short}"
    method: str | None = None  # which calendar message to attach, if any
    context: dict = dataclasses.field(default_factory=dict)


def booking_email(
    booking: Booking, recipient, *, template: str, subject: str, method: str | None = None, context=None
) -> EmailMessage | None:
    """One email about `booking` to `recipient`, or None if they have no email address."""
    recipient = ics.person_in(booking, recipient)
    if not recipient.email:
        logger.info(
            "user %s has no email address; %s email about booking %s not sent", recipient.pk, template, booking.pk
        )
        return None
    zone = ics.zone_of(recipient)
    peer = booking.peer if recipient.pk == booking.organizer_id else booking.organizer
    values = {
        "name": public_name(recipient),
        "peer": public_name(peer),
        "label": ics.session_label(booking),
        "title": ics.event_title(booking, recipient),
        "when": ics.local_time(booking.starts_at, zone),
        "when_short": ics.local_time(booking.starts_at, zone, short=True),
        "duration": booking.duration_minutes,
        "parts": ics.part_lines(booking, recipient),
        "rooms": ics.room_lines(booking),
        "dashboard_url": ics.site_url(reverse("dashboard")),
        **(context or {}),
    }
    message = EmailMessage(
        subject=subject.format(**values),
        body=render_to_string(f"interview/email/{template}.txt", values),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    if method is not None:
        message.attach("invite.ics", ics.booking_ics(booking, recipient, method), f"text/calendar; method={method}")
    return message


def _person(booking: Booking, user_id: int | None):
    return booking.organizer if user_id == booking.organizer_id else booking.peer


def _first(booking: Booking) -> Interview:
    return min(booking.interviews.all(), key=lambda interview: interview.part)


def _invited(booking: Booking) -> list[Notice]:
    first = _first(booking)
    if booking.status != Booking.Status.ACTIVE or first.status != Interview.Status.INVITED:
        return []
    inviter = public_name(booking.organizer)
    return [
        Notice(
            _person(booking, first.invitee_id),
            "invitation",
            "{inviter} invited you to a mock interview on Mocklane",
            "REQUEST",
            {"inviter": inviter},
        )
    ]


def _accepted(booking: Booking) -> list[Notice]:
    if booking.status != Booking.Status.ACTIVE or _first(booking).status != Interview.Status.ACCEPTED:
        return []
    return [Notice(booking.organizer, "accepted", "{peer} accepted: {label} on {when_short}", "REQUEST")]


def _declined(booking: Booking) -> list[Notice]:
    if _first(booking).status != Interview.Status.DECLINED:
        return []
    return [Notice(booking.organizer, "declined", "{peer} declined your {label} on {when_short}")]


def _booked(booking: Booking) -> list[Notice]:
    if booking.status != Booking.Status.ACTIVE:
        return []
    return [
        Notice(booking.peer, "booked", "{peer} booked a {label} with you on {when_short}", "REQUEST", {"host": True}),
        Notice(booking.organizer, "booked", "Booked: {label} with {peer} on {when_short}", "REQUEST", {"host": False}),
    ]


def _matched(booking: Booking) -> list[Notice]:
    if booking.status != Booking.Status.ACTIVE:
        return []
    subject = "Matched: {label} with {peer} on {when_short}"
    return [Notice(person, "matched", subject, "REQUEST") for person in (booking.organizer, booking.peer)]


def _rescheduled(booking: Booking) -> list[Notice]:
    moves = [change for change in booking.changes.all() if change.kind == BookingChange.Kind.RESCHEDULE]
    if booking.status != Booking.Status.ACTIVE or not moves:
        return []
    move = max(moves, key=lambda change: (change.created_at, change.pk))
    actor = _person(booking, move.user_id)
    other = _person(booking, booking.other(actor.pk))
    notices = []
    for person, by_me, subject in (
        (other, False, "{peer} moved your {label} to {when_short}"),
        (actor, True, "Moved: {label} with {peer} to {when_short}"),
    ):
        zone = ics.zone_of(person)
        context = {"by_me": by_me, "reason": move.reason, "old_when": ics.local_time(move.old_starts_at, zone)}
        notices.append(Notice(person, "rescheduled", subject, "REQUEST", context))
    return notices


def _cancelled(booking: Booking) -> list[Notice]:
    if booking.status != Booking.Status.CANCELLED:
        return []
    notices = []
    for person in (booking.organizer, booking.peer):
        by_me = person.pk == booking.cancelled_by_id
        subject = "Cancelled: {label} with {peer} on {when_short}" if by_me else "{peer} cancelled your {label}"
        context = {"by_me": by_me, "reason": booking.cancel_reason}
        notices.append(Notice(person, "cancelled", subject, "CANCEL", context))
    return notices


_PLANNERS = {
    "invited": _invited,
    "accepted": _accepted,
    "declined": _declined,
    "booked": _booked,
    "matched": _matched,
    "rescheduled": _rescheduled,
    "cancelled": _cancelled,
}


def booking_notify(*, booking_id: int, event: str) -> int:
    """Email the people `event` concerns; return how many emails were sent."""
    if event not in _PLANNERS:
        raise ValueError(f"unknown booking event {event!r}; expected one of {EVENTS}")
    try:
        booking = booking_get(booking_id=booking_id)
    except Booking.DoesNotExist:
        logger.info("booking %s is gone; %s email not sent", booking_id, event)
        return 0
    messages = []
    for notice in _PLANNERS[event](booking):
        message = booking_email(
            booking,
            notice.recipient,
            template=notice.template,
            subject=notice.subject,
            method=notice.method,
            context=notice.context,
        )
        if message is not None:
            messages.append(message)
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages)
