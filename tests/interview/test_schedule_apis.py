"""The scheduling API: profiles, availability, open slots, bookings, the match queue, the calendar feed.

Every endpoint is tried by the interviewer (Ivy, Paris), the candidate (Cal, New York), an outsider
(Otto) and an anonymous client; every refused request leaves the database exactly as it was."""

import datetime as dt
import json
import zoneinfo

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS

from interview import selectors, services
from interview.models import (
    AvailabilityWindow,
    Booking,
    BookingChange,
    Hold,
    Interview,
    MatchRequest,
    MatchWindow,
    Profile,
    ReliabilityEvent,
    WeeklyAvailability,
)
from rubrics.models import Problem

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A UTC time `days` from today at hour:minute."""
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def z(moment: dt.datetime) -> str:
    """How the API writes a time: ISO 8601 in UTC."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def naive(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=None).isoformat()


@pytest.fixture
def host(interviewer, content):
    """Ivy (Paris, senior, focused on the first problem) is free in two days, 10:00-14:00 UTC."""
    focus = Problem.objects.order_by("pk").first()
    services.profile_update(
        user=interviewer,
        display_name="Ivy Interviewer",
        time_zone="Europe/Paris",
        level="senior",
        target_role="mle",
        focus_problem_ids=[focus.pk],
        languages=["English", "French"],
    )
    services.availability_window_add(user=interviewer, starts_at=at(2, 10), ends_at=at(2, 14))
    return interviewer


@pytest.fixture
def booking(host, candidate) -> Booking:
    """Cal booked Ivy's 10:00 slot as the candidate."""
    return services.booking_book_slot(
        user=candidate, host_id=host.pk, starts_at=at(2, 10), mode="candidate", duration_minutes=60
    )


@pytest.fixture
def queued(candidate) -> MatchRequest:
    return services.match_request_create(
        user=candidate, mode="candidate", duration_minutes=60, windows=[(at(3, 9), at(3, 12))]
    )


def snapshot() -> dict:
    """Every scheduling row, to prove a refused request changed nothing."""
    models = [
        Profile,
        WeeklyAvailability,
        AvailabilityWindow,
        Booking,
        Interview,
        Hold,
        BookingChange,
        ReliabilityEvent,
        MatchRequest,
        MatchWindow,
    ]
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["focus"] = list(Profile.focus_problems.through.objects.order_by("pk").values())
    return rows


def assert_error(response, status: int, code: str, words: str = "") -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    assert words.lower() in body["message"].lower(), body
    return body


# ---- who may call what ------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/api/profile/"),
    ("put", "/api/profile/"),
    ("get", "/api/peers/{ivy}/"),
    ("get", "/api/availability/weekly/"),
    ("post", "/api/availability/weekly/"),
    ("delete", "/api/availability/weekly/{rule}/"),
    ("get", "/api/availability/windows/"),
    ("post", "/api/availability/windows/"),
    ("delete", "/api/availability/windows/{window}/"),
    ("get", "/api/slots/"),
    ("get", "/api/bookings/"),
    ("post", "/api/bookings/"),
    ("get", "/api/bookings/{booking}/"),
    ("post", "/api/bookings/{booking}/cancel/"),
    ("post", "/api/bookings/{booking}/reschedule/"),
    ("get", "/api/queue/"),
    ("post", "/api/queue/"),
    ("delete", "/api/queue/{entry}/"),
    ("get", "/api/calendar/"),
    ("post", "/api/calendar/rotate/"),
]


@pytest.fixture
def ids(host, booking, queued):
    rule = services.weekly_availability_add(user=host, weekday=5, start_time=dt.time(9), end_time=dt.time(11))
    return {
        "ivy": host.pk,
        "rule": rule.pk,
        "window": AvailabilityWindow.objects.get(user=host).pk,
        "booking": booking.pk,
        "entry": queued.pk,
    }


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_is_refused_everywhere(api_for, ids, method, path):
    before = snapshot()
    body = {"reason": "Something came up", "starts_at": z(at(2, 12)), "display_name": "x", "time_zone": "UTC"}
    response = getattr(api_for(None), method)(path.format(**ids), body, format="json")
    assert_error(response, 403, "not_authenticated", "credentials")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/bookings/{booking}/", 404, "not_found"),
        ("post", "/api/bookings/{booking}/cancel/", 404, "not_found"),
        ("post", "/api/bookings/{booking}/reschedule/", 404, "not_found"),
        ("delete", "/api/availability/weekly/{rule}/", 404, "not_found"),
        ("delete", "/api/availability/windows/{window}/", 404, "not_found"),
        ("delete", "/api/queue/{entry}/", 404, "not_found"),
    ],
)
def test_outsider_cannot_see_or_change_what_is_not_theirs(api_for, ids, outsider, method, path, status, code):
    before = snapshot()
    body = {"reason": "I would like to take this slot", "starts_at": z(at(2, 12))}
    response = getattr(api_for(outsider), method)(path.format(**ids), body, format="json")
    assert_error(response, status, code)
    assert snapshot() == before


def test_outsider_lists_hold_nothing_of_others(api_for, ids, outsider):
    api = api_for(outsider)
    assert api.get("/api/bookings/").json() == []
    assert api.get("/api/availability/weekly/").json() == []
    assert api.get("/api/availability/windows/").json() == []
    assert api.get("/api/queue/").json() == {"open": None, "history": []}


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_booking_is_404(api_for, candidate, method):
    suffix = "" if method == "get" else "cancel/"
    response = getattr(api_for(candidate), method)(f"/api/bookings/999999/{suffix}", {"reason": "nope"})
    assert_error(response, 404, "not_found")


def test_api_writes_need_the_csrf_token_with_a_session(candidate):
    """Browsers authenticate with the session cookie, so writes must carry the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    body = json.dumps({"weekday": 1, "start_time": "18:00", "end_time": "20:00"})
    refused = client.post("/api/availability/weekly/", body, content_type="application/json")
    assert_error(refused, 403, "permission_denied", "CSRF")
    assert not WeeklyAvailability.objects.exists()
    token = "abcdefghijklmnopqrstuvwxyzABCDEF"
    client.cookies["csrftoken"] = token
    accepted = client.post(
        "/api/availability/weekly/", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content
    assert client.get("/api/availability/weekly/").json()[0]["start_time"] == "18:00"


# ---- profile ----------------------------------------------------------------------------------------


def _title_of(slug: str) -> str:
    return Problem.objects.get(slug=slug).title


def test_profile_read_and_update(api_for, candidate, content):
    problems = list(Problem.objects.order_by("pk")[:2])
    api = api_for(candidate)
    mine = api.get("/api/profile/").json()
    assert mine["name"] == "Cal Candidate" and mine["time_zone"] == "America/New_York"
    assert mine["reliability"] == {
        "completed": 0,
        "late_cancellations": 0,
        "late_reschedules": 0,
        "no_shows": 0,
        "flagged": 0,
    }
    response = api.put(
        "/api/profile/",
        {
            "display_name": "Cal C.",
            "time_zone": "Asia/Tokyo",
            "target_role": "applied_scientist",
            "level": "mid",
            "focus_problem_ids": [p.pk for p in problems],
            "languages": ["English", "Japanese"],
            "bio": "Ranking and ads.",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == candidate.pk and body["name"] == "Cal C." and body["level"] == "mid"
    assert [p["slug"] for p in body["focus_problems"]] == sorted((p.slug for p in problems), key=_title_of)
    assert body["languages"] == ["English", "Japanese"] and body["bio"] == "Ranking and ads."
    assert "cal@example.com" not in response.content.decode()
    profile = Profile.objects.get(user=candidate)
    assert (profile.time_zone, profile.target_role, profile.display_name) == (
        "Asia/Tokyo",
        "applied_scientist",
        "Cal C.",
    )
    assert set(profile.focus_problems.values_list("pk", flat=True)) == {p.pk for p in problems}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "not a known time zone"),
        ({"level": "wizard"}, "level"),
        ({"target_role": "ceo"}, "target_role"),
        ({"focus_problem_ids": [999999]}, "not in the problem bank"),
        ({"focus_problem_ids": ["video"]}, "focus_problem_ids[0]"),
        ({"languages": "English"}, "languages"),
        ({"display_name": "x" * 61}, "display_name"),
        ({"time_zone": None}, "time_zone"),
        ({"bio": "b" * 601}, "600 characters"),
        ({"is_staff": True}, "Unknown field is_staff"),
    ],
)
def test_profile_bad_input_changes_nothing(api_for, candidate, content, change, words):
    body = {"display_name": "Cal", "time_zone": "Europe/Paris", "level": "senior", **change}
    before = snapshot()
    response = api_for(candidate).put("/api/profile/", body, format="json")
    assert_error(response, 400, "invalid", words)
    assert snapshot() == before


def test_peer_profile_is_public_only(api_for, host, candidate, booking):
    Interview.objects.filter(booking=booking).update(status=Interview.Status.COMPLETED)
    ReliabilityEvent.objects.create(user=host, booking=booking, kind=ReliabilityEvent.Kind.NO_SHOW)
    response = api_for(candidate).get(f"/api/peers/{host.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == host.pk and body["name"] == "Ivy Interviewer"
    assert body["level"] == "senior" and body["languages"] == ["English", "French"]
    assert body["reliability"]["completed"] == 1 and body["reliability"]["no_shows"] == 1
    assert body["reliability"]["flagged"] == 1
    assert "ivy@example.com" not in response.content.decode() and "email" not in body
    assert "time_zone" not in body and "calendar_token" not in body


def test_unknown_or_inactive_peer_is_404(api_for, host, candidate):
    assert_error(api_for(candidate).get("/api/peers/999999/"), 404, "not_found")
    host.is_active = False
    host.save(update_fields=["is_active"])
    assert_error(api_for(candidate).get(f"/api/peers/{host.pk}/"), 404, "not_found")


# ---- availability -----------------------------------------------------------------------------------


def test_weekly_availability_add_list_delete(api_for, interviewer):
    api = api_for(interviewer)
    response = api.post(
        "/api/availability/weekly/", {"weekday": 1, "start_time": "18:00", "end_time": "20:30"}, format="json"
    )
    assert response.status_code == 201, response.content
    rule = WeeklyAvailability.objects.get(user=interviewer)
    assert (rule.weekday, rule.start_time, rule.end_time, rule.time_zone) == (
        1,
        dt.time(18),
        dt.time(20, 30),
        "Europe/Paris",
    )
    expected = {"id": rule.pk, "weekday": 1, "start_time": "18:00", "end_time": "20:30", "time_zone": "Europe/Paris"}
    assert response.json() == expected
    assert api.get("/api/availability/weekly/").json() == [expected]
    assert api.delete(f"/api/availability/weekly/{rule.pk}/").status_code == 204
    assert not WeeklyAvailability.objects.exists()
    assert_error(api.delete(f"/api/availability/weekly/{rule.pk}/"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"weekday": 7}, "invalid", "weekday"),
        ({"weekday": "Tuesday"}, "invalid", "weekday"),
        ({"start_time": "25:00"}, "invalid", "start_time"),
        ({"start_time": "6pm"}, "invalid", "start_time"),
        ({"end_time": None}, "invalid", "end_time"),
        ({"start_time": "20:00", "end_time": "18:00"}, "ends_before_start", "end after it starts"),
        ({"start_time": "18:00", "end_time": "18:00"}, "ends_before_start", "end after it starts"),
        ({"start_time": "18:00", "end_time": "18:30"}, "too_short", "45 minutes"),
        ({"start_time": "19:00", "end_time": "21:00"}, "overlap", "overlaps your weekly window Tuesday 18:00-20:00"),
        ({"user": 1}, "invalid", "Unknown field user"),
    ],
)
def test_weekly_availability_bad_input_changes_nothing(api_for, interviewer, body, code, words):
    services.weekly_availability_add(user=interviewer, weekday=1, start_time=dt.time(18), end_time=dt.time(20))
    before = snapshot()
    payload = {"weekday": 1, "start_time": "12:00", "end_time": "13:00", **body}
    response = api_for(interviewer).post("/api/availability/weekly/", payload, format="json")
    assert_error(response, 400, code, words)
    assert snapshot() == before


def test_one_off_window_add_list_delete(api_for, interviewer):
    api = api_for(interviewer)
    start = at(3, 9).astimezone(PARIS)
    response = api.post(
        "/api/availability/windows/",
        {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=3)).isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    window = AvailabilityWindow.objects.get(user=interviewer)
    assert window.starts_at == at(3, 9) and window.ends_at == at(3, 12)
    expected = {"id": window.pk, "starts_at": z(at(3, 9)), "ends_at": z(at(3, 12))}
    assert response.json() == expected
    assert api.get("/api/availability/windows/").json() == [expected]
    assert api.delete(f"/api/availability/windows/{window.pk}/").status_code == 204
    assert not AvailabilityWindow.objects.exists()


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"starts_at": z(at(-1, 9)), "ends_at": z(at(-1, 12))}, "in_past", "in the past"),
        ({"starts_at": z(at(3, 9)), "ends_at": z(at(3, 9))}, "ends_before_start", "end after it starts"),
        ({"starts_at": z(at(3, 12)), "ends_at": z(at(3, 9))}, "ends_before_start", "end after it starts"),
        ({"starts_at": z(at(4, 11)), "ends_at": z(at(4, 13))}, "overlap", "overlaps your one-off window"),
        ({"starts_at": naive(at(3, 9)), "ends_at": z(at(3, 12))}, "invalid", "starts_at: include a time zone offset"),
        ({"starts_at": z(at(3, 9)), "ends_at": naive(at(3, 12))}, "invalid", "ends_at: include a time zone offset"),
        ({"starts_at": "tomorrow", "ends_at": z(at(3, 12))}, "invalid", "starts_at"),
        ({"starts_at": 1700000000, "ends_at": z(at(3, 12))}, "invalid", "starts_at"),
        ({"starts_at": z(at(3, 9))}, "invalid", "ends_at: this field is required"),
        ({"starts_at": z(at(3, 9)), "ends_at": z(at(3, 12)), "user_id": 2}, "invalid", "Unknown field user_id"),
    ],
)
def test_one_off_window_bad_input_changes_nothing(api_for, interviewer, body, code, words):
    services.availability_window_add(user=interviewer, starts_at=at(4, 10), ends_at=at(4, 12))
    before = snapshot()
    response = api_for(interviewer).post("/api/availability/windows/", body, format="json")
    assert_error(response, 400, code, words)
    assert snapshot() == before


def test_a_list_body_is_refused(api_for, interviewer):
    response = api_for(interviewer).post("/api/availability/windows/", [1, 2], format="json")
    assert_error(response, 400, "invalid", "expected a dictionary")
    assert not AvailabilityWindow.objects.exists()


# ---- open slots -------------------------------------------------------------------------------------


def test_slots_show_peers_open_times_in_utc(api_for, host, candidate, outsider):
    response = api_for(candidate).get("/api/slots/")
    assert response.status_code == 200
    slots = response.json()
    assert [s["starts_at"] for s in slots] == [
        z(at(2, 10) + dt.timedelta(minutes=30 * i)) for i in range(7)
    ]  # 10:00 ... 13:00
    first = slots[0]
    assert first["ends_at"] == z(at(2, 11))
    focus = Problem.objects.order_by("pk").first()
    assert first["host"] == {
        "id": host.pk,
        "name": "Ivy Interviewer",
        "level": "senior",
        "target_role": "mle",
        "focus": [{"id": focus.pk, "slug": focus.slug, "title": focus.title}],
        "reliability": {"completed": 0, "late_cancellations": 0, "late_reschedules": 0, "no_shows": 0, "flagged": 0},
    }
    assert "ivy@example.com" not in response.content.decode()
    assert api_for(host).get("/api/slots/").json() == []  # one's own slots are not offered to oneself


def test_slot_filters(api_for, host, candidate, outsider):
    services.availability_window_add(user=outsider, starts_at=at(2, 10), ends_at=at(2, 12))
    api = api_for(candidate)

    def hosts(**params):
        response = api.get("/api/slots/", params)
        assert response.status_code == 200, response.content
        return {slot["host"]["id"] for slot in response.json()}

    assert hosts() == {host.pk, outsider.pk}
    assert hosts(level="senior") == {host.pk}
    assert hosts(focus=Problem.objects.order_by("pk").first().slug) == {host.pk}
    assert hosts(host=outsider.pk) == {outsider.pk}
    assert hosts(**{"from": z(at(2, 12))}) == {host.pk}
    assert hosts(to=z(at(2, 11))) == {host.pk, outsider.pk}
    assert len(api.get("/api/slots/", {"duration": 90, "host": outsider.pk}).json()) == 2  # 10:00, 10:30
    assert hosts(mode="swap", duration=90, level="junior") == set()


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"from": naive(at(2, 10))}, "from: include a time zone offset"),
        ({"from": "soon"}, "from"),
        ({"from": z(at(2, 12)), "to": z(at(2, 10))}, "to: must be later than from"),
        ({"level": "guru"}, "level"),
        ({"duration": 50}, "45, 60, 75, 90"),
        ({"duration": "an hour"}, "duration"),
        ({"mode": "swap", "duration": 45}, "60, 90"),
        ({"mode": "boss"}, "mode"),
        ({"host": "ivy"}, "host"),
        ({"focus": "not a slug!"}, "focus"),
    ],
)
def test_slots_bad_query(api_for, host, candidate, params, words):
    assert_error(api_for(candidate).get("/api/slots/", params), 400, "invalid", words)


# ---- bookings ---------------------------------------------------------------------------------------


def test_book_a_slot(api_for, client_for, host, candidate, problem):
    start = at(2, 11).astimezone(NEW_YORK)
    response = api_for(candidate).post(
        "/api/bookings/",
        {
            "host_id": host.pk,
            "starts_at": start.isoformat(),
            "mode": "candidate",
            "duration_minutes": 60,
            "problem_id": problem.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    booking = Booking.objects.get()
    interview = booking.interviews.get()
    assert (booking.organizer, booking.peer, booking.source, booking.starts_at) == (candidate, host, "slot", at(2, 11))
    assert (interview.interviewer, interview.candidate, interview.problem) == (host, candidate, problem)
    assert Hold.objects.filter(booking=booking).count() == 2
    assert body["id"] == booking.pk and body["uid"] == str(booking.uid) and body["sequence"] == 0
    assert (body["kind"], body["source"], body["status"]) == ("single", "slot", "active")
    assert (body["starts_at"], body["ends_at"]) == (z(at(2, 11)), z(at(2, 12)))
    assert body["my_role"] == "candidate" and body["peer"] == {"id": host.pk, "name": "Ivy Interviewer"}
    assert body["changes"] == []
    assert body["ics_url"] == f"http://testserver/bookings/{booking.pk}/invite.ics"
    [part] = body["parts"]
    assert part == {
        "interview_id": interview.pk,
        "part": 1,
        "my_role": "candidate",
        "interviewer": {"id": host.pk, "name": "Ivy Interviewer"},
        "candidate": {"id": candidate.pk, "name": "Cal Candidate"},
        "scheduled_at": z(at(2, 11)),
        "duration_minutes": 60,
        "status": "accepted",
        "problem": {
            "id": problem.pk,
            "slug": problem.slug,
            "title": problem.title,
            "difficulty": problem.difficulty,
        },  # they chose it, so they see it
        "room_url": f"http://testserver/interviews/{interview.pk}/room/",
        "room_opens_at": z(at(2, 10, 50)),
    }
    assert "@example.com" not in response.content.decode()
    assert client_for(candidate).get(body["ics_url"])["Content-Type"].startswith("text/calendar")
    # The host sees it too, with the problem, since they interview.
    seen = api_for(host).get(f"/api/bookings/{booking.pk}/").json()
    assert seen["my_role"] == "interviewer" and seen["peer"] == {"id": candidate.pk, "name": "Cal Candidate"}
    assert seen["parts"][0]["problem"]["slug"] == problem.slug
    assert [b["id"] for b in api_for(host).get("/api/bookings/").json()] == [booking.pk]


def test_swap_booking_has_two_parts_and_each_sees_only_the_problem_they_ask(api_for, host, candidate):
    response = api_for(candidate).post(
        "/api/bookings/",
        {"host_id": host.pk, "starts_at": z(at(2, 10)), "mode": "swap", "duration_minutes": 90},
        format="json",
    )
    assert response.status_code == 201, response.content
    mine = response.json()
    booking = Booking.objects.get()
    first, second = booking.interviews.order_by("part")
    assert mine["kind"] == "swap" and (mine["starts_at"], mine["ends_at"]) == (z(at(2, 10)), z(at(2, 11, 30)))
    assert mine["my_role"] == "candidate_then_interviewer"
    part1, part2 = mine["parts"]
    assert (part1["part"], part1["interviewer"]["id"], part1["candidate"]["id"]) == (1, host.pk, candidate.pk)
    assert (part2["part"], part2["interviewer"]["id"], part2["candidate"]["id"]) == (2, candidate.pk, host.pk)
    assert (part1["scheduled_at"], part1["duration_minutes"]) == (z(at(2, 10)), 45)
    assert (part2["scheduled_at"], part2["duration_minutes"]) == (z(at(2, 10, 45)), 45)
    assert first.problem_id != second.problem_id
    assert part1["problem"] is None and part2["problem"]["id"] == second.problem_id
    theirs = api_for(host).get(f"/api/bookings/{booking.pk}/").json()
    assert theirs["my_role"] == "interviewer_then_candidate"
    assert theirs["parts"][0]["problem"]["id"] == first.problem_id and theirs["parts"][1]["problem"] is None
    # Once a part is completed both people see its problem.
    Interview.objects.filter(pk=first.pk).update(status=Interview.Status.COMPLETED)
    after = api_for(candidate).get(f"/api/bookings/{booking.pk}/").json()
    assert after["parts"][0]["problem"]["id"] == first.problem_id


BOOK = {"mode": "candidate", "duration_minutes": 60}


@pytest.mark.parametrize(
    ("body", "status", "code", "words"),
    [
        ({"starts_at": z(at(-1, 10))}, 400, "in_past", "in the past"),
        ({"starts_at": z(timezone.now() + dt.timedelta(minutes=2))}, 400, "too_soon", "5 minutes"),
        ({"starts_at": z(at(40, 10))}, 400, "too_far", "4 weeks"),
        ({"starts_at": z(at(2, 15))}, 400, "not_available", "not in your peer's availability"),
        ({"starts_at": naive(at(2, 10))}, 400, "invalid", "starts_at: include a time zone offset"),
        ({"starts_at": "10:00"}, 400, "invalid", "starts_at"),
        ({"host_id": 999999}, 404, "not_found", "unknown peer"),
        ({"host_id": "ivy"}, 400, "invalid", "host_id"),
        ({"host_id": None}, 400, "invalid", "host_id"),
        ({"duration_minutes": 50}, 400, "invalid", "45, 60, 75, 90"),
        ({"duration_minutes": "sixty"}, 400, "invalid", "duration_minutes"),
        ({"mode": "swap", "duration_minutes": 45}, 400, "invalid", "60, 90"),
        ({"mode": "observer"}, 400, "invalid", "mode"),
        ({"problem_id": 999999}, 400, "invalid", "problem bank"),
        ({"problem_id": [1]}, 400, "invalid", "problem_id"),
        ({"peer_id": 3}, 400, "invalid", "Unknown field peer_id"),
    ],
)
def test_booking_bad_input_changes_nothing(api_for, host, candidate, body, status, code, words):
    before = snapshot()
    payload = {"host_id": host.pk, "starts_at": z(at(2, 10)), **BOOK, **body}
    response = api_for(candidate).post("/api/bookings/", payload, format="json")
    assert_error(response, status, code, words)
    assert snapshot() == before


def test_booking_ones_own_slot_is_refused(api_for, host):
    before = snapshot()
    payload = {"host_id": host.pk, "starts_at": z(at(2, 10)), **BOOK}
    assert_error(api_for(host).post("/api/bookings/", payload, format="json"), 400, "own_slot", "your own slot")
    assert snapshot() == before


def test_booking_a_taken_slot_is_409(api_for, host, candidate, outsider, booking):
    before = snapshot()
    payload = {"host_id": host.pk, "starts_at": z(at(2, 10, 30)), **BOOK}
    response = api_for(outsider).post("/api/bookings/", payload, format="json")
    assert_error(response, 409, "slot_taken", "just taken")
    assert snapshot() == before
    # The candidate cannot double-book themselves with someone else either.
    services.availability_window_add(user=outsider, starts_at=at(2, 10), ends_at=at(2, 12))
    before = snapshot()
    response = api_for(candidate).post("/api/bookings/", {**payload, "host_id": outsider.pk}, format="json")
    assert_error(response, 409, "you_are_busy", "already have a session")
    assert snapshot() == before


def test_cancel_with_a_reason(api_for, booking, host, candidate):
    response = api_for(host).post(f"/api/bookings/{booking.pk}/cancel/", {"reason": "Sick today"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled" and body["sequence"] == 1
    assert [p["status"] for p in body["parts"]] == ["cancelled"]
    [change] = body["changes"]
    assert change["kind"] == "cancel" and change["reason"] == "Sick today" and change["late"] is False
    assert change["by"] == {"id": host.pk, "name": "Ivy Interviewer"} and change["new_starts_at"] is None
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.cancel_reason == "Sick today"
    assert not Hold.objects.filter(booking=booking).exists()
    # The peer sees the same history; cancelling twice is refused.
    assert api_for(candidate).get(f"/api/bookings/{booking.pk}/").json()["changes"] == body["changes"]
    before = snapshot()
    again = api_for(candidate).post(f"/api/bookings/{booking.pk}/cancel/", {"reason": "Me too"}, format="json")
    assert_error(again, 409, "cancelled", "already cancelled")
    assert snapshot() == before


def test_reschedule_with_a_reason(api_for, booking, host, candidate):
    new_start = at(2, 12).astimezone(PARIS)
    response = api_for(candidate).post(
        f"/api/bookings/{booking.pk}/reschedule/",
        {"starts_at": new_start.isoformat(), "reason": "Clash at work"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["starts_at"], body["ends_at"], body["sequence"]) == (z(at(2, 12)), z(at(2, 13)), 1)
    assert body["parts"][0]["scheduled_at"] == z(at(2, 12))
    [change] = body["changes"]
    assert (change["kind"], change["old_starts_at"], change["new_starts_at"]) == (
        "reschedule",
        z(at(2, 10)),
        z(at(2, 12)),
    )
    assert change["by"] == {"id": candidate.pk, "name": "Cal Candidate"}
    booking.refresh_from_db()
    assert booking.starts_at == at(2, 12) and booking.uid == Booking.objects.get().uid
    assert set(Hold.objects.values_list("starts_at", flat=True)) == {at(2, 12)}


@pytest.mark.parametrize(
    ("path", "body", "code", "words"),
    [
        ("cancel", {"reason": ""}, "reason_required", "reason"),
        ("cancel", {}, "invalid", "reason: this field is required"),
        ("cancel", {"reason": ["x"]}, "invalid", "reason"),
        ("cancel", {"reason": "Sick", "status": "active"}, "invalid", "Unknown field status"),
        ("reschedule", {"starts_at": z(at(2, 12)), "reason": " "}, "reason_required", "reason"),
        ("reschedule", {"starts_at": naive(at(2, 12)), "reason": "Clash"}, "invalid", "time zone offset"),
        ("reschedule", {"starts_at": z(at(-2, 12)), "reason": "Clash"}, "in_past", "in the past"),
        ("reschedule", {"starts_at": z(at(2, 10)), "reason": "Clash"}, "unchanged", "already has"),
        ("reschedule", {"starts_at": True, "reason": "Clash"}, "invalid", "starts_at"),
    ],
)
def test_cancel_and_reschedule_bad_input_changes_nothing(api_for, booking, candidate, path, body, code, words):
    before = snapshot()
    response = api_for(candidate).post(f"/api/bookings/{booking.pk}/{path}/", body, format="json")
    assert_error(response, 400, code, words)
    assert snapshot() == before


def test_reschedule_onto_a_busy_peer_is_409(api_for, booking, host, candidate, outsider):
    services.availability_window_add(user=outsider, starts_at=at(2, 10), ends_at=at(2, 14))
    services.booking_book_slot(user=host, host_id=outsider.pk, starts_at=at(2, 12), duration_minutes=60)
    before = snapshot()
    response = api_for(candidate).post(
        f"/api/bookings/{booking.pk}/reschedule/", {"starts_at": z(at(2, 12)), "reason": "Clash"}, format="json"
    )
    assert_error(response, 409, "peer_busy", "peer already has a session")
    assert snapshot() == before


# ---- the match queue --------------------------------------------------------------------------------


def test_join_read_and_leave_the_queue(api_for, candidate):
    api = api_for(candidate)
    windows = [
        {"starts_at": at(3, 9).astimezone(NEW_YORK).isoformat(), "ends_at": z(at(3, 12))},
        {"starts_at": z(at(4, 18)), "ends_at": z(at(4, 20))},
    ]
    response = api.post("/api/queue/", {"mode": "swap", "duration_minutes": 60, "windows": windows}, format="json")
    assert response.status_code == 201, response.content
    entry = MatchRequest.objects.get(user=candidate)
    assert (entry.mode, entry.duration_minutes, entry.status) == ("swap", 60, "open")
    assert list(entry.windows.values_list("starts_at", "ends_at")) == [(at(3, 9), at(3, 12)), (at(4, 18), at(4, 20))]
    body = response.json()
    assert body["id"] == entry.pk and body["status"] == "open" and body["booking_id"] is None
    assert body["windows"] == [
        {"starts_at": z(at(3, 9)), "ends_at": z(at(3, 12))},
        {"starts_at": z(at(4, 18)), "ends_at": z(at(4, 20))},
    ]
    assert api.get("/api/queue/").json() == {"open": body, "history": []}
    assert api.delete(f"/api/queue/{entry.pk}/").status_code == 204
    entry.refresh_from_db()
    assert entry.status == MatchRequest.Status.CANCELLED
    queue = api.get("/api/queue/").json()
    assert queue["open"] is None and [(e["id"], e["status"]) for e in queue["history"]] == [(entry.pk, "cancelled")]
    assert_error(api.delete(f"/api/queue/{entry.pk}/"), 409, "not_open", "no longer waiting")


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"mode": "boss"}, "invalid", "mode"),
        ({"duration_minutes": 30}, "invalid", "45, 60, 75, 90"),
        ({"windows": []}, "invalid", "between 1 and 10 windows"),
        ({"windows": "any time"}, "invalid", "windows"),
        ({"windows": [{"starts_at": z(at(3, 9)), "ends_at": z(at(3, 9))}]}, "ends_before_start", "end after"),
        ({"windows": [{"starts_at": z(at(-3, 9)), "ends_at": z(at(-3, 12))}]}, "in_past", "in the past"),
        ({"windows": [{"starts_at": z(at(3, 9)), "ends_at": z(at(3, 9, 30))}]}, "too_short", "60-minute"),
        (
            {
                "windows": [
                    {"starts_at": z(at(3, 9)), "ends_at": z(at(3, 12))},
                    {"starts_at": z(at(3, 11)), "ends_at": z(at(3, 13))},
                ]
            },
            "overlap",
            "overlap",
        ),
        (
            {"windows": [{"starts_at": z(at(3, 9)), "ends_at": naive(at(3, 12))}]},
            "invalid",
            "windows[0].ends_at: include a time zone offset",
        ),
        (
            {"windows": [{"starts_at": z(at(3, 9)), "ends_at": z(at(3, 12)), "weight": 3}]},
            "invalid",
            "windows[0]: Unknown field weight",
        ),
        ({"user_id": 1}, "invalid", "Unknown field user_id"),
    ],
)
def test_queue_bad_input_changes_nothing(api_for, candidate, body, code, words):
    before = snapshot()
    payload = {
        "mode": "candidate",
        "duration_minutes": 60,
        "windows": [{"starts_at": z(at(3, 9)), "ends_at": z(at(3, 12))}],
        **body,
    }
    response = api_for(candidate).post("/api/queue/", payload, format="json")
    assert_error(response, 400, code, words)
    assert snapshot() == before


def test_joining_the_queue_twice_is_refused(api_for, queued, candidate):
    before = snapshot()
    payload = {
        "mode": "either",
        "duration_minutes": 60,
        "windows": [{"starts_at": z(at(5, 9)), "ends_at": z(at(5, 12))}],
    }
    assert_error(api_for(candidate).post("/api/queue/", payload, format="json"), 400, "queued", "already in the queue")
    assert snapshot() == before


def test_unknown_queue_entry_is_404(api_for, candidate):
    assert_error(api_for(candidate).delete("/api/queue/999999/"), 404, "not_found")


# ---- calendar feed ----------------------------------------------------------------------------------


def test_calendar_feed_url_and_rotation(api_for, candidate):
    api = api_for(candidate)
    old_token = Profile.objects.get(user=candidate).calendar_token
    feed = api.get("/api/calendar/").json()
    assert feed == {"feed_url": f"http://testserver/calendar/{old_token}.ics"}
    rotated = api.post("/api/calendar/rotate/")
    assert rotated.status_code == 200
    new_token = Profile.objects.get(user=candidate).calendar_token
    assert new_token != old_token and rotated.json() == {"feed_url": f"http://testserver/calendar/{new_token}.ics"}
    assert selectors.profile_for_token(token=old_token) is None
    assert selectors.profile_for_token(token=new_token).user == candidate
    assert Client().get(feed["feed_url"]).status_code == 404  # calendar apps need no login
    assert Client().get(rotated.json()["feed_url"]).status_code == 200
    assert api.get("/api/calendar/").json() == rotated.json()


# ---- query counts (no N+1) --------------------------------------------------------------------------


def queries(api, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(captured)


def test_list_endpoints_read_a_fixed_number_of_queries(api_for, host, candidate, django_assert_num_queries):
    """Lists cost the same number of queries for one item and for many."""
    others = [UserFactory(username=f"peer{i}") for i in range(3)]
    for i, other in enumerate(others):
        services.profile_update(user=other, display_name=f"Peer {i}", time_zone="UTC", focus_problem_ids=[])
    api = api_for(candidate)
    services.booking_book_slot(user=candidate, host_id=host.pk, starts_at=at(2, 10), duration_minutes=60)
    services.weekly_availability_add(user=candidate, weekday=0, start_time=dt.time(8), end_time=dt.time(9))
    services.availability_window_add(user=candidate, starts_at=at(5, 8), ends_at=at(5, 9))
    services.match_request_create(user=candidate, mode="candidate", duration_minutes=60, windows=[(at(6, 8), at(6, 9))])
    paths = ["/api/bookings/", "/api/slots/", "/api/availability/weekly/", "/api/availability/windows/", "/api/queue/"]
    few = {path: queries(api, path) for path in paths}

    for i, other in enumerate(others):
        services.availability_window_add(user=other, starts_at=at(2, 14), ends_at=at(2, 17))
        start = at(3 + i, 10)
        services.availability_window_add(user=other, starts_at=start, ends_at=start + dt.timedelta(hours=2))
        booking = services.booking_book_slot(
            user=candidate, host_id=other.pk, starts_at=start, mode="swap", duration_minutes=60
        )
        services.booking_cancel(booking=booking, user=candidate, reason="Changed my mind")
        services.weekly_availability_add(user=candidate, weekday=i + 1, start_time=dt.time(8), end_time=dt.time(9))
        services.availability_window_add(user=candidate, starts_at=at(8 + i, 8), ends_at=at(8 + i, 9))
    MatchRequest.objects.filter(user=candidate).update(status=MatchRequest.Status.CANCELLED)
    services.match_request_create(user=candidate, mode="swap", duration_minutes=60, windows=[(at(7, 8), at(7, 9))])
    assert len(api.get("/api/bookings/").json()) == 4
    assert len({slot["host"]["id"] for slot in api.get("/api/slots/").json()}) == 4

    many = {path: queries(api, path) for path in paths}
    assert many == few
    pinned = {
        "/api/bookings/": 3,  # bookings with both people, their interviews, their changes
        "/api/slots/": 8,  # hosts, focus problems, weekly rules, windows, holds, reliability (3)
        "/api/availability/weekly/": 1,
        "/api/availability/windows/": 1,
        "/api/queue/": 2,  # entries, their windows
    }
    for path, count in pinned.items():
        with django_assert_num_queries(count):
            api.get(path)


# ---- the schema -------------------------------------------------------------------------------------

NEW_PATHS = {
    "/api/profile/": {"get", "put"},
    "/api/peers/{user_id}/": {"get"},
    "/api/availability/weekly/": {"get", "post"},
    "/api/availability/weekly/{id}/": {"delete"},
    "/api/availability/windows/": {"get", "post"},
    "/api/availability/windows/{id}/": {"delete"},
    "/api/slots/": {"get"},
    "/api/bookings/": {"get", "post"},
    "/api/bookings/{id}/": {"get"},
    "/api/bookings/{id}/cancel/": {"post"},
    "/api/bookings/{id}/reschedule/": {"post"},
    "/api/queue/": {"get", "post"},
    "/api/queue/{id}/": {"delete"},
    "/api/calendar/": {"get"},
    "/api/calendar/rotate/": {"post"},
}


def test_schema_is_valid_without_warnings_and_lists_every_endpoint(tmp_path, admin_client):
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    for path, methods in NEW_PATHS.items():
        assert set(schema["paths"].get(path, {})) >= methods, path
        for method in methods:
            assert schema["paths"][path][method].get("summary"), (path, method)
    slot_params = {p["name"] for p in schema["paths"]["/api/slots/"]["get"]["parameters"]}
    assert slot_params == {"from", "to", "level", "focus", "duration", "mode", "host"}
    assert admin_client.get("/api/schema/").status_code == 200
