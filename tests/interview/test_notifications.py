"""Emails about bookings: who gets which, with which calendar entry, in whose time zone."""

import datetime as dt
import logging
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from interview.ics import local_time
from interview.models import Booking
from interview.selectors import booking_get
from interview.services import (
    availability_window_add,
    booking_book_slot,
    booking_cancel,
    booking_reschedule,
    interview_accept,
    interview_decline,
    interview_schedule,
    match_queue_run,
    match_request_create,
)
from interview.services.notifications import booking_notify
from interview.tasks import notify_booking
from tests.factories import UserFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def at(days: int, hour: int = 15) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def book(host, booker, starts_at, *, mode="candidate", duration=60, problem=None) -> Booking:
    availability_window_add(user=host, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2))
    return booking_book_slot(
        user=booker,
        host_id=host.pk,
        starts_at=starts_at,
        mode=mode,
        duration_minutes=duration,
        problem_id=problem.pk if problem else None,
    )


def local(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """How a time reads in an email: "17:00 CEST (Europe/Paris)"."""
    moment = value.astimezone(zone)
    return f"{moment:%H:%M} {moment.tzname()} ({zone.key})"


def sent_to(email: str):
    (message,) = [m for m in mail.outbox if m.to == [email]]
    return message


def entry(message, method: str):
    """The invite.ics of a message, parsed: (calendar, event)."""
    (attachment,) = message.attachments
    assert attachment.filename == "invite.ics"
    assert attachment.mimetype == f"text/calendar; method={method}"
    calendar = Calendar.from_ical(attachment.content)
    assert calendar["METHOD"] == method
    (event,) = calendar.events
    return calendar, event


def assert_private(message, *, peer, settings):
    """One recipient, from the site's address, and nothing anywhere that reveals the peer's email."""
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert len(message.to) == 1 and not message.cc and not message.bcc
    raw = message.message().as_string()
    assert peer.email not in raw.replace("\r\n ", "").replace("\n ", "")


class TestInvitation:
    def test_invitee_gets_a_tentative_entry_without_their_problem(
        self, problem, interviewer, candidate, settings, django_capture_on_commit_callbacks
    ):
        starts_at = at(4)
        with django_capture_on_commit_callbacks(execute=True):
            interview_schedule(
                created_by=interviewer, problem_id=problem.pk, scheduled_at=starts_at, peer="cal", my_role="interviewer"
            )
        (message,) = mail.outbox
        assert message.to == ["cal@example.com"]
        assert message.subject == "Ivy Interviewer invited you to a mock interview on Mocklane"
        assert local(starts_at, NEW_YORK) in message.body and "Europe/Paris" not in message.body
        assert "You are the candidate;" in message.body and problem.title not in message.body
        assert "Accept or decline on your dashboard: http://127.0.0.1:8000/dashboard/" in message.body
        assert "The room opens 10 minutes before the start." in message.body
        _, event = entry(message, "REQUEST")
        assert event["STATUS"] == "TENTATIVE" and event.start == starts_at
        assert problem.title not in message.attachments[0].content.replace("\r\n ", "")
        assert_private(message, peer=interviewer, settings=settings)

    def test_an_invited_interviewer_learns_the_problem(
        self, problem, interviewer, candidate, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            interview_schedule(
                created_by=candidate, problem_id=problem.pk, scheduled_at=at(4), peer="ivy", my_role="candidate"
            )
        message = sent_to("ivy@example.com")
        assert f"Problem to prepare: {problem.title}." in message.body
        assert "You are the interviewer;" in message.body

    def test_names_are_not_html_escaped(self, problem, interviewer, candidate, django_capture_on_commit_callbacks):
        interviewer.profile.refresh_from_db()
        interviewer.profile.display_name = "Ivy O'Neil & co"
        interviewer.profile.save(update_fields=["display_name"])
        with django_capture_on_commit_callbacks(execute=True):
            interview_schedule(
                created_by=interviewer, problem_id=problem.pk, scheduled_at=at(4), peer="cal", my_role="interviewer"
            )
        (message,) = mail.outbox
        assert message.subject.startswith("Ivy O'Neil & co invited you")
        assert "Ivy O'Neil & co invited you" in message.body and "&#x27;" not in message.body

    def test_accepted_tells_the_organizer_and_confirms_the_entry(
        self, invited_interview, candidate, settings, django_capture_on_commit_callbacks
    ):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            interview_accept(interview=invited_interview, user=candidate)
        (message,) = mail.outbox
        assert message.to == ["ivy@example.com"]
        starts_at = invited_interview.scheduled_at
        assert (
            message.subject == f"Cal Candidate accepted: mock interview on {local_time(starts_at, PARIS, short=True)}"
        )
        assert local_time(starts_at, PARIS) in message.body
        _, event = entry(message, "REQUEST")
        assert event["STATUS"] == "CONFIRMED"
        assert_private(message, peer=candidate, settings=settings)

    def test_declined_tells_the_organizer(self, invited_interview, candidate, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            interview_decline(interview=invited_interview, user=candidate)
        (message,) = mail.outbox
        assert message.to == ["ivy@example.com"]
        assert message.subject.startswith("Cal Candidate declined your mock interview on ")
        assert "The time is free again." in message.body
        assert message.attachments == []

    def test_stale_invitation_events_send_nothing(self, invited_interview, candidate):
        interview_accept(interview=invited_interview, user=candidate)
        assert notify_booking(invited_interview.booking_id, "invited") == 0
        assert notify_booking(invited_interview.booking_id, "declined") == 0
        assert notify_booking(987654, "invited") == 0
        assert mail.outbox == []

    def test_accepted_after_a_decline_sends_nothing(self, invited_interview, candidate):
        interview_decline(interview=invited_interview, user=candidate)
        assert notify_booking(invited_interview.booking_id, "accepted") == 0
        assert mail.outbox == []


class TestBooked:
    def test_host_and_booker_each_get_their_own_times(
        self, problem, interviewer, candidate, settings, django_capture_on_commit_callbacks
    ):
        starts_at = at(3)
        with django_capture_on_commit_callbacks(execute=True):
            booking = book(interviewer, candidate, starts_at, problem=problem)
        assert len(mail.outbox) == 2
        host = sent_to("ivy@example.com")
        assert host.subject.startswith("Cal Candidate booked a mock interview with you on ")
        assert local(starts_at, PARIS) in host.body and "America/New_York" not in host.body
        assert f"Problem to prepare: {problem.title}." in host.body
        booker = sent_to("cal@example.com")
        assert booker.subject.startswith("Booked: mock interview with Ivy Interviewer on ")
        assert local(starts_at, NEW_YORK) in booker.body and "Europe/Paris" not in booker.body
        assert problem.title not in booker.body
        interview = booking.interviews.get()
        for message, peer in ((host, candidate), (booker, interviewer)):
            _, event = entry(message, "REQUEST")
            assert event["UID"] == f"{booking.uid}@mocklane" and event["STATUS"] == "CONFIRMED"
            assert f"http://127.0.0.1:8000/interviews/{interview.pk}/room/" in message.body
            assert_private(message, peer=peer, settings=settings)

    def test_role_swap_email_names_only_the_problem_i_interview_on(
        self, problem, interviewer, candidate, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            booking = book(interviewer, candidate, at(3), mode="swap", duration=90, problem=problem)
        first, second = booking.interviews.order_by("part")
        host, booker = sent_to("ivy@example.com"), sent_to("cal@example.com")
        assert host.subject.startswith("Cal Candidate booked a role-swap mock interview with you")
        assert first.problem.title in host.body and second.problem.title not in host.body
        assert second.problem.title in booker.body and first.problem.title not in booker.body

    def test_person_without_email_is_skipped_and_logged(
        self, content, candidate, caplog, django_capture_on_commit_callbacks
    ):
        host = UserFactory(username="quiet", email="")
        with caplog.at_level(logging.INFO, logger="interview"), django_capture_on_commit_callbacks(execute=True):
            book(host, candidate, at(3))
        assert [m.to for m in mail.outbox] == [["cal@example.com"]]
        assert "has no email address" in caplog.text

    def test_matched_pair_both_hear(self, content, interviewer, candidate, django_capture_on_commit_callbacks):
        window = [(at(5, hour=9), at(5, hour=12))]
        match_request_create(user=interviewer, mode="interviewer", duration_minutes=60, windows=window)
        match_request_create(user=candidate, mode="candidate", duration_minutes=60, windows=window)
        with django_capture_on_commit_callbacks(execute=True):
            (booking,) = match_queue_run()
        assert sorted(m.to[0] for m in mail.outbox) == ["cal@example.com", "ivy@example.com"]
        assert sent_to("ivy@example.com").subject.startswith("Matched: mock interview with Cal Candidate on ")
        assert sent_to("cal@example.com").subject.startswith("Matched: mock interview with Ivy Interviewer on ")
        assert local(booking.starts_at, NEW_YORK) in sent_to("cal@example.com").body
        entry(sent_to("cal@example.com"), "REQUEST")

    def test_booked_or_matched_for_a_cancelled_booking_sends_nothing(self, interviewer, candidate, content):
        booking = book(interviewer, candidate, at(3))
        booking_cancel(booking=booking, user=candidate, reason="Changed my mind")
        assert notify_booking(booking.pk, "booked") == 0
        assert notify_booking(booking.pk, "matched") == 0
        assert mail.outbox == []


class TestChanges:
    @pytest.fixture
    def booking(self, problem, interviewer, candidate) -> Booking:
        return book(interviewer, candidate, at(3), problem=problem)

    def test_rescheduled_tells_the_peer_old_and_new_time_and_why(
        self, booking, interviewer, candidate, settings, django_capture_on_commit_callbacks
    ):
        old, new = booking.starts_at, booking.starts_at + dt.timedelta(days=1, hours=3)
        with django_capture_on_commit_callbacks(execute=True):
            booking_reschedule(booking=booking, user=candidate, starts_at=new, reason="Dentist appointment")
        assert len(mail.outbox) == 2
        peer = sent_to("ivy@example.com")
        assert peer.subject == f"Cal Candidate moved your mock interview to {local_time(new, PARIS, short=True)}"
        assert f"Was: {local_time(old, PARIS)}\nNow: {local_time(new, PARIS)}\n" in peer.body
        assert "Reason: Dentist appointment" in peer.body
        _, event = entry(peer, "REQUEST")
        assert (event["UID"], event["SEQUENCE"], event.start) == (f"{booking.uid}@mocklane", 1, new)
        assert_private(peer, peer=candidate, settings=settings)
        mover = sent_to("cal@example.com")
        assert mover.subject.startswith("Moved: mock interview with Ivy Interviewer to ")
        assert "You moved your mock interview with Ivy Interviewer." in mover.body
        assert f"Was: {local_time(old, NEW_YORK)}\nNow: {local_time(new, NEW_YORK)}\n" in mover.body
        assert entry(mover, "REQUEST")[1]["SEQUENCE"] == 1

    def test_cancelled_tells_the_peer_with_a_cancel_entry(
        self, booking, interviewer, candidate, settings, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            booking_cancel(booking=booking, user=interviewer, reason="Sick today")
        assert len(mail.outbox) == 2
        peer = sent_to("cal@example.com")
        assert peer.subject == "Ivy Interviewer cancelled your mock interview"
        assert "Reason: Sick today" in peer.body and local(booking.starts_at, NEW_YORK) in peer.body
        _, event = entry(peer, "CANCEL")
        assert (event["STATUS"], event["SEQUENCE"], event["UID"]) == ("CANCELLED", 1, f"{booking.uid}@mocklane")
        assert_private(peer, peer=interviewer, settings=settings)
        canceller = sent_to("ivy@example.com")
        assert canceller.subject.startswith("Cancelled: mock interview with Cal Candidate on ")
        assert entry(canceller, "CANCEL")[1]["STATUS"] == "CANCELLED"

    def test_stale_change_events_send_nothing(self, booking):
        assert notify_booking(booking.pk, "cancelled") == 0
        assert notify_booking(booking.pk, "rescheduled") == 0
        assert notify_booking(booking.pk, "declined") == 0
        assert mail.outbox == []

    def test_a_whole_lifecycle_never_shows_either_email_to_the_other(
        self, booking, interviewer, candidate, settings, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            booking_reschedule(
                booking=booking, user=interviewer, starts_at=booking.starts_at + dt.timedelta(hours=2), reason="Later"
            )
        with django_capture_on_commit_callbacks(execute=True):
            booking_cancel(booking=booking_get(booking_id=booking.pk), user=candidate, reason="Not ready")
        assert len(mail.outbox) == 4
        for message in mail.outbox:
            peer = interviewer if message.to == [candidate.email] else candidate
            assert_private(message, peer=peer, settings=settings)


def test_unknown_event_is_a_programming_error(interview):
    with pytest.raises(ValueError, match="unknown booking event"):
        booking_notify(booking_id=interview.booking_id, event="exploded")
