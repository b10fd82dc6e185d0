"""Practise now: two people free now are matched, or invite and accept, and start within minutes;
one minimum lead time (SESSION_MIN_NOTICE_MINUTES) rules open slots, the queue, invitations and
reschedules alike."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from interview import services, timeslots
from interview.lifecycle import earliest_start, room_is_open
from interview.models import Booking, Interview, MatchRequest
from interview.selectors import open_slots


@pytest.fixture
def people(content, interviewer, candidate):
    return interviewer, candidate


def test_two_people_free_now_are_matched_and_start_within_minutes(people):
    ivy, cal = people
    before = timezone.now()
    services.match_request_now(user=cal, mode="candidate", duration_minutes=45)
    services.match_request_now(user=ivy, mode="interviewer", duration_minutes=45)
    services.match_queue_run()
    booking = Booking.objects.get()
    interview = booking.interviews.get()
    assert (interview.interviewer, interview.candidate) == (ivy, cal)
    assert earliest_start(before) <= booking.starts_at <= before + dt.timedelta(minutes=10)
    assert booking.starts_at.minute % 5 == 0 and booking.duration_minutes == 45
    assert room_is_open(interview)  # opens 10 minutes before the start: at once
    assert set(MatchRequest.objects.values_list("status", flat=True)) == {"matched"}


def test_free_now_expires_when_nobody_came(people):
    _, cal = people
    now = timezone.now()
    entry = services.match_request_now(user=cal, mode="candidate", duration_minutes=60, now=now)
    window = entry.windows.get()
    assert window.starts_at == now
    services.match_queue_run(now=now + dt.timedelta(minutes=20))
    assert MatchRequest.objects.get().status == "open"
    services.match_queue_run(now=now + dt.timedelta(minutes=40))
    assert MatchRequest.objects.get().status == "expired"


def test_free_now_refuses_lengths_the_mode_does_not_take(people):
    _, cal = people
    for mode, minutes in (("swap", 45), ("candidate", 50), ("candidate", True)):
        with pytest.raises(ApplicationError) as excinfo:
            services.match_request_now(user=cal, mode=mode, duration_minutes=minutes)
        assert excinfo.value.code == "invalid"
    assert not MatchRequest.objects.exists()


def test_queue_api_takes_now_instead_of_windows(api_for, people, django_capture_on_commit_callbacks):
    ivy, cal = people
    response = api_for(cal).post(
        "/api/queue/", {"mode": "candidate", "duration_minutes": 60, "now": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["windows"]) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the matcher runs once the join commits
        response = api_for(ivy).post(
            "/api/queue/", {"mode": "interviewer", "duration_minutes": 60, "now": True}, format="json"
        )
    assert response.status_code == 201
    assert Booking.objects.get().interviews.get().candidate == cal  # matched as soon as the second one joined
    for body in (
        {"mode": "candidate", "duration_minutes": 60},
        {"mode": "candidate", "duration_minutes": 60, "now": True, "windows": []},
    ):
        bad = api_for(ivy).post("/api/queue/", body, format="json")
        assert bad.status_code == 400 and "either windows or now" in bad.content.decode()


def test_queue_page_has_a_practise_now_button_that_matches(client_for, people, django_capture_on_commit_callbacks):
    ivy, cal = people
    page = client_for(cal).get(reverse("queue")).content.decode()
    assert 'name="now"' in page and "5 minutes later" in page
    client_for(cal).post(reverse("queue"), {"mode": "candidate", "duration": "60", "now": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        client_for(ivy).post(reverse("queue"), {"mode": "interviewer", "duration": "60", "now": "1"})
    booking = Booking.objects.get()
    assert booking.starts_at - timezone.now() <= dt.timedelta(minutes=10)
    page = client_for(cal).get(reverse("dashboard")).content.decode()
    assert reverse("booking_detail", args=[booking.pk]) in page


def test_invite_for_a_start_in_five_minutes_and_accept(people):
    ivy, cal = people
    now = timezone.now()
    problem_id = content_problem_id()
    interview = services.interview_schedule(
        created_by=ivy, problem_id=problem_id, peer=cal.username, my_role="interviewer", start_now=True, now=now
    )
    assert interview.scheduled_at == earliest_start(now) and interview.scheduled_at - now <= dt.timedelta(minutes=5)
    interview = services.interview_accept(interview=interview, user=cal)
    assert interview.status == Interview.Status.ACCEPTED and room_is_open(interview)


def content_problem_id() -> int:
    from rubrics.models import Problem

    return Problem.objects.filter(is_active=True).values_list("pk", flat=True).first()


def test_an_invitation_sooner_than_the_lead_time_is_refused(people):
    ivy, cal = people
    now = timezone.now()
    for when, code in ((now + dt.timedelta(minutes=2), "too_soon"), (now - dt.timedelta(minutes=3), "in_past")):
        with pytest.raises(ApplicationError) as excinfo:
            services.interview_schedule(
                created_by=ivy,
                problem_id=content_problem_id(),
                scheduled_at=when,
                peer=cal.username,
                my_role="interviewer",
                now=now,
            )
        assert excinfo.value.code == code
    assert "5 minutes" in str(excinfo.value.message) or code == "in_past"
    assert not Interview.objects.exists()


def test_a_time_typed_to_the_minute_is_accepted_at_the_lead_time(people):
    ivy, cal = people
    now = timezone.now().replace(second=40)
    typed = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=5)  # 14:05 typed at 14:00:40
    interview = services.interview_schedule(
        created_by=ivy,
        problem_id=content_problem_id(),
        scheduled_at=typed,
        peer=cal.username,
        my_role="interviewer",
        now=now,
    )
    assert interview.scheduled_at == typed


def test_invite_form_and_api_start_now(client_for, api_for, people):
    ivy, cal = people
    page = client_for(ivy).get(reverse("interview_new")).content.decode()
    assert 'name="start_now"' in page and "Start now (in 5 minutes)" in page
    response = client_for(ivy).post(
        reverse("interview_new"),
        {
            "problem": content_problem_id(),
            "duration_minutes": "45",
            "peer": cal.username,
            "my_role": "interviewer",
            "start_now": "on",
        },
    )
    assert response.status_code == 302
    first = Interview.objects.get()
    assert first.scheduled_at - timezone.now() <= dt.timedelta(minutes=5)
    services.booking_cancel(booking=first.booking, user=ivy, reason="Try the API")
    response = api_for(ivy).post(
        "/api/interviews/",
        {"problem_id": content_problem_id(), "peer": cal.username, "my_role": "interviewer", "start_now": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    missing = api_for(ivy).post(
        "/api/interviews/",
        {"problem_id": content_problem_id(), "peer": cal.username, "my_role": "interviewer"},
        format="json",
    )
    assert missing.status_code == 400 and "scheduled_at or start_now" in missing.content.decode()


def test_open_slots_start_from_the_one_lead_time(people, settings):
    ivy, cal = people
    now = timezone.now()
    opens = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    services.availability_window_add(user=ivy, starts_at=opens, ends_at=opens + dt.timedelta(hours=3))
    first = open_slots(viewer=cal, duration_minutes=60, now=now)[0]
    assert first.starts_at == timeslots.ceil_to(earliest_start(now), 15)  # in 5 minutes, on a quarter hour
    assert first.starts_at - now < dt.timedelta(minutes=20)
    settings.SESSION_MIN_NOTICE_MINUTES = 30
    later = open_slots(viewer=cal, duration_minutes=60, now=now)[0]
    assert later.starts_at == timeslots.ceil_to(now.replace(second=0, microsecond=0) + dt.timedelta(minutes=30), 15)
    with pytest.raises(ApplicationError) as excinfo:  # the same setting rules bookings
        services.booking_book_slot(user=cal, host_id=ivy.pk, starts_at=first.starts_at, now=now)
    assert excinfo.value.code == "too_soon" and "30 minutes" in excinfo.value.message
