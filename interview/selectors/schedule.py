"""Reads for scheduling: people's availability and busy time, peers' open slots, bookings, reliability."""

import dataclasses
import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from .. import timeslots
from ..lifecycle import earliest_start
from ..models import (
    AvailabilityWindow,
    Booking,
    Hold,
    Interview,
    MatchRequest,
    Profile,
    ReliabilityEvent,
    WeeklyAvailability,
)

User = get_user_model()

HORIZON = dt.timedelta(days=28)  # how far ahead slots can be browsed and booked
SLOT_STEP = dt.timedelta(minutes=30)
SLOT_LIMIT = 300
LEVEL_ORDER = {level: i for i, level in enumerate(Profile.Level.values)}


def availability_for(*, user_ids: list[int], since: dt.datetime, until: dt.datetime) -> dict[int, list]:
    """Each person's availability in [since, until), as merged UTC intervals."""
    spans: dict[int, list] = defaultdict(list)
    for rule in WeeklyAvailability.objects.filter(user_id__in=user_ids):
        spans[rule.user_id] += timeslots.weekly_occurrences(
            weekday=rule.weekday,
            start=rule.start_time,
            end=rule.end_time,
            tz_name=rule.time_zone,
            since=since,
            until=until,
        )
    windows = AvailabilityWindow.objects.filter(user_id__in=user_ids, starts_at__lt=until, ends_at__gt=since)
    for window in windows:
        spans[window.user_id].append((window.starts_at, window.ends_at))
    return {user_id: timeslots.clip(spans[user_id], since, until) for user_id in user_ids}


def busy_for(
    *, user_ids: list[int], since: dt.datetime, until: dt.datetime, exclude_booking_id: int | None = None
) -> dict[int, list]:
    """The times each person has already promised to a booking (pending invitations included)."""
    holds = Hold.objects.filter(user_id__in=user_ids, starts_at__lt=until, ends_at__gt=since)
    if exclude_booking_id is not None:
        holds = holds.exclude(booking_id=exclude_booking_id)
    busy: dict[int, list] = {user_id: [] for user_id in user_ids}
    for user_id, start, end in holds.values_list("user_id", "starts_at", "ends_at"):
        busy[user_id].append((start, end))
    return {user_id: timeslots.merge(spans) for user_id, spans in busy.items()}


@dataclasses.dataclass(frozen=True)
class Slot:
    host: Profile
    starts_at: dt.datetime
    ends_at: dt.datetime
    free_until: dt.datetime  # the end of the free stretch this slot sits in


def slot_starts(free: list, *, duration: dt.timedelta, not_before: dt.datetime) -> list[tuple]:
    """Start times every half hour within free stretches where the whole session fits."""
    result = []
    for start, end in free:
        cursor = timeslots.ceil_to(max(start, not_before), 15)
        while cursor + duration <= end:
            result.append((cursor, end))
            cursor += SLOT_STEP
    return result


def peer_profiles(*, viewer, level: str = "", focus: str = "") -> QuerySet[Profile]:
    """Other active people who have published any availability, filtered by level and focus problem."""
    people = (
        Profile.objects.filter(user__is_active=True)
        .exclude(user_id=viewer.pk)
        .filter(Q(user__weekly_availability__isnull=False) | Q(user__availability_windows__isnull=False))
        .select_related("user")
        .prefetch_related("focus_problems")
        .distinct()
    )
    if level:
        people = people.filter(level=level)
    if focus:
        people = people.filter(focus_problems__slug=focus)
    return people


def profile_get(*, user_id: int) -> Profile:
    """An active person's profile with their focus problems; raises Profile.DoesNotExist."""
    return (
        Profile.objects.select_related("user")
        .prefetch_related("focus_problems")
        .get(user_id=user_id, user__is_active=True)
    )


def open_slots(
    *,
    viewer,
    duration_minutes: int = 60,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    level: str = "",
    focus: str = "",
    host_id: int | None = None,
    now: dt.datetime | None = None,
    limit: int = SLOT_LIMIT,
) -> list[Slot]:
    """Peers' bookable start times, soonest first: inside their availability, outside anything either
    side has already booked, from the minimum lead time on (lifecycle.earliest_start) and at most
    HORIZON ahead."""
    now = now or timezone.now()
    earliest = earliest_start(now)
    since = max(since or earliest, earliest)
    until = min(until or now + HORIZON, now + HORIZON)
    if since >= until:
        return []
    people = peer_profiles(viewer=viewer, level=level, focus=focus)
    if host_id is not None:
        people = people.filter(user_id=host_id)
    hosts = {profile.user_id: profile for profile in people}
    if not hosts:
        return []
    ids = list(hosts)
    available = availability_for(user_ids=ids, since=since, until=until)
    busy = busy_for(user_ids=[*ids, viewer.pk], since=since, until=until)
    duration = dt.timedelta(minutes=duration_minutes)
    slots = []
    for user_id in ids:
        free = timeslots.subtract(available[user_id], busy[user_id] + busy[viewer.pk])
        for start, free_until in slot_starts(free, duration=duration, not_before=since):
            slots.append(Slot(host=hosts[user_id], starts_at=start, ends_at=start + duration, free_until=free_until))
    slots.sort(key=lambda slot: (slot.starts_at, slot.host.public_name))
    return slots[:limit]


def weekly_availability_for(*, user) -> QuerySet[WeeklyAvailability]:
    return WeeklyAvailability.objects.filter(user=user).order_by("weekday", "start_time")


def availability_windows_for(*, user, now: dt.datetime | None = None) -> QuerySet[AvailabilityWindow]:
    """One-off windows that have not ended yet."""
    return AvailabilityWindow.objects.filter(user=user, ends_at__gt=now or timezone.now()).order_by("starts_at")


def _bookings() -> QuerySet[Booking]:
    """Bookings with both people's profiles and their interviews (in part order)."""
    return Booking.objects.select_related("organizer__profile", "peer__profile").prefetch_related(
        Prefetch(
            "interviews",
            queryset=Interview.objects.select_related("problem", "interviewer", "candidate").order_by("part"),
        )
    )


def booking_list_for(*, user) -> QuerySet[Booking]:
    return _bookings().filter(Q(organizer=user) | Q(peer=user)).order_by("starts_at")


def booking_get(*, booking_id: int) -> Booking:
    """One booking with its history of changes; raises Booking.DoesNotExist."""
    return _bookings().prefetch_related("changes").get(pk=booking_id)


def match_request_open_for(*, user) -> MatchRequest | None:
    return MatchRequest.objects.filter(user=user, status=MatchRequest.Status.OPEN).prefetch_related("windows").first()


def match_requests_for(*, user) -> QuerySet[MatchRequest]:
    return MatchRequest.objects.filter(user=user).prefetch_related("windows").order_by("-created_at")


@dataclasses.dataclass(frozen=True)
class Reliability:
    completed: int
    late_cancellations: int
    late_reschedules: int
    no_shows: int

    @property
    def flagged(self) -> int:
        return self.late_cancellations + self.late_reschedules + self.no_shows


def reliability_for(*, user_ids: list[int]) -> dict[int, Reliability]:
    """Sessions completed and the late changes and no-shows on record, per person."""
    events: defaultdict[int, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        ReliabilityEvent.objects.filter(user_id__in=user_ids)
        .values_list("user_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ).order_by()
    for user_id, kind, n in rows:
        events[user_id][kind] = n
    completed: defaultdict[int, int] = defaultdict(int)
    done = Interview.objects.filter(status=Interview.Status.COMPLETED)
    for user_id, n in (
        done.filter(interviewer_id__in=user_ids).values_list("interviewer_id").annotate(n=Count("id")).order_by()
    ):
        completed[user_id] += n
    for user_id, n in (
        done.filter(candidate_id__in=user_ids).values_list("candidate_id").annotate(n=Count("id")).order_by()
    ):
        completed[user_id] += n
    return {
        user_id: Reliability(
            completed=completed[user_id],
            late_cancellations=events[user_id][ReliabilityEvent.Kind.LATE_CANCEL],
            late_reschedules=events[user_id][ReliabilityEvent.Kind.LATE_RESCHEDULE],
            no_shows=events[user_id][ReliabilityEvent.Kind.NO_SHOW],
        )
        for user_id in user_ids
    }


def profile_for_token(*, token: str) -> Profile | None:
    """The profile whose calendar feed this is; None for an unknown or revoked token."""
    if not token or len(token) > 64:
        return None
    return Profile.objects.select_related("user").filter(calendar_token=token, user__is_active=True).first()
