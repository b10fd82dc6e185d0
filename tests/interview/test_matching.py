"""The match queue: joining, pairing by best overlap with level and focus as tie-breakers, expiry."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from interview import services
from interview.models import Booking, Hold, MatchRequest, MatchWindow
from rubrics.models import Problem
from tests.factories import UserFactory

UTC = dt.UTC


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def join(user, mode, windows, duration=60):
    """Join the queue, then run the matcher as the queued task does once the join commits."""
    request = services.match_request_create(user=user, mode=mode, duration_minutes=duration, windows=windows)
    services.match_queue_run()
    return request


@pytest.fixture
def people(content, interviewer, candidate, outsider):
    return interviewer, candidate, outsider


def test_candidate_and_interviewer_are_paired_at_the_start_of_their_overlap(people):
    ivy, cal, _ = people
    join(cal, "candidate", [(at(1, 9), at(1, 12))])
    join(ivy, "interviewer", [(at(1, 10, 10), at(1, 14))])
    booking = Booking.objects.get()
    interview = booking.interviews.get()
    assert (interview.interviewer, interview.candidate) == (ivy, cal)
    # on the first five-minute mark of the shared time
    assert (booking.source, booking.starts_at, booking.ends_at) == ("match", at(1, 10, 10), at(1, 11, 10))
    assert set(MatchRequest.objects.values_list("status", flat=True)) == {"matched"}
    assert set(MatchRequest.objects.values_list("booking", flat=True)) == {booking.pk}


def test_incompatible_modes_wait(people):
    ivy, cal, otto = people
    join(cal, "candidate", [(at(1, 9), at(1, 12))])
    join(otto, "candidate", [(at(1, 9), at(1, 12))])
    assert not Booking.objects.exists()
    assert services.match_queue_run() == []
    join(ivy, "either", [(at(1, 9), at(1, 12))])
    booking = Booking.objects.get()
    assert booking.interviews.get().interviewer == ivy  # "either" takes the seat that is left


def test_no_overlap_long_enough_means_no_match(people):
    ivy, cal, _ = people
    join(cal, "candidate", [(at(1, 9), at(1, 10, 30))])
    join(ivy, "interviewer", [(at(1, 10), at(1, 12))])  # 30 minutes in common
    assert not Booking.objects.exists()


def test_the_longest_overlap_wins(people):
    ivy, cal, otto = people
    join(ivy, "interviewer", [(at(1, 9), at(1, 10))])  # one hour in common with cal
    join(otto, "interviewer", [(at(2, 9), at(2, 13))])  # four hours in common with cal
    join(cal, "candidate", [(at(1, 9), at(1, 10)), (at(2, 9), at(2, 13))])
    booking = Booking.objects.get()
    assert {booking.organizer, booking.peer} == {otto, cal}
    assert booking.starts_at == at(2, 9)


def test_level_then_focus_break_ties(people):
    ivy, cal, otto = people
    problem = Problem.objects.first()
    services.profile_update(user=cal, display_name="Cal", time_zone="UTC", level="senior")
    services.profile_update(user=ivy, display_name="Ivy", time_zone="UTC", level="junior")
    services.profile_update(user=otto, display_name="Otto", time_zone="UTC", level="senior")
    window = [(at(1, 9), at(1, 11))]
    join(ivy, "interviewer", window)
    join(otto, "interviewer", window)
    join(cal, "candidate", window)
    booking = Booking.objects.get()
    assert otto.pk in (booking.organizer_id, booking.peer_id)  # same level beats waiting longer

    # equal levels: shared focus decides
    dana, eve, finn = (UserFactory(username=name) for name in ("dana", "eve", "finn"))
    for user in (dana, eve, finn):
        services.profile_update(user=user, display_name=user.username, time_zone="UTC", level="mid")
    finn.profile.focus_problems.set([problem])
    eve.profile.focus_problems.set([problem])
    window = [(at(3, 9), at(3, 11))]
    join(dana, "interviewer", window)
    join(finn, "interviewer", window)
    join(eve, "candidate", window)
    booking = Booking.objects.get(starts_at=at(3, 9))
    assert {booking.organizer, booking.peer} == {finn, eve}


def test_swap_requests_book_a_swap(people):
    ivy, cal, _ = people
    join(ivy, "swap", [(at(1, 9), at(1, 12))], duration=90)
    join(cal, "swap", [(at(1, 9), at(1, 12))], duration=60)
    booking = Booking.objects.get()
    assert booking.kind == "swap"
    assert booking.ends_at - booking.starts_at == dt.timedelta(minutes=90)
    first, second = booking.interviews.order_by("part")
    assert (first.candidate, second.candidate) == (second.interviewer, first.interviewer)


def test_existing_sessions_are_avoided(people):
    ivy, cal, otto = people
    services.availability_window_add(user=otto, starts_at=at(1, 9), ends_at=at(1, 11))
    services.booking_book_slot(user=cal, host_id=otto.pk, starts_at=at(1, 9))
    join(cal, "candidate", [(at(1, 9), at(1, 12))])
    join(ivy, "interviewer", [(at(1, 9), at(1, 12))])
    match = Booking.objects.get(source="match")
    assert match.starts_at == at(1, 10)  # after cal's 09:00-10:00 session


def test_expired_requests_leave_the_queue(people):
    _, cal, _ = people
    request = join(cal, "candidate", [(at(1, 9), at(1, 11))])
    services.match_queue_run(now=at(1, 10, 30))
    request.refresh_from_db()
    assert request.status == "expired"


@pytest.mark.parametrize(
    ("mode", "duration", "windows", "code"),
    [
        ("boss", 60, [(at(1, 9), at(1, 11))], "invalid"),
        ("swap", 45, [(at(1, 9), at(1, 11))], "invalid"),
        ("candidate", 0, [(at(1, 9), at(1, 11))], "invalid"),
        ("candidate", 60, [], "invalid"),
        ("candidate", 60, [(at(1, 9), at(1, 9, 30))], "too_short"),
        ("candidate", 60, [(at(1, 11), at(1, 9))], "ends_before_start"),
        ("candidate", 60, [(at(-1, 9), at(-1, 11))], "in_past"),
        ("candidate", 60, [(at(40, 9), at(40, 11))], "too_far"),
        ("candidate", 60, [(at(1, 9), at(1, 11)), (at(1, 10), at(1, 12))], "overlap"),
        ("candidate", 60, [(at(1, 9).replace(tzinfo=None), at(1, 11).replace(tzinfo=None))], "invalid"),
        ("candidate", 60, [(at(d, 9), at(d, 11)) for d in range(1, 13)], "invalid"),
    ],
)
def test_joining_with_bad_input_changes_nothing(people, mode, duration, windows, code):
    _, cal, _ = people
    with pytest.raises(ApplicationError) as excinfo:
        join(cal, mode, windows, duration)
    assert excinfo.value.code == code
    assert not MatchRequest.objects.exists() and not MatchWindow.objects.exists()


def test_one_place_in_the_queue_at_a_time(people):
    _, cal, otto = people
    request = join(cal, "candidate", [(at(1, 9), at(1, 11))])
    with pytest.raises(ApplicationError) as excinfo:
        join(cal, "candidate", [(at(2, 9), at(2, 11))])
    assert excinfo.value.code == "queued"
    with pytest.raises(ApplicationError) as excinfo:
        services.match_request_cancel(request=request, user=otto)
    assert excinfo.value.status == 404
    services.match_request_cancel(request=request, user=cal)
    with pytest.raises(ApplicationError) as excinfo:
        services.match_request_cancel(request=request, user=cal)
    assert excinfo.value.status == 409
    join(cal, "candidate", [(at(2, 9), at(2, 11))])  # may join again after leaving
    assert MatchRequest.objects.filter(user=cal).count() == 2


def test_a_matched_pair_holds_the_time(people):
    ivy, cal, _ = people
    join(cal, "candidate", [(at(1, 9), at(1, 12))])
    join(ivy, "interviewer", [(at(1, 9), at(1, 12))])
    assert Hold.objects.filter(starts_at=at(1, 9)).count() == 2


def test_joining_runs_the_matcher_once_committed(people, django_capture_on_commit_callbacks):
    ivy, cal, _ = people
    services.match_request_create(user=cal, mode="candidate", duration_minutes=60, windows=[(at(1, 9), at(1, 12))])
    with django_capture_on_commit_callbacks(execute=True):
        services.match_request_create(
            user=ivy, mode="interviewer", duration_minutes=60, windows=[(at(1, 9), at(1, 12))]
        )
    assert Booking.objects.get().source == "match"


def test_two_either_at_a_length_no_swap_takes_get_one_interview_of_that_length(people):
    ivy, cal, _ = people
    join(cal, "either", [(at(1, 9), at(1, 12))], duration=45)
    join(ivy, "either", [(at(1, 9), at(1, 12))], duration=45)
    booking = Booking.objects.get()
    assert (booking.kind, booking.duration_minutes, booking.interviews.count()) == ("single", 45, 1)


def test_two_either_at_a_swap_length_swap(people):
    ivy, cal, _ = people
    join(cal, "either", [(at(1, 9), at(1, 12))], duration=60)
    join(ivy, "either", [(at(1, 9), at(1, 12))], duration=60)
    booking = Booking.objects.get()
    assert (booking.kind, booking.duration_minutes, booking.interviews.count()) == ("swap", 60, 2)
