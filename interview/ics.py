"""Calendar entries (iCalendar, RFC 5545 and 5546) for bookings: the invite.ics sent by email and
each person's subscribable feed.

A booking is one VEVENT whose UID never changes; its SEQUENCE is the booking's, which the services
bump on every reschedule and cancellation, so calendar apps update or remove the entry they already
have instead of adding a second one. Each entry is written for one person: they are its only
attendee, it tells them their role in each part, and it names a problem only to the person who
interviews on it (the candidate meets the problem in the room).
"""

import datetime as dt
import email.utils
import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import STATUS, Calendar, Event, vCalAddress

from .lifecycle import ROOM_OPENS_BEFORE
from .models import Booking, Interview
from .selectors import booking_list_for, public_name

PRODID = "-//Mocklane//Scheduling//EN"
CALENDAR_NAME = "Mocklane"
FEED_PAST = dt.timedelta(days=30)  # how far back the feed keeps past sessions
FEED_REFRESH = dt.timedelta(hours=1)  # how often subscribed calendars are asked to check the feed
METHODS = ("REQUEST", "CANCEL")
ROOM_OPENS_MINUTES = int(ROOM_OPENS_BEFORE.total_seconds() // 60)


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def room_url(interview: Interview) -> str:
    return site_url(reverse("interview_room", args=[interview.pk]))


def zone_of(user) -> zoneinfo.ZoneInfo:
    profile = getattr(user, "profile", None)
    try:
        return zoneinfo.ZoneInfo(profile.time_zone if profile is not None else "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_time(value: dt.datetime, zone: zoneinfo.ZoneInfo, *, short: bool = False) -> str:
    """E.g. "Tuesday 3 June 2031, 17:00 CEST (Europe/Paris)", or "Tue 3 Jun, 17:00 CEST" when short."""
    local = value.astimezone(zone)
    abbreviation = local.tzname() or ""
    if short:
        return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {abbreviation}".rstrip()
    name = zone.key if abbreviation in ("", zone.key) else f"{abbreviation} ({zone.key})"
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} {name}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _parts(booking: Booking) -> list[Interview]:
    return sorted(booking.interviews.all(), key=lambda interview: interview.part)


def _peer(booking: Booking, recipient):
    if recipient.pk not in (booking.organizer_id, booking.peer_id):
        raise ValueError(f"user {recipient.pk} is not in booking {booking.pk}")
    return booking.peer if recipient.pk == booking.organizer_id else booking.organizer


def person_in(booking: Booking, user):
    """The booking's own copy of `user`, loaded with their current profile by the selector."""
    _peer(booking, user)
    return booking.organizer if user.pk == booking.organizer_id else booking.peer


def session_label(booking: Booking) -> str:
    return "role-swap mock interview" if booking.kind == Booking.Kind.SWAP else "mock interview"


def event_title(booking: Booking, recipient) -> str:
    """E.g. "Mock interview with Ivy"; never the peer's email address."""
    label = session_label(booking)
    return f"{label[0].upper()}{label[1:]} with {_one_line(public_name(_peer(booking, recipient)))}"


def is_pending(booking: Booking) -> bool:
    """A direct invitation the invitee has not answered yet."""
    return booking.status == Booking.Status.ACTIVE and _parts(booking)[0].status == Interview.Status.INVITED


def part_lines(booking: Booking, recipient) -> list[str]:
    """The recipient's role in each part. The problem is named only where they interview: a candidate
    should meet their problem fresh in the room."""
    peer = _one_line(public_name(_peer(booking, recipient)))
    parts = _parts(booking)
    lines = []
    for interview in parts:
        heading = ""
        if len(parts) > 1:
            heading = f"{'first' if interview.part == 1 else 'second'} half ({interview.duration_minutes} minutes): "
        if interview.interviewer_id == recipient.pk:
            problem = interview.problem.title
            line = f"{heading}you are the interviewer; you interview {peer}. Problem to prepare: {problem}."
        else:
            line = f"{heading}you are the candidate; {peer} interviews you. The problem is revealed in the room."
        lines.append(line[0].upper() + line[1:])
    return lines


def room_lines(booking: Booking) -> list[str]:
    parts = _parts(booking)
    if len(parts) == 1:
        lines = [f"Room: {room_url(parts[0])}"]
    else:
        lines = [f"{'First' if p.part == 1 else 'Second'} half room: {room_url(p)}" for p in parts]
    return [*lines, f"The room opens {ROOM_OPENS_MINUTES} minutes before the start."]


def _description(booking: Booking, recipient, *, cancelled: bool) -> str:
    lines = []
    if cancelled:
        reason = _one_line(booking.cancel_reason)
        lines += [f"Cancelled: {reason}" if reason else "Cancelled.", ""]
    lines += part_lines(booking, recipient)
    lines += ["", *room_lines(booking)]
    if not cancelled and is_pending(booking) and recipient.pk == _parts(booking)[0].invitee_id:
        lines += ["", f"Accept or decline on your dashboard: {site_url(reverse('dashboard'))}"]
    return "\n".join(lines)


def _organizer() -> vCalAddress:
    name, address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    return vCalAddress.new(address or settings.DEFAULT_FROM_EMAIL, cn=name or CALENDAR_NAME)


def _status(booking: Booking, cancelled: bool) -> STATUS:
    if cancelled or booking.status == Booking.Status.CANCELLED:
        return STATUS.CANCELLED
    return STATUS.TENTATIVE if is_pending(booking) else STATUS.CONFIRMED


def booking_event(booking: Booking, recipient, *, cancelled: bool = False, stamp: dt.datetime | None = None) -> Event:
    """The VEVENT of `booking` as `recipient` sees it. `booking` comes from a booking selector (its
    interviews, their problems and both people's profiles loaded)."""
    cancelled = cancelled or booking.status == Booking.Status.CANCELLED
    recipient = person_in(booking, recipient)
    attendees = []
    if recipient.email:
        pending_invitee = is_pending(booking) and recipient.pk == _parts(booking)[0].invitee_id
        attendees.append(
            vCalAddress.new(
                recipient.email,
                cn=_one_line(public_name(recipient)),
                role="REQ-PARTICIPANT",
                partstat="NEEDS-ACTION" if pending_invitee else "ACCEPTED",
                rsvp=False,  # answers are given on the site, not by calendar reply
            )
        )
    return Event.new(
        uid=f"{booking.uid}@mocklane",
        sequence=booking.sequence,
        stamp=stamp or timezone.now().astimezone(dt.UTC),
        created=booking.created_at.astimezone(dt.UTC),
        last_modified=booking.updated_at.astimezone(dt.UTC),
        start=booking.starts_at.astimezone(dt.UTC),
        end=booking.ends_at.astimezone(dt.UTC),
        summary=event_title(booking, recipient),
        description=_description(booking, recipient, cancelled=cancelled),
        url=room_url(_parts(booking)[0]),
        status=_status(booking, cancelled),
        organizer=_organizer(),
        attendees=attendees,
    )


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    return calendar


def booking_ics(booking: Booking, recipient, method: str = "REQUEST") -> bytes:
    """An iTIP message for one person: METHOD:REQUEST adds or updates the entry, METHOD:CANCEL
    (with STATUS:CANCELLED) removes it."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    calendar = _calendar(method)
    calendar.add_component(booking_event(booking, recipient, cancelled=method == "CANCEL"))
    return calendar.to_ical()


def feed_ics(user, *, now: dt.datetime | None = None) -> bytes:
    """The person's subscribable calendar: their sessions from FEED_PAST ago onwards. Cancelled ones
    stay in it with STATUS:CANCELLED, so subscribed calendars drop them."""
    now = now or timezone.now()
    calendar = _calendar()
    calendar.calendar_name = CALENDAR_NAME
    calendar.refresh_interval = FEED_REFRESH
    calendar.add("x-published-ttl", FEED_REFRESH)
    stamp = now.astimezone(dt.UTC)
    for booking in booking_list_for(user=user).filter(starts_at__gte=now - FEED_PAST):
        calendar.add_component(booking_event(booking, user, stamp=stamp))
    return calendar.to_ical()
