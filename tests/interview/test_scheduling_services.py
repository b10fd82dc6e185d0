"""Scheduling services: profiles, availability, open slots, booking, cancel, reschedule, reliability."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from interview import selectors, services
from interview.access import room_is_open
from interview.models import (
    AvailabilityWindow,
    Booking,
    BookingChange,
    Hold,
    Interview,
    Profile,
    ReliabilityEvent,
    WeeklyAvailability,
)
from rubrics.models import Problem

UTC = dt.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(days: int, hour: int, minute: int = 0, *, base=None) -> dt.datetime:
    """A UTC time `days` from today at hour:minute."""
    base = base or timezone.now()
    return (base + dt.timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)


@pytest.fixture
def host(interviewer, content):
    """Ivy (Paris) is free tomorrow 09:00-13:00 UTC."""
    services.availability_window_add(user=interviewer, starts_at=at(1, 9), ends_at=at(1, 13))
    return interviewer


def counts():
    return (
        Booking.objects.count(),
        Interview.objects.count(),
        Hold.objects.count(),
        AvailabilityWindow.objects.count(),
        WeeklyAvailability.objects.count(),
        ReliabilityEvent.objects.count(),
    )


# ---- profiles -------------------------------------------------------------------------------------


def test_profile_update_sets_the_peer_facing_fields(interviewer, content):
    problems = list(Problem.objects.order_by("pk")[:2])
    profile = services.profile_update(
        user=interviewer,
        display_name="  Ivy  ",
        time_zone="Europe/Paris",
        target_role="mle",
        level="senior",
        languages=["English", " french ", "English", ""],
        bio="Ranking at scale.",
        focus_problem_ids=[p.pk for p in problems],
    )
    profile.refresh_from_db()
    assert (profile.display_name, profile.target_role, profile.level) == ("Ivy", "mle", "senior")
    assert profile.languages == ["English", "french"]
    assert set(profile.focus_problems.all()) == set(problems)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "not a known time zone"),
        ({"level": "wizard"}, "level"),
        ({"target_role": "ceo"}, "target role"),
        ({"languages": "English"}, "list"),
        ({"languages": [f"L{i}" for i in range(9)]}, "at most 8"),
        ({"focus_problem_ids": [999999]}, "not in the problem bank"),
        ({"focus_problem_ids": ["1"]}, "list of problem ids"),
        ({"bio": "x" * 601}, "600"),
    ],
)
def test_profile_update_rejects_bad_input_and_changes_nothing(interviewer, content, changes, message):
    before = Profile.objects.values().get(user=interviewer)
    arguments = {"user": interviewer, "display_name": "New", "time_zone": "UTC", **changes}
    with pytest.raises(Exception) as excinfo:
        services.profile_update(**arguments)
    assert message in str(excinfo.value)
    assert Profile.objects.values().get(user=interviewer) == before


def test_changing_time_zone_keeps_weekly_windows_on_the_local_clock(interviewer):
    rule = services.weekly_availability_add(user=interviewer, weekday=1, start_time=dt.time(18), end_time=dt.time(20))
    assert rule.time_zone == "Europe/Paris"
    services.profile_update(user=interviewer, display_name="Ivy", time_zone="Asia/Tokyo")
    rule.refresh_from_db()
    assert (rule.time_zone, rule.start_time) == ("Asia/Tokyo", dt.time(18))


def test_rotating_the_calendar_token_revokes_the_old_one(interviewer):
    old = interviewer.profile.calendar_token
    services.profile_rotate_calendar_token(user=interviewer)
    assert selectors.profile_for_token(token=old) is None
    assert selectors.profile_for_token(token=Profile.objects.get(user=interviewer).calendar_token).user == interviewer


# ---- availability ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekday", "start", "end", "code"),
    [
        (1, dt.time(18), dt.time(18), "ends_before_start"),
        (1, dt.time(18), dt.time(17), "ends_before_start"),
        (1, dt.time(18), dt.time(18, 30), "too_short"),
        (7, dt.time(18), dt.time(20), "invalid"),
        (-1, dt.time(18), dt.time(20), "invalid"),
        ("1", dt.time(18), dt.time(20), "invalid"),
        (1, "18:00", dt.time(20), "invalid"),
        (1, dt.time(19), dt.time(21), "overlap"),  # overlaps the existing Tuesday 18:00-20:00
    ],
)
def test_weekly_window_bad_input(interviewer, weekday, start, end, code):
    services.weekly_availability_add(user=interviewer, weekday=1, start_time=dt.time(18), end_time=dt.time(20))
    before = counts()
    with pytest.raises(ApplicationError) as excinfo:
        services.weekly_availability_add(user=interviewer, weekday=weekday, start_time=start, end_time=end)
    assert excinfo.value.code == code
    assert counts() == before


def test_weekly_windows_may_touch(interviewer):
    services.weekly_availability_add(user=interviewer, weekday=1, start_time=dt.time(18), end_time=dt.time(20))
    services.weekly_availability_add(user=interviewer, weekday=1, start_time=dt.time(20), end_time=dt.time(21))
    services.weekly_availability_add(user=interviewer, weekday=2, start_time=dt.time(18), end_time=dt.time(20))
    assert WeeklyAvailability.objects.filter(user=interviewer).count() == 3


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (at(-1, 9), at(-1, 11), "in_past"),
        (at(2, 9), at(2, 9), "ends_before_start"),
        (at(2, 9), at(2, 8), "ends_before_start"),
        (at(2, 9), at(2, 9, 30), "too_short"),
        (at(2, 0), at(2, 13), "too_long"),
        (at(120, 9), at(120, 11), "too_far"),
        (at(1, 12), at(1, 14), "overlap"),  # overlaps tomorrow 09:00-13:00
        (at(1, 8), at(1, 9, 30), "overlap"),
        (at(2, 9).replace(tzinfo=None), at(2, 11).replace(tzinfo=None), "invalid"),
    ],
)
def test_one_off_window_bad_input(host, start, end, code):
    before = counts()
    with pytest.raises(ApplicationError) as excinfo:
        services.availability_window_add(user=host, starts_at=start, ends_at=end)
    assert excinfo.value.code == code
    assert counts() == before


def test_one_off_window_may_not_overlap_a_weekly_one(interviewer):
    start = timezone.now().astimezone(PARIS) + dt.timedelta(days=3)
    services.weekly_availability_add(
        user=interviewer, weekday=start.weekday(), start_time=dt.time(18), end_time=dt.time(20)
    )
    clash = dt.datetime.combine(start.date(), dt.time(19), tzinfo=PARIS)
    with pytest.raises(ApplicationError) as excinfo:
        services.availability_window_add(user=interviewer, starts_at=clash, ends_at=clash + dt.timedelta(hours=2))
    assert excinfo.value.code == "overlap"
    with pytest.raises(ApplicationError):
        services.weekly_availability_add(
            user=interviewer, weekday=start.weekday(), start_time=dt.time(17), end_time=dt.time(19)
        )


def test_nobody_deletes_someone_elses_window(host, outsider):
    window = AvailabilityWindow.objects.get(user=host)
    with pytest.raises(ApplicationError) as excinfo:
        services.availability_window_delete(user=outsider, window_id=window.pk)
    assert excinfo.value.status == 404
    services.availability_window_delete(user=host, window_id=window.pk)
    assert not AvailabilityWindow.objects.exists()


# ---- open slots -----------------------------------------------------------------------------------


def test_open_slots_are_half_hourly_inside_the_window(host, candidate):
    slots = selectors.open_slots(viewer=candidate, duration_minutes=60)
    starts = [slot.starts_at for slot in slots]
    assert starts == [at(1, 9), at(1, 9, 30), at(1, 10), at(1, 10, 30), at(1, 11), at(1, 11, 30), at(1, 12)]
    assert all(slot.host.user_id == host.pk for slot in slots)
    assert selectors.open_slots(viewer=host) == []  # not one's own


def test_open_slots_filters(host, candidate, outsider):
    services.profile_update(user=host, display_name="Ivy", time_zone="Europe/Paris", level="senior")
    problem = Problem.objects.first()
    host.profile.focus_problems.set([problem])
    assert selectors.open_slots(viewer=candidate, level="senior")
    assert selectors.open_slots(viewer=candidate, level="junior") == []
    assert selectors.open_slots(viewer=candidate, focus=problem.slug)
    assert selectors.open_slots(viewer=candidate, focus="no-such-problem") == []
    assert selectors.open_slots(viewer=candidate, host_id=outsider.pk) == []
    assert len(selectors.open_slots(viewer=candidate, duration_minutes=90)) == 6
    assert selectors.open_slots(viewer=candidate, since=at(1, 11), until=at(1, 13))[0].starts_at == at(1, 11)


def test_weekly_slots_follow_the_hosts_clock_across_dst(interviewer, candidate, content):
    # Monday 2027-03-22: the next Tuesday 18:00 Paris is 17:00 UTC; after the 2027-03-28 change it is 16:00 UTC.
    now = dt.datetime(2027, 3, 22, 12, tzinfo=UTC)
    services.weekly_availability_add(user=interviewer, weekday=1, start_time=dt.time(18), end_time=dt.time(19), now=now)
    slots = selectors.open_slots(viewer=candidate, now=now, until=now + dt.timedelta(days=14))
    assert [slot.starts_at for slot in slots] == [
        dt.datetime(2027, 3, 23, 17, tzinfo=UTC),
        dt.datetime(2027, 3, 30, 16, tzinfo=UTC),
    ]
    assert {slot.starts_at.astimezone(PARIS).strftime("%a %H:%M") for slot in slots} == {"Tue 18:00"}


def test_booked_time_leaves_the_open_slots(host, candidate, outsider):
    services.booking_book_slot(user=candidate, host_id=host.pk, starts_at=at(1, 10))
    starts = [slot.starts_at for slot in selectors.open_slots(viewer=outsider)]
    # 09:00 still fits the hour before the booking; 09:30, 10:00 and 10:30 would clash with it
    assert starts == [at(1, 9), at(1, 11), at(1, 11, 30), at(1, 12)]
    # the candidate's own booking also hides clashing slots from them
    services.availability_window_add(user=outsider, starts_at=at(1, 10), ends_at=at(1, 12))
    assert at(1, 10) not in [s.starts_at for s in selectors.open_slots(viewer=candidate, host_id=outsider.pk)]


# ---- booking --------------------------------------------------------------------------------------


def test_booking_a_slot_creates_an_accepted_interview_and_holds(host, candidate):
    booking = services.booking_book_slot(user=candidate, host_id=host.pk, starts_at=at(1, 10), mode="candidate")
    interview = booking.interviews.get()
    assert (interview.interviewer, interview.candidate) == (host, candidate)
    assert interview.status == Interview.Status.ACCEPTED
    assert (booking.source, booking.kind, booking.organizer, booking.peer) == ("slot", "single", candidate, host)
    assert (booking.starts_at, booking.ends_at) == (at(1, 10), at(1, 11))
    assert set(Hold.objects.filter(booking=booking).values_list("user_id", flat=True)) == {host.pk, candidate.pk}


def test_booking_as_interviewer(host, candidate):
    booking = services.booking_book_slot(user=candidate, host_id=host.pk, starts_at=at(1, 10), mode="interviewer")
    interview = booking.interviews.get()
    assert (interview.interviewer, interview.candidate) == (candidate, host)


def test_swap_booking_has_two_halves_with_roles_reversed_and_own_problems(host, candidate):
    booking = services.booking_book_slot(
        user=candidate, host_id=host.pk, starts_at=at(1, 10), mode="swap", duration_minutes=90
    )
    first, second = booking.interviews.order_by("part")
    assert (first.interviewer, first.candidate) == (host, candidate)
    assert (second.interviewer, second.candidate) == (candidate, host)
    assert (first.scheduled_at, first.duration_minutes) == (at(1, 10), 45)
    assert (second.scheduled_at, second.duration_minutes) == (at(1, 10, 45), 45)
    assert first.problem_id != second.problem_id
    assert first.board_id != second.board_id
    assert booking.ends_at == at(1, 11, 30)


def test_booking_picks_the_candidates_focus_problem(host, candidate):
    problem = Problem.objects.order_by("-pk").first()
    candidate.profile.focus_problems.set([problem])
    booking = services.booking_book_slot(user=candidate, host_id=host.pk, starts_at=at(1, 10))
    assert booking.interviews.get().problem == problem


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"starts_at": at(-1, 10)}, "in_past"),
        ({"starts_at": "in two minutes"}, "too_soon"),  # made when the test runs, not when it is collected
        ({"starts_at": at(40, 10)}, "too_far"),
        ({"starts_at": at(1, 10).replace(tzinfo=None)}, "invalid"),
        ({"starts_at": "tomorrow"}, "invalid"),
        ({"starts_at": at(1, 12, 30)}, "not_available"),  # would run past the window's 13:00 end
        ({"starts_at": at(1, 15)}, "not_available"),  # outside any window (a tampered time)
        ({"mode": "boss"}, "invalid"),
        ({"duration_minutes": 0}, "invalid"),
        ({"duration_minutes": -60}, "invalid"),
        ({"duration_minutes": 50}, "invalid"),
        ({"mode": "swap", "duration_minutes": 45}, "invalid"),
        ({"host_id": 999999}, "not_found"),
        ({"host_id": "1"}, "not_found"),
        ({"problem_id": 999999}, "invalid"),
    ],
)
def test_booking_bad_input_changes_nothing(host, candidate, arguments, code):
    if arguments.get("starts_at") == "in two minutes":  # sooner than the 5-minute lead time
        arguments = {"starts_at": timezone.now() + dt.timedelta(minutes=2)}
    before = counts()
    with pytest.raises(ApplicationError) as excinfo:
        services.booking_book_slot(**{"user": candidate, "host_id": host.pk, "starts_at": at(1, 10), **arguments})
    assert excinfo.value.code == code
    assert excinfo.value.message
    assert counts() == before


def test_booking_ones_own_slot_is_refused(host):
    with pytest.raises(ApplicationError) as excinfo:
        services.booking_book_slot(user=host, host_id=host.pk, starts_at=at(1, 10))
    assert excinfo.value.code == "own_slot"


def test_a_taken_slot_cannot_be_booked_again(host, candidate, outsider):
    services.booking_book_slot(user=candidate, host_id=host.pk, starts_at=at(1, 10))
    before = counts()
    for start in (at(1, 10), at(1, 10, 30), at(1, 9, 30)):
        with pytest.raises(ApplicationError) as excinfo:
            services.booking_book_slot(user=outsider, host_id=host.pk, starts_at=start)
        assert excinfo.value.code == "slot_taken"
        assert excinfo.value.status == 409
        assert "just taken" in excinfo.value.message
    assert counts() == before
    services.booking_book_slot(user=outsider, host_id=host.pk, starts_at=at(1, 11))  # back-to-back is fine


def test_nobody_holds_two_overlapping_interviews(host, candidate, outsider, problem):
    services.availability_window_add(user=outsider, starts_at=at(1, 9), ends_at=at(1, 13))
    services.booking_book_slot(user=candidate, host_id=host.pk, starts_at=at(1, 10))
    with pytest.raises(ApplicationError) as excinfo:
        services.booking_book_slot(user=candidate, host_id=outsider.pk, starts_at=at(1, 10, 30))
    assert excinfo.value.code == "you_are_busy"
    with pytest.raises(ApplicationError) as excinfo:  # a direct invitation is held to the same rule
        services.interview_schedule(
            created_by=outsider,
            problem_id=problem.pk,
            scheduled_at=at(1, 10, 15),
            peer=candidate.username,
            my_role="interviewer",
        )
    assert excinfo.value.code == "slot_taken"


# ---- cancel and reschedule ------------------------------------------------------------------------


@pytest.fixture
def booking(host, candidate):
    return services.booking_book_slot(user=candidate, host_id=host.pk, starts_at=at(1, 10))


def test_cancel_needs_a_reason_and_a_participant(booking, candidate, outsider):
    before = counts()
    with pytest.raises(ApplicationError) as excinfo:
        services.booking_cancel(booking=booking, user=candidate, reason=" ")
    assert excinfo.value.code == "reason_required"
    with pytest.raises(ApplicationError) as excinfo:
        services.booking_cancel(booking=booking, user=outsider, reason="I want this slot")
    assert excinfo.value.status == 403
    assert counts() == before
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.ACTIVE


def test_cancel_frees_the_time_and_records_the_reason(booking, candidate, host, outsider):
    services.booking_cancel(booking=booking, user=candidate, reason="Sick today")
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason, booking.cancelled_by, booking.sequence) == (
        "cancelled",
        "Sick today",
        candidate,
        1,
    )
    assert set(booking.interviews.values_list("status", flat=True)) == {"cancelled"}
    assert not Hold.objects.filter(booking=booking).exists()
    assert BookingChange.objects.get(booking=booking).kind == "cancel"
    assert at(1, 10) in [slot.starts_at for slot in selectors.open_slots(viewer=outsider)]
    with pytest.raises(ApplicationError) as excinfo:
        services.booking_cancel(booking=booking, user=host, reason="me too")
    assert excinfo.value.code == "cancelled"


def test_late_cancellation_is_recorded_on_the_profile(booking, candidate, host):
    # 20 hours before the start, more than an hour after booking it: late.
    now = booking.starts_at - dt.timedelta(hours=20)
    Booking.objects.filter(pk=booking.pk).update(created_at=now - dt.timedelta(days=2))
    services.booking_cancel(booking=booking, user=candidate, reason="Conflict", now=now)
    assert list(ReliabilityEvent.objects.values_list("user_id", "kind")) == [(candidate.pk, "late_cancel")]
    assert selectors.reliability_for(user_ids=[candidate.pk])[candidate.pk].late_cancellations == 1
    assert selectors.reliability_for(user_ids=[host.pk])[host.pk].flagged == 0


def test_early_or_fresh_cancellations_are_not_late(host, candidate):
    fresh = services.booking_book_slot(user=candidate, host_id=host.pk, starts_at=at(1, 10))
    services.booking_cancel(booking=fresh, user=candidate, reason="Booked the wrong day")  # within an hour of booking
    assert not ReliabilityEvent.objects.exists()


def test_cannot_cancel_after_the_start(booking, candidate):
    with pytest.raises(ApplicationError) as excinfo:
        services.booking_cancel(booking=booking, user=candidate, reason="Too late", now=booking.starts_at)
    assert excinfo.value.code == "started"


def test_reschedule_moves_everything_and_bumps_the_sequence(host, candidate):
    booking = services.booking_book_slot(
        user=candidate, host_id=host.pk, starts_at=at(1, 10), mode="swap", duration_minutes=60
    )
    services.booking_reschedule(booking=booking, user=host, starts_at=at(2, 16), reason="Team offsite")
    booking.refresh_from_db()
    assert (booking.starts_at, booking.ends_at, booking.sequence) == (at(2, 16), at(2, 17), 1)
    assert [i.scheduled_at for i in booking.interviews.order_by("part")] == [at(2, 16), at(2, 16, 30)]
    assert set(Hold.objects.filter(booking=booking).values_list("starts_at", flat=True)) == {at(2, 16)}
    change = BookingChange.objects.get(booking=booking)
    assert (change.kind, change.old_starts_at, change.new_starts_at, change.reason) == (
        "reschedule",
        at(1, 10),
        at(2, 16),
        "Team offsite",
    )


def test_reschedule_onto_a_busy_time_is_refused(booking, candidate, host, outsider):
    services.availability_window_add(user=outsider, starts_at=at(2, 9), ends_at=at(2, 12))
    services.booking_book_slot(user=candidate, host_id=outsider.pk, starts_at=at(2, 10))
    before = (counts(), Booking.objects.values_list("starts_at", "sequence").get(pk=booking.pk))
    with pytest.raises(ApplicationError) as excinfo:
        services.booking_reschedule(booking=booking, user=host, starts_at=at(2, 10, 30), reason="Moving")
    assert excinfo.value.code == "peer_busy"
    with pytest.raises(ApplicationError) as excinfo:
        services.booking_reschedule(booking=booking, user=candidate, starts_at=at(2, 9, 30), reason="Moving")
    assert excinfo.value.code == "you_are_busy"
    with pytest.raises(ApplicationError) as excinfo:
        services.booking_reschedule(booking=booking, user=host, starts_at=at(-1, 10), reason="Moving")
    assert excinfo.value.code == "in_past"
    assert (counts(), Booking.objects.values_list("starts_at", "sequence").get(pk=booking.pk)) == before


def test_late_reschedule_is_recorded(booking, host):
    now = booking.starts_at - dt.timedelta(hours=3)
    Booking.objects.filter(pk=booking.pk).update(created_at=now - dt.timedelta(days=1))
    services.booking_reschedule(booking=booking, user=host, starts_at=at(3, 10), reason="Oncall", now=now)
    assert list(ReliabilityEvent.objects.values_list("user_id", "kind")) == [(host.pk, "late_reschedule")]


# ---- invitations ----------------------------------------------------------------------------------


def test_a_direct_invitation_holds_both_and_declining_frees_them(invited_interview, interviewer, candidate):
    booking = invited_interview.booking
    assert (booking.source, booking.status) == ("invite", "active")
    assert Hold.objects.filter(booking=booking).count() == 2
    services.interview_decline(interview=invited_interview, user=candidate)
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.sequence == 1
    assert not Hold.objects.filter(booking=booking).exists()
    assert not ReliabilityEvent.objects.exists()


# ---- room, attendance and no-shows ----------------------------------------------------------------


def test_room_opens_ten_minutes_before_the_start(booking):
    interview = booking.interviews.get()
    assert not room_is_open(interview, now=interview.scheduled_at - dt.timedelta(minutes=11))
    assert room_is_open(interview, now=interview.scheduled_at - dt.timedelta(minutes=10))
    assert room_is_open(interview, now=interview.scheduled_at + dt.timedelta(minutes=30))


def test_no_shows_are_recorded_once(booking, host, candidate):
    services.booking_mark_joined(interview=booking.interviews.get(), user=host)
    assert services.bookings_record_no_shows(now=booking.starts_at + dt.timedelta(minutes=10)) == 0
    after = booking.starts_at + dt.timedelta(minutes=20)
    assert services.bookings_record_no_shows(now=after) == 1
    assert services.bookings_record_no_shows(now=after) == 0
    assert list(ReliabilityEvent.objects.values_list("user_id", "kind")) == [(candidate.pk, "no_show")]
    assert selectors.reliability_for(user_ids=[candidate.pk])[candidate.pk].no_shows == 1


def test_cancelled_or_unanswered_sessions_have_no_no_shows(booking, candidate, invited_interview):
    services.booking_cancel(booking=booking, user=candidate, reason="Sick")
    assert services.bookings_record_no_shows(now=timezone.now() + dt.timedelta(days=3)) == 0


def test_the_board_stays_closed_until_the_room_opens(booking, host, candidate, outsider):
    from whiteboard.access import BoardPermission, board_permission

    interview = booking.interviews.get()  # starts tomorrow
    assert board_permission(user=candidate, board=interview.board) == BoardPermission.NONE
    Interview.objects.filter(pk=interview.pk).update(scheduled_at=timezone.now() + dt.timedelta(minutes=9))
    assert board_permission(user=candidate, board=interview.board) == BoardPermission.EDIT
    assert board_permission(user=host, board=interview.board) == BoardPermission.EDIT
    assert board_permission(user=outsider, board=interview.board) == BoardPermission.NONE
