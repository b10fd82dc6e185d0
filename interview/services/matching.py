"""The match queue: "any peer, in these windows".

Each run scores every compatible pair of waiting requests by the free time they share (after both
people's existing sessions are taken out); equal level, then shared focus problems, then whoever
has waited longest break ties. Pairs are booked best first, each person at most once per run, at
the earliest start in their shared time."""

import dataclasses
import datetime as dt
import itertools
import logging

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError

from .. import timeslots
from ..hooks import interviewer_scores_for
from ..lifecycle import earliest_start
from ..models import Booking, MatchRequest, MatchWindow, Profile
from ..selectors.schedule import HORIZON, LEVEL_ORDER, busy_for
from .bookings import SWAP_DURATIONS, booking_create, durations_for, guard_overlap, notify, plan_parts

START_STEP_MINUTES = 5  # matched sessions start on a five-minute mark
UNRATED = 3.0  # where an interviewer nobody has rated yet ranks, on the 1-5 scale
logger = logging.getLogger(__name__)

MAX_WINDOWS = 10
# "Free now": the window runs from now until this long after the longest session could have started,
# so a match starts within NOW_WAIT or the entry expires by itself.
NOW_WAIT = dt.timedelta(minutes=30)
Mode = MatchRequest.Mode

# (my mode, their mode) -> kind, and for a single interview which of the two is the candidate
_PAIRINGS: dict[tuple[str, str], tuple[str, str]] = {
    (Mode.CANDIDATE, Mode.INTERVIEWER): ("single", "a"),
    (Mode.CANDIDATE, Mode.EITHER): ("single", "a"),
    (Mode.INTERVIEWER, Mode.CANDIDATE): ("single", "b"),
    (Mode.INTERVIEWER, Mode.EITHER): ("single", "b"),
    (Mode.EITHER, Mode.CANDIDATE): ("single", "b"),
    (Mode.EITHER, Mode.INTERVIEWER): ("single", "a"),
    (Mode.SWAP, Mode.SWAP): ("swap", "a"),
    (Mode.SWAP, Mode.EITHER): ("swap", "a"),
    (Mode.EITHER, Mode.SWAP): ("swap", "a"),
    (Mode.EITHER, Mode.EITHER): ("swap", "a"),
}


@transaction.atomic
def match_request_create(
    *, user, mode: str, duration_minutes: int, windows: list, now: dt.datetime | None = None
) -> MatchRequest:
    """Join the queue. Windows are (start, end) pairs of aware datetimes within the next 4 weeks."""
    now = now or timezone.now()
    if mode not in Mode.values:
        raise ApplicationError("Choose candidate, interviewer, swap or either.", code="invalid")
    if isinstance(duration_minutes, bool) or duration_minutes not in durations_for(mode):
        options = ", ".join(str(m) for m in durations_for(mode))
        raise ApplicationError(f"For that choice a session lasts {options} minutes.", code="invalid")
    if not isinstance(windows, list | tuple) or not 1 <= len(windows) <= MAX_WINDOWS:
        raise ApplicationError(f"Give between 1 and {MAX_WINDOWS} windows.", code="invalid")
    cleaned = []
    for start, end in windows:
        if not all(isinstance(v, dt.datetime) and not timezone.is_naive(v) for v in (start, end)):
            raise ApplicationError("Each window needs a start and an end with a time zone.", code="invalid")
        if end <= start:
            raise ApplicationError("Each window must end after it starts.", code="ends_before_start")
        if start < now:
            raise ApplicationError("A window starts in the past; pick times from now on.", code="in_past")
        if end - start < dt.timedelta(minutes=duration_minutes):
            raise ApplicationError(f"Each window must fit a {duration_minutes}-minute session.", code="too_short")
        if end > now + HORIZON:
            raise ApplicationError("Windows can be at most 4 weeks ahead.", code="too_far")
        cleaned.append((start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
    cleaned.sort()
    for (_, end), (start, _) in itertools.pairwise(cleaned):
        if start < end:
            raise ApplicationError("Two of your windows overlap; merge them into one.", code="overlap")
    Profile.objects.select_for_update().filter(user=user).first()
    if MatchRequest.objects.filter(user=user, status=MatchRequest.Status.OPEN).exists():
        raise ApplicationError("You are already in the queue; leave it first to change your windows.", code="queued")
    request = MatchRequest.objects.create(user=user, mode=mode, duration_minutes=duration_minutes)
    MatchWindow.objects.bulk_create([MatchWindow(request=request, starts_at=s, ends_at=e) for s, e in cleaned])
    transaction.on_commit(_run_soon)
    return request


def match_request_now(*, user, mode: str, duration_minutes: int, now: dt.datetime | None = None) -> MatchRequest:
    """Join the queue as free now: one window from now to NOW_WAIT past the latest start, so two people
    who are both free now are matched at once and start after the minimum lead time."""
    now = now or timezone.now()
    if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int):
        raise ApplicationError("For that choice a session lasts 45, 60, 75 or 90 minutes.", code="invalid")
    window = (now, earliest_start(now) + dt.timedelta(minutes=duration_minutes) + NOW_WAIT)
    return match_request_create(user=user, mode=mode, duration_minutes=duration_minutes, windows=[window], now=now)


def _run_soon() -> None:
    from ..tasks import run_match_queue

    run_match_queue.delay()


@transaction.atomic
def match_request_cancel(*, request: MatchRequest, user) -> MatchRequest:
    request = MatchRequest.objects.select_for_update().get(pk=request.pk)
    if request.user_id != user.pk:
        raise ApplicationError("Unknown queue entry.", code="not_found", status=404)
    if request.status != MatchRequest.Status.OPEN:
        raise ApplicationError(
            f"This queue entry is no longer waiting ({request.get_status_display().lower()}).",
            code="not_open",
            status=409,
        )
    request.status = MatchRequest.Status.CANCELLED
    request.save(update_fields=["status", "updated_at"])
    return request


@dataclasses.dataclass(frozen=True)
class Pairing:
    a: MatchRequest
    b: MatchRequest
    kind: str
    candidate_first: MatchRequest  # the candidate of a single interview; the first candidate of a swap
    starts_at: dt.datetime
    duration_minutes: int
    score: tuple


def _profile(request: MatchRequest) -> Profile:
    return request.user.profile


def pair(
    a: MatchRequest, b: MatchRequest, *, busy: dict, now: dt.datetime, ratings: dict[int, float] | None = None
) -> Pairing | None:
    """How `a` and `b` would meet, or None if their modes or free time do not fit. Among pairs with
    the same time together, level gap and shared focus, a better-rated interviewer goes first
    (`ratings`: the mean of their candidates' ratings; an unrated interviewer counts as 3 of 5)."""
    if a.user_id == b.user_id or (a.mode, b.mode) not in _PAIRINGS:
        return None
    kind, first = _PAIRINGS[(a.mode, b.mode)]
    duration = max(a.duration_minutes, b.duration_minutes)
    if kind == "swap" and Mode.SWAP not in (a.mode, b.mode) and duration not in SWAP_DURATIONS:
        kind = "single"  # two "either" at 45 or 75 minutes: one interview of that length, not a longer swap
    elif kind == "swap":
        duration = 90 if duration > 60 else 60
    windows_a = [(w.starts_at, w.ends_at) for w in a.windows.all()]
    windows_b = [(w.starts_at, w.ends_at) for w in b.windows.all()]
    common = timeslots.intersect(windows_a, windows_b)
    common = timeslots.subtract(common, busy.get(a.user_id, []) + busy.get(b.user_id, []))
    common = timeslots.clip(common, earliest_start(now), now + HORIZON)
    length = dt.timedelta(minutes=duration)
    usable = []
    for start, end in common:
        start = timeslots.ceil_to(start, START_STEP_MINUTES)
        if start + length <= end:
            usable.append((start, end))
    if not usable:
        return None
    pa, pb = _profile(a), _profile(b)
    level_gap = abs(LEVEL_ORDER.get(pa.level, 1) - LEVEL_ORDER.get(pb.level, 1)) if pa.level and pb.level else 2
    shared_focus = len({p.pk for p in pa.focus_problems.all()} & {p.pk for p in pb.focus_problems.all()})
    waited_since = min(a.created_at, b.created_at).timestamp()
    interviewers = [a, b] if kind == "swap" else [b if first == "a" else a]
    rated = [(ratings or {}).get(r.user_id, UNRATED) for r in interviewers]
    score = (timeslots.total_minutes(usable), -level_gap, shared_focus, round(min(rated), 1), -waited_since)
    return Pairing(
        a=a,
        b=b,
        kind=kind,
        candidate_first=a if first == "a" else b,
        starts_at=usable[0][0],
        duration_minutes=duration,
        score=score,
    )


def _book(pairing: Pairing) -> Booking | None:
    """Book the pair if both are still waiting; None if either was taken meanwhile."""
    with transaction.atomic():
        ids = sorted([pairing.a.pk, pairing.b.pk])
        locked = {r.pk: r for r in MatchRequest.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        if any(locked[pk].status != MatchRequest.Status.OPEN for pk in ids):
            return None
        first = pairing.candidate_first.user
        second = pairing.b.user if first.pk == pairing.a.user_id else pairing.a.user
        parts = plan_parts(
            first=first,
            second=second,
            kind=pairing.kind,
            starts_at=pairing.starts_at,
            duration_minutes=pairing.duration_minutes,
        )
        booking = guard_overlap(
            lambda: booking_create(
                organizer=pairing.a.user,
                peer=pairing.b.user,
                kind=pairing.kind,
                source=Booking.Source.MATCH,
                parts=parts,
            )
        )
        for request in locked.values():
            request.status = MatchRequest.Status.MATCHED
            request.booking = booking
            request.save(update_fields=["status", "booking", "updated_at"])
        notify(booking.pk, "matched")
        return booking


def match_queue_run(*, now: dt.datetime | None = None) -> list[Booking]:
    """Expire requests whose windows have passed, then pair the rest, best pairs first."""
    now = now or timezone.now()
    open_requests = MatchRequest.objects.filter(status=MatchRequest.Status.OPEN)
    for request in open_requests.prefetch_related("windows"):
        if all(
            w.ends_at - dt.timedelta(minutes=request.duration_minutes) < earliest_start(now)
            for w in request.windows.all()
        ):
            MatchRequest.objects.filter(pk=request.pk, status=MatchRequest.Status.OPEN).update(
                status=MatchRequest.Status.EXPIRED, updated_at=now
            )
    waiting = list(
        open_requests.select_related("user__profile")
        .prefetch_related("windows", "user__profile__focus_problems")
        .order_by("created_at", "id")
    )
    if len(waiting) < 2:
        return []
    earliest = min(w.starts_at for r in waiting for w in r.windows.all())
    latest = max(w.ends_at for r in waiting for w in r.windows.all())
    busy = busy_for(user_ids=[r.user_id for r in waiting], since=earliest, until=latest)
    ratings = interviewer_scores_for(user_ids=[r.user_id for r in waiting])
    pairings = [
        pair(a, b, busy=busy, now=now, ratings=ratings) for i, a in enumerate(waiting) for b in waiting[i + 1 :]
    ]
    booked, taken = [], set()
    for best in sorted((p for p in pairings if p is not None), key=lambda p: p.score, reverse=True):
        if best.a.pk in taken or best.b.pk in taken:
            continue
        try:
            booking = _book(best)
        except ApplicationError as exc:  # one of them booked something else meanwhile; try next run
            logger.info("match %s+%s not booked: %s", best.a.pk, best.b.pk, exc.message)
            continue
        if booking is not None:
            taken |= {best.a.pk, best.b.pk}
            booked.append(booking)
    return booked
