"""Calendar entries parsed back with icalendar, the subscribable feed and the .ics download."""

import datetime as dt
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from interview.ics import booking_ics, feed_ics, local_time
from interview.models import Booking, Profile
from interview.selectors import booking_get
from interview.services import (
    availability_window_add,
    booking_book_slot,
    booking_cancel,
    booking_reschedule,
    interview_schedule,
    profile_rotate_calendar_token,
)
from tests.factories import UserFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(days: int, hour: int = 15) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def book(host, booker, starts_at, *, mode="candidate", duration=60, problem=None) -> Booking:
    availability_window_add(user=host, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2))
    booking = booking_book_slot(
        user=booker,
        host_id=host.pk,
        starts_at=starts_at,
        mode=mode,
        duration_minutes=duration,
        problem_id=problem.pk if problem else None,
    )
    return booking_get(booking_id=booking.pk)


def parse(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.events
    return calendar, event


def unfolded(ics: bytes) -> str:
    """The text with folded lines joined, so a search cannot miss a value split across lines."""
    return ics.decode().replace("\r\n ", "")


@pytest.fixture
def booked(problem, interviewer, candidate) -> Booking:
    """Cal booked Ivy's open slot as the candidate, on Ivy's problem choice."""
    return book(interviewer, candidate, at(3), problem=problem)


class TestBookingEntry:
    def test_request_fields_one_by_one(self, booked, candidate, interviewer, settings):
        calendar, event = parse(booking_ics(booked, candidate, "REQUEST"))
        assert calendar["PRODID"] == "-//Mocklane//Scheduling//EN"
        assert calendar["VERSION"] == "2.0"
        assert calendar["METHOD"] == "REQUEST"
        assert event["UID"] == f"{booked.uid}@mocklane"
        assert event["SEQUENCE"] == 0
        assert event.start == booked.starts_at and event.start.utcoffset() == dt.timedelta(0)
        assert event.end == booked.ends_at and event.end - event.start == dt.timedelta(minutes=60)
        assert abs(event["DTSTAMP"].dt - timezone.now()) < dt.timedelta(minutes=1)
        assert event["SUMMARY"] == "Mock interview with Ivy Interviewer"
        assert event["STATUS"] == "CONFIRMED"
        room = f"{settings.SITE_URL}/interviews/{booked.interviews.get().pk}/room/"
        assert event["URL"] == room
        assert str(event["ORGANIZER"]) == "mailto:noreply@mocklane.local"
        assert event["ORGANIZER"].params["CN"] == "Mocklane"
        (attendee,) = event.attendees
        assert str(attendee) == "mailto:cal@example.com"
        assert attendee.params["CN"] == "Cal Candidate"
        assert attendee.params["PARTSTAT"] == "ACCEPTED"
        description = str(event["DESCRIPTION"])
        assert room in description
        assert "The room opens 10 minutes before the start." in description
        assert "You are the candidate; Ivy Interviewer interviews you." in description

    def test_the_candidate_never_sees_the_problem_the_interviewer_does(self, booked, candidate, interviewer, problem):
        _, event = parse(booking_ics(booked, interviewer, "REQUEST"))
        assert f"Problem to prepare: {problem.title}." in str(event["DESCRIPTION"])
        assert "You are the interviewer; you interview Cal Candidate." in str(event["DESCRIPTION"])
        assert event["SUMMARY"] == "Mock interview with Cal Candidate"
        for method in ("REQUEST", "CANCEL"):
            ics = booking_ics(booked, candidate, method)
            assert problem.title not in unfolded(ics)
            assert problem.title not in str(parse(ics)[1]["DESCRIPTION"])
        assert problem.title not in unfolded(feed_ics(candidate))
        assert problem.title in unfolded(feed_ics(interviewer))

    def test_nobody_sees_the_peers_email(self, booked, candidate, interviewer):
        for me, peer in ((candidate, interviewer), (interviewer, candidate)):
            for ics in (booking_ics(booked, me, "REQUEST"), booking_ics(booked, me, "CANCEL"), feed_ics(me)):
                text = unfolded(ics)
                assert peer.email not in text and me.email in text
                assert [str(a) for a in parse(ics)[1].attendees] == [f"mailto:{me.email}"]

    def test_uid_stays_and_sequence_goes_up_when_rescheduled(self, booked, candidate):
        before = parse(booking_ics(booked, candidate, "REQUEST"))[1]
        new_start = booked.starts_at + dt.timedelta(days=1, hours=2)
        booking_reschedule(booking=booked, user=candidate, starts_at=new_start, reason="A clash at work")
        moved = booking_get(booking_id=booked.pk)
        calendar, after = parse(booking_ics(moved, candidate, "REQUEST"))
        assert calendar["METHOD"] == "REQUEST"
        assert after["UID"] == before["UID"] == f"{booked.uid}@mocklane"
        assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
        assert after.start == new_start and after.end == new_start + dt.timedelta(minutes=60)
        assert after["STATUS"] == "CONFIRMED"

    def test_cancel_message_cancels_the_same_entry(self, booked, candidate, interviewer):
        booking_cancel(booking=booked, user=interviewer, reason="Sick today")
        cancelled = booking_get(booking_id=booked.pk)
        calendar, event = parse(booking_ics(cancelled, candidate, "CANCEL"))
        assert calendar["METHOD"] == "CANCEL"
        assert event["STATUS"] == "CANCELLED"
        assert event["UID"] == f"{booked.uid}@mocklane"
        assert event["SEQUENCE"] == 1
        assert event.start == booked.starts_at
        assert str(event["DESCRIPTION"]).startswith("Cancelled: Sick today")

    def test_pending_invitation_is_tentative_and_asks_the_invitee(self, problem, interviewer, candidate):
        interview = interview_schedule(
            created_by=interviewer, problem_id=problem.pk, scheduled_at=at(4), peer="cal", my_role="interviewer"
        )
        booking = booking_get(booking_id=interview.booking_id)
        _, event = parse(booking_ics(booking, candidate, "REQUEST"))
        assert event["STATUS"] == "TENTATIVE"
        assert event.attendees[0].params["PARTSTAT"] == "NEEDS-ACTION"
        assert "Accept or decline on your dashboard: http://" in str(event["DESCRIPTION"])
        _, organizer_view = parse(booking_ics(booking, interviewer, "REQUEST"))
        assert organizer_view.attendees[0].params["PARTSTAT"] == "ACCEPTED"
        assert "Accept or decline" not in str(organizer_view["DESCRIPTION"])

    def test_role_swap_names_only_the_problem_each_person_interviews_on(self, problem, interviewer, candidate):
        booking = book(interviewer, candidate, at(5), mode="swap", duration=90, problem=problem)
        first, second = booking.interviews.all()
        assert (first.candidate, second.candidate) == (candidate, interviewer)
        for me, mine, theirs in ((interviewer, first, second), (candidate, second, first)):
            ics = booking_ics(booking, me, "REQUEST")
            _, event = parse(ics)
            description = str(event["DESCRIPTION"])
            assert event["SUMMARY"].startswith("Role-swap mock interview with ")
            assert mine.problem.title in description
            assert theirs.problem.title not in unfolded(ics)
            assert event.end - event.start == dt.timedelta(minutes=90)
            assert f"/interviews/{first.pk}/room/" in description and f"/interviews/{second.pk}/room/" in description
        description = str(parse(booking_ics(booking, candidate, "REQUEST"))[1]["DESCRIPTION"])
        assert "First half (45 minutes): you are the candidate; Ivy Interviewer interviews you." in description
        assert "Second half (45 minutes): you are the interviewer; you interview Ivy Interviewer." in description

    def test_wrong_method_or_recipient_is_refused(self, booked, outsider, candidate):
        with pytest.raises(ValueError, match="method"):
            booking_ics(booked, candidate, "PUBLISH")
        with pytest.raises(ValueError, match="not in booking"):
            booking_ics(booked, outsider, "REQUEST")

    def test_names_with_quotes_and_commas_survive(self, booked, candidate):
        Profile.objects.filter(user=candidate).update(display_name='Cal "C", Jr; the\nsecond')
        _, event = parse(booking_ics(booking_get(booking_id=booked.pk), candidate, "REQUEST"))
        assert event.attendees[0].params["CN"] == 'Cal "C", Jr; the second'


@pytest.mark.parametrize(
    ("when", "zone", "expected"),
    [
        (dt.datetime(2031, 6, 3, 15, tzinfo=dt.UTC), "Europe/Paris", "Tuesday 3 June 2031, 17:00 CEST (Europe/Paris)"),
        (
            dt.datetime(2031, 12, 2, 15, tzinfo=dt.UTC),
            "Europe/Paris",
            "Tuesday 2 December 2031, 16:00 CET (Europe/Paris)",
        ),
        (
            dt.datetime(2031, 3, 10, 15, tzinfo=dt.UTC),
            "America/New_York",
            "Monday 10 March 2031, 11:00 EDT (America/New_York)",
        ),
        (dt.datetime(2031, 3, 10, 15, tzinfo=dt.UTC), "UTC", "Monday 10 March 2031, 15:00 UTC"),
    ],
)
def test_local_time_names_the_zone_across_daylight_saving(when, zone, expected):
    assert local_time(when, zoneinfo.ZoneInfo(zone)) == expected


def test_short_local_time():
    assert local_time(dt.datetime(2031, 6, 3, 15, tzinfo=dt.UTC), PARIS, short=True) == "Tue 3 Jun, 17:00 CEST"


class TestFeed:
    def url(self, user) -> str:
        user.profile.refresh_from_db()
        return reverse("calendar_feed", args=[user.profile.calendar_token])

    def test_valid_token_lists_only_that_persons_sessions(self, client, booked, interviewer, outsider, content):
        other = book(outsider, UserFactory(username="pat"), at(6))
        response = client.get(self.url(interviewer))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert "private" in response["Cache-Control"]
        calendar = Calendar.from_ical(response.content)
        assert "METHOD" not in calendar
        assert calendar["X-WR-CALNAME"] == "Mocklane"
        assert calendar["PRODID"] == "-//Mocklane//Scheduling//EN"
        assert [str(e["UID"]) for e in calendar.events] == [f"{booked.uid}@mocklane"]
        assert str(other.uid) not in response.content.decode()
        mine = Calendar.from_ical(client.get(self.url(outsider)).content)
        assert [str(e["UID"]) for e in mine.events] == [f"{other.uid}@mocklane"]

    def test_cancelled_sessions_stay_as_cancelled_and_old_ones_drop_out(self, client, booked, interviewer, candidate):
        second = book(interviewer, candidate, at(7))
        booking_cancel(booking=second, user=candidate, reason="Found a job")
        old = book(interviewer, candidate, at(8))
        Booking.objects.filter(pk=old.pk).update(
            starts_at=timezone.now() - dt.timedelta(days=31), ends_at=timezone.now() - dt.timedelta(days=31, hours=-1)
        )
        events = Calendar.from_ical(client.get(self.url(interviewer)).content).events
        assert [(str(e["UID"]), e["STATUS"], e["SEQUENCE"]) for e in events] == [
            (f"{booked.uid}@mocklane", "CONFIRMED", 0),
            (f"{second.uid}@mocklane", "CANCELLED", 1),
        ]

    def test_queries_do_not_grow_with_the_number_of_sessions(self, client, booked, interviewer, candidate):
        url = self.url(interviewer)
        with CaptureQueriesContext(connection) as one:
            assert client.get(url).status_code == 200
        for days in (5, 6, 7):
            book(interviewer, candidate, at(days), mode="swap", duration=90)
        with CaptureQueriesContext(connection) as four:
            response = client.get(url)
        assert len(Calendar.from_ical(response.content).events) == 4
        assert len(four) == len(one) <= 4

    def test_rotated_token_stops_working_at_once(self, client, booked, interviewer):
        old_url = self.url(interviewer)
        assert client.get(old_url).status_code == 200
        profile_rotate_calendar_token(user=interviewer)
        assert client.get(old_url).status_code == 404
        assert client.get(self.url(interviewer)).status_code == 200

    @pytest.mark.parametrize("token", ["garbage", "x" * 65, "-"])
    def test_unknown_token_is_not_found(self, client, booked, token):
        assert client.get(f"/calendar/{token}.ics").status_code == 404

    def test_inactive_users_feed_is_gone(self, client, booked, interviewer):
        url = self.url(interviewer)
        interviewer.is_active = False
        interviewer.save()
        assert client.get(url).status_code == 404

    def test_only_read_methods(self, client, booked, interviewer):
        assert client.post(self.url(interviewer)).status_code == 405
        assert client.head(self.url(interviewer)).status_code == 200


class TestDownload:
    def url(self, booking) -> str:
        return reverse("booking_invite_ics", args=[booking.pk])

    @pytest.mark.parametrize("who", ["interviewer", "candidate"])
    def test_both_people_download_their_own_entry(self, client_for, booked, request, who):
        user = request.getfixturevalue(who)
        response = client_for(user).get(self.url(booked))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="mocklane-session-{booked.pk}.ics"'
        assert "private" in response["Cache-Control"]
        calendar, event = parse(response.content)
        assert calendar["METHOD"] == "REQUEST"
        assert event["UID"] == f"{booked.uid}@mocklane"
        assert [str(a) for a in event.attendees] == [f"mailto:{user.email}"]

    def test_cancelled_booking_downloads_as_a_cancellation(self, client_for, booked, candidate):
        booking_cancel(booking=booked, user=candidate, reason="Moving house")
        calendar, event = parse(client_for(candidate).get(self.url(booked)).content)
        assert (calendar["METHOD"], event["STATUS"]) == ("CANCEL", "CANCELLED")

    def test_outsider_is_refused(self, client_for, booked, outsider):
        response = client_for(outsider).get(self.url(booked))
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.content

    def test_anonymous_is_sent_to_log_in(self, client_for, booked):
        response = client_for(None).get(self.url(booked))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]

    def test_unknown_booking_is_not_found(self, client_for, booked, candidate):
        assert client_for(candidate).get(reverse("booking_invite_ics", args=[987654])).status_code == 404


@pytest.mark.parametrize("value", ["127.0.0.1:8000", "ftp://mocklane.example", "https://"])
def test_bad_site_url_fails_at_start(value):
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=Path(__file__).resolve().parents[2],
        env={"PATH": "/usr/bin:/bin", "DEBUG": "on", "SITE_URL": value},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "SITE_URL must be an http:// or https:// address" in result.stderr
