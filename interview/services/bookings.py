"""Writes for bookings: book a peer's open slot, cancel, reschedule, attendance and no-shows.

No double booking: every write that gives someone time in their calendar locks both people's
profile rows first (in id order, so two bookings never deadlock), checks their holds, and writes
new holds. A second booking that raced for the same time waits on the lock, then sees the first
one's holds and gets a clear "just taken" error. On PostgreSQL the exclusion constraint on holds
(migration 0006) refuses an overlap even if a code path forgot the lock; its IntegrityError becomes
the same error. On SQLite, transactions start with BEGIN IMMEDIATE and so run one at a time.
"""

import dataclasses
import datetime as dt
import logging
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import ApplicationError
from rubrics.models import Problem
from rubrics.selectors import rubric_active
from whiteboard.services import board_create

from .. import timeslots
from ..board_layout import LANES
from ..lifecycle import earliest_start, min_notice_label
from ..models import Booking, BookingChange, Hold, Interview, Profile, ReliabilityEvent
from ..selectors.schedule import HORIZON, availability_for
from .profiles import profile_ensure

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AuthUser

logger = logging.getLogger(__name__)
User = get_user_model()

LATE_CHANGE = dt.timedelta(hours=24)  # cancelling or moving a session closer to its start than this is late
CHANGE_GRACE = dt.timedelta(hours=1)  # ...unless it was booked less than this long ago (a mis-click)
NO_SHOW_AFTER = dt.timedelta(minutes=15)  # not in the room this long after the start: a no-show
SINGLE_DURATIONS = (45, 60, 75, 90)
SWAP_DURATIONS = (60, 90)  # half each


def durations_for(mode: str) -> tuple[int, ...]:
    """The lengths a session of this seat or queue mode may have: every form offers exactly these."""
    return SWAP_DURATIONS if mode in ("swap", Booking.Kind.SWAP) else SINGLE_DURATIONS


MAX_REASON = 500

MODES = ("candidate", "interviewer", "swap")


@dataclasses.dataclass(frozen=True)
class Part:
    interviewer: "AuthUser"
    candidate: "AuthUser"
    problem: Problem
    starts_at: dt.datetime
    duration_minutes: int
    picked_by: "AuthUser | None" = None  # who chose the problem by hand, if anyone


def _lock_people(*user_ids: int) -> None:
    """Take both people's profile row locks, in id order."""
    for user_id in sorted(set(user_ids)):
        profile_ensure(user=User(pk=user_id))
    list(Profile.objects.select_for_update().filter(user_id__in=user_ids).order_by("user_id"))


def _clash(user_id: int, start: dt.datetime, end: dt.datetime, exclude_booking_id: int | None = None) -> Hold | None:
    holds = Hold.objects.filter(user_id=user_id, starts_at__lt=end, ends_at__gt=start)
    if exclude_booking_id is not None:
        holds = holds.exclude(booking_id=exclude_booking_id)
    return holds.first()


def validate_start(starts_at, *, now: dt.datetime) -> dt.datetime:
    if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
        raise ApplicationError("The start time needs a date, a time and a time zone.", code="invalid")
    if starts_at < now:
        raise ApplicationError("That time is in the past; pick a time from now on.", code="in_past")
    if starts_at < earliest_start(now):
        raise ApplicationError(f"Sessions start at least {min_notice_label()} from now.", code="too_soon")
    if starts_at > now + HORIZON:
        raise ApplicationError("Sessions can be booked up to 4 weeks ahead.", code="too_far")
    return starts_at.astimezone(dt.UTC)


def validate_duration(duration_minutes, *, kind: str) -> int:
    allowed = durations_for(kind)
    if isinstance(duration_minutes, bool) or duration_minutes not in allowed:
        options = ", ".join(str(minutes) for minutes in allowed)
        what = "A role swap" if kind == Booking.Kind.SWAP else "A session"
        raise ApplicationError(f"{what} lasts {options} minutes.", code="invalid")
    return duration_minutes


def _clean_reason(reason) -> str:
    if not isinstance(reason, str) or len(reason.strip()) < 3:
        raise ApplicationError("Give your peer a short reason.", code="reason_required")
    if len(reason.strip()) > MAX_REASON:
        raise ApplicationError(f"The reason is limited to {MAX_REASON} characters.", code="invalid")
    return reason.strip()


def problem_for(*, candidate, chosen_id: int | None = None, exclude: AbstractSet[int] = frozenset()) -> Problem:
    """The problem the candidate will design: the one chosen, else one of their focus problems they
    have not done yet, else any they have not done, else the one they did longest ago."""
    active = Problem.objects.filter(is_active=True)
    if chosen_id is not None:
        if isinstance(chosen_id, bool) or not isinstance(chosen_id, int):
            raise ApplicationError("Pick a problem from the problem bank.", code="invalid")
        problem = active.filter(pk=chosen_id).first()
        if problem is None:
            raise ApplicationError("Pick a problem from the problem bank.", code="invalid")
        return problem
    done = list(
        Interview.objects.filter(candidate=candidate)
        .exclude(status__in=[Interview.Status.CANCELLED, Interview.Status.DECLINED])
        .order_by("-scheduled_at")
        .values_list("problem_id", flat=True)
    )
    choices = active.exclude(pk__in=exclude)
    focus = set(Profile.objects.filter(user=candidate).values_list("focus_problems", flat=True)) - {None}
    for pool in (choices.filter(pk__in=focus), choices):
        fresh = pool.exclude(pk__in=done).order_by("difficulty", "title").first()
        if fresh is not None:
            return fresh
    by_recency = {problem_id: i for i, problem_id in enumerate(done)}
    least_recent = sorted(choices, key=lambda p: -by_recency.get(p.pk, len(done)))
    if not least_recent:
        raise ApplicationError(
            "The problem bank is empty; run `manage.py load_content`.", code="no_problems", status=503
        )
    return least_recent[0]


def plan_parts(
    *,
    first,
    second,
    kind: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    problem_id: int | None = None,
    picked_by=None,
) -> list[Part]:
    """Who interviews whom. Single: `first` is the candidate. Swap: `second` interviews `first` in
    the first half, then they change seats, each with their own problem. `problem_id`, chosen by
    `picked_by`, is the problem of the first part."""
    picked_by = picked_by if problem_id is not None else None
    if kind == Booking.Kind.SINGLE:
        problem = problem_for(candidate=first, chosen_id=problem_id)
        return [Part(second, first, problem, starts_at, duration_minutes, picked_by)]
    half = duration_minutes // 2
    problem_a = problem_for(candidate=first, chosen_id=problem_id)
    problem_b = problem_for(candidate=second, exclude={problem_a.pk})
    return [
        Part(second, first, problem_a, starts_at, half, picked_by),
        Part(first, second, problem_b, starts_at + dt.timedelta(minutes=half), half),
    ]


def booking_create(
    *,
    organizer,
    peer,
    kind: str,
    source: str,
    parts: list[Part],
    status: str = Interview.Status.ACCEPTED,
    check_availability_of=None,
) -> Booking:
    """Create a booking, its interviews (each with a fresh two-lane board) and both people's holds.

    Must run inside transaction.atomic(). Raises ApplicationError if either person is busy then, or
    if `check_availability_of` has not published that time."""
    if organizer.pk == peer.pk:
        raise ApplicationError("You cannot book a session with yourself.", code="own_slot")
    rubric = rubric_active()
    if rubric is None:
        raise ApplicationError("No rubric is loaded; run `manage.py load_content`.", code="no_rubric", status=503)
    starts_at = parts[0].starts_at
    ends_at = parts[-1].starts_at + dt.timedelta(minutes=parts[-1].duration_minutes)
    _lock_people(organizer.pk, peer.pk)
    if check_availability_of is not None:
        available = availability_for(user_ids=[check_availability_of.pk], since=starts_at, until=ends_at)
        if not timeslots.covers(available[check_availability_of.pk], starts_at, ends_at):
            raise ApplicationError(
                "That time is not in your peer's availability any more; pick another slot.", code="not_available"
            )
    if _clash(peer.pk, starts_at, ends_at):
        raise ApplicationError(
            "Sorry, that slot was just taken by someone else; pick another time."
            if source == Booking.Source.SLOT
            else "Your peer already has a session at that time.",
            code="slot_taken",
            status=409,
        )
    if _clash(organizer.pk, starts_at, ends_at):
        raise ApplicationError("You already have a session at that time.", code="you_are_busy", status=409)
    booking = Booking.objects.create(
        kind=kind, source=source, organizer=organizer, peer=peer, starts_at=starts_at, ends_at=ends_at
    )
    for number, part in enumerate(parts, start=1):
        Interview.objects.create(
            booking=booking,
            part=number,
            problem=part.problem,
            problem_picked_by=part.picked_by,
            rubric=rubric,
            board=board_create(title=part.problem.title, lanes=LANES),
            created_by=organizer,
            interviewer=part.interviewer,
            candidate=part.candidate,
            scheduled_at=part.starts_at,
            duration_minutes=part.duration_minutes,
            status=status,
        )
    Hold.objects.bulk_create(
        [Hold(booking=booking, user=person, starts_at=starts_at, ends_at=ends_at) for person in (organizer, peer)]
    )
    return booking


def guard_overlap(create):
    """Run `create` in a savepoint; turn the database's overlap refusal into the usual clear error."""
    try:
        with transaction.atomic():
            return create()
    except IntegrityError as exc:
        if "interview_hold_no_overlap" in str(exc):
            raise ApplicationError(
                "Sorry, that time was just taken by someone else; pick another time.", code="slot_taken", status=409
            ) from exc
        raise


def notify(booking_id: int, event: str) -> None:
    from ..tasks import notify_booking

    transaction.on_commit(lambda: notify_booking.delay(booking_id, event))


def booking_book_slot(
    *,
    user,
    host_id: int,
    starts_at: dt.datetime,
    mode: str = "candidate",
    duration_minutes: int = 60,
    problem_id: int | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a peer's open slot. `mode` is the booker's seat: candidate, interviewer, or swap (the host
    interviews first, then the booker)."""
    now = now or timezone.now()
    if mode not in MODES:
        raise ApplicationError("Choose candidate, interviewer or swap.", code="invalid")
    kind = Booking.Kind.SWAP if mode == "swap" else Booking.Kind.SINGLE
    duration_minutes = validate_duration(duration_minutes, kind=kind)
    starts_at = validate_start(starts_at, now=now)
    if isinstance(host_id, bool) or not isinstance(host_id, int):
        raise ApplicationError("Unknown peer.", code="not_found", status=404)
    host = User.objects.filter(pk=host_id, is_active=True).first()
    if host is None:
        raise ApplicationError("Unknown peer.", code="not_found", status=404)
    if host.pk == user.pk:
        raise ApplicationError("That is your own slot; book a peer's.", code="own_slot")
    first, second = (host, user) if mode == "interviewer" else (user, host)
    parts = plan_parts(
        first=first,
        second=second,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        problem_id=problem_id,
        picked_by=user,
    )

    def create():
        return booking_create(
            organizer=user,
            peer=host,
            kind=kind,
            source=Booking.Source.SLOT,
            parts=parts,
            check_availability_of=host,
        )

    with transaction.atomic():
        booking = guard_overlap(create)
        notify(booking.pk, "booked")
    return booking


def change_is_late(booking: Booking, *, now: dt.datetime) -> bool:
    """Whether cancelling or moving the booking now goes on record: a confirmed session changed
    within 24 h of its start (not a pending invitation, and not within an hour of booking it)."""
    confirmed = any(interview.status == Interview.Status.ACCEPTED for interview in booking.interviews.all())
    return confirmed and booking.starts_at - now < LATE_CHANGE and now - booking.created_at > CHANGE_GRACE


def _lock_active(booking: Booking, user) -> Booking:
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if user.pk not in (booking.organizer_id, booking.peer_id):
        raise ApplicationError("Only the two people in this session can change it.", code="forbidden", status=403)
    if booking.status != Booking.Status.ACTIVE:
        raise ApplicationError("This session was already cancelled.", code="cancelled", status=409)
    return booking


def _require_not_started(booking: Booking, now: dt.datetime, verb: str) -> None:
    started = booking.interviews.exclude(status__in=[Interview.Status.INVITED, Interview.Status.ACCEPTED]).exists()
    if booking.starts_at <= now or started:
        raise ApplicationError(f"This session has already started; it can no longer be {verb}.", code="started")


@transaction.atomic
def booking_cancel(*, booking: Booking, user, reason: str, now: dt.datetime | None = None) -> Booking:
    """Cancel with a reason. The peer is told; a cancellation within 24 hours of the start is recorded
    on the canceller's profile."""
    now = now or timezone.now()
    reason = _clean_reason(reason)
    booking = _lock_active(booking, user)
    _require_not_started(booking, now, "cancelled")
    late = change_is_late(booking, now=now)
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_by = user
    booking.cancelled_at = now
    booking.cancel_reason = reason
    booking.sequence += 1
    booking.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason", "sequence", "updated_at"])
    booking.interviews.update(status=Interview.Status.CANCELLED)
    booking.holds.all().delete()
    BookingChange.objects.create(
        booking=booking,
        user=user,
        kind=BookingChange.Kind.CANCEL,
        reason=reason,
        old_starts_at=booking.starts_at,
        late=late,
    )
    if late:
        ReliabilityEvent.objects.get_or_create(user=user, booking=booking, kind=ReliabilityEvent.Kind.LATE_CANCEL)
    notify(booking.pk, "cancelled")
    return booking


def booking_reschedule(
    *, booking: Booking, user, starts_at: dt.datetime, reason: str, now: dt.datetime | None = None
) -> Booking:
    """Move the whole session (both halves of a swap) to a new start; the peer is told and the
    calendar entry updated (same UID, next SEQUENCE). Moving it within 24 hours of the old start is
    recorded as a late reschedule."""
    now = now or timezone.now()
    reason = _clean_reason(reason)
    starts_at = validate_start(starts_at, now=now)

    def move():
        locked = _lock_active(booking, user)
        _require_not_started(locked, now, "rescheduled")
        if starts_at == locked.starts_at:
            raise ApplicationError("That is the time it already has.", code="unchanged")
        shift = starts_at - locked.starts_at
        new_end = locked.ends_at + shift
        _lock_people(locked.organizer_id, locked.peer_id)
        other = locked.other(user.pk)
        if _clash(other, starts_at, new_end, exclude_booking_id=locked.pk):
            raise ApplicationError("Your peer already has a session at that time.", code="peer_busy", status=409)
        if _clash(user.pk, starts_at, new_end, exclude_booking_id=locked.pk):
            raise ApplicationError("You already have a session at that time.", code="you_are_busy", status=409)
        late = change_is_late(locked, now=now)
        old_start = locked.starts_at
        locked.starts_at, locked.ends_at = starts_at, new_end
        locked.sequence += 1
        locked.save(update_fields=["starts_at", "ends_at", "sequence", "updated_at"])
        for interview in locked.interviews.all():
            interview.scheduled_at += shift
            interview.save(update_fields=["scheduled_at", "updated_at"])
        locked.holds.update(starts_at=starts_at, ends_at=new_end)
        BookingChange.objects.create(
            booking=locked,
            user=user,
            kind=BookingChange.Kind.RESCHEDULE,
            reason=reason,
            old_starts_at=old_start,
            new_starts_at=starts_at,
            late=late,
        )
        if late:
            ReliabilityEvent.objects.get_or_create(
                user=user, booking=locked, kind=ReliabilityEvent.Kind.LATE_RESCHEDULE
            )
        return locked

    with transaction.atomic():
        booking = guard_overlap(move)
        notify(booking.pk, "rescheduled")
    return booking


def booking_after_part_ended(*, interview: Interview, ended_at: dt.datetime) -> None:
    """Once a part ends, give both people their time back. In a role swap whose first half ended
    before the half-way point, the second half starts at once (its room opens, its clock counts from
    now). Both people's holds then end when the rest of the booking ends: at the end of the
    interview, or of the second half from its new start; a hold that would not start before then
    goes. Must run inside the transaction that ended the part."""
    later = list(
        Interview.objects.select_for_update()
        .filter(
            booking_id=interview.booking_id,
            part__gt=interview.part,
            status__in=[Interview.Status.INVITED, Interview.Status.ACCEPTED],
        )
        .order_by("part")
    )
    if later and later[0].scheduled_at > ended_at:
        next_part = later[0]
        next_part.scheduled_at = ended_at
        next_part.save(update_fields=["scheduled_at", "updated_at"])
    busy_until = max(
        (part.scheduled_at + dt.timedelta(minutes=part.duration_minutes) for part in later), default=ended_at
    )
    holds = Hold.objects.filter(booking_id=interview.booking_id)
    holds.filter(starts_at__gte=busy_until).delete()
    holds.filter(ends_at__gt=busy_until).update(ends_at=busy_until)


def booking_mark_joined(*, interview: Interview, user, now: dt.datetime | None = None) -> None:
    """Remember the first time each person entered the room (for no-shows)."""
    Hold.objects.filter(booking_id=interview.booking_id, user=user, joined_at__isnull=True).update(
        joined_at=now or timezone.now()
    )


def bookings_record_no_shows(*, now: dt.datetime | None = None) -> int:
    """Record a no-show for each person who had not entered the room NO_SHOW_AFTER the start of a
    confirmed session. Runs on a schedule; the unique key makes re-runs harmless."""
    now = now or timezone.now()
    due = Booking.objects.filter(
        status=Booking.Status.ACTIVE,
        starts_at__lte=now - NO_SHOW_AFTER,
        starts_at__gte=now - dt.timedelta(days=7),
    ).filter(Q(interviews__part=1) & ~Q(interviews__status__in=[Interview.Status.INVITED, Interview.Status.DECLINED]))
    missing = Hold.objects.filter(booking__in=due, joined_at__isnull=True).values_list("user_id", "booking_id")
    recorded = 0
    for user_id, booking_id in missing:
        _, created = ReliabilityEvent.objects.get_or_create(
            user_id=user_id, booking_id=booking_id, kind=ReliabilityEvent.Kind.NO_SHOW
        )
        recorded += created
    return recorded
