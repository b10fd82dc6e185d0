"""Writes for availability: weekly windows (wall-clock times in the person's zone) and one-off
windows (UTC). A person's own windows never overlap; bookings already made are not touched."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError

from .. import timeslots
from ..models import AvailabilityWindow, Profile, WeeklyAvailability
from .profiles import profile_ensure

MIN_WINDOW = dt.timedelta(minutes=45)  # the shortest session that can be booked
MAX_ONE_OFF = dt.timedelta(hours=12)
MAX_AHEAD = dt.timedelta(days=90)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _lock_profile(user) -> Profile:
    profile = profile_ensure(user=user)
    return Profile.objects.select_for_update().get(pk=profile.pk)


def _describe_weekly(rule: WeeklyAvailability) -> str:
    return f"{WEEKDAYS[rule.weekday]} {rule.start_time:%H:%M}-{rule.end_time:%H:%M}"


def _describe_window(window: AvailabilityWindow, tz_name: str) -> str:
    tz = timeslots.zone(tz_name)
    start, end = window.starts_at.astimezone(tz), window.ends_at.astimezone(tz)
    return f"{start:%a %d %b %H:%M}-{end:%H:%M}"


@transaction.atomic
def weekly_availability_add(
    *, user, weekday: int, start_time: dt.time, end_time: dt.time, now: dt.datetime | None = None
) -> WeeklyAvailability:
    """A window every week on `weekday` (0 = Monday), in the person's own time zone."""
    now = now or timezone.now()
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ApplicationError("Pick a day of the week.", code="invalid")
    if not isinstance(start_time, dt.time) or not isinstance(end_time, dt.time):
        raise ApplicationError("Give a start and an end time, e.g. 18:00 and 20:00.", code="invalid")
    start_time, end_time = start_time.replace(second=0, microsecond=0), end_time.replace(second=0, microsecond=0)
    if end_time <= start_time:
        raise ApplicationError("The window must end after it starts, on the same day.", code="ends_before_start")
    length = dt.datetime.combine(dt.date.min, end_time) - dt.datetime.combine(dt.date.min, start_time)
    if length < MIN_WINDOW:
        raise ApplicationError("A window must be at least 45 minutes long to fit a session.", code="too_short")
    profile = _lock_profile(user)
    for rule in WeeklyAvailability.objects.filter(user=user, weekday=weekday):
        if rule.start_time < end_time and start_time < rule.end_time:
            raise ApplicationError(f"That overlaps your weekly window {_describe_weekly(rule)}.", code="overlap")
    occurrences = timeslots.weekly_occurrences(
        weekday=weekday, start=start_time, end=end_time, tz_name=profile.time_zone, since=now, until=now + MAX_AHEAD
    )
    for window in AvailabilityWindow.objects.filter(user=user, ends_at__gt=now):
        if timeslots.overlaps(occurrences, window.starts_at, window.ends_at):
            raise ApplicationError(
                f"That overlaps your one-off window {_describe_window(window, profile.time_zone)}.", code="overlap"
            )
    return WeeklyAvailability.objects.create(
        user=user, weekday=weekday, start_time=start_time, end_time=end_time, time_zone=profile.time_zone
    )


@transaction.atomic
def availability_window_add(
    *, user, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime | None = None
) -> AvailabilityWindow:
    """A one-off window, e.g. "Saturday 10:00-13:00"."""
    now = now or timezone.now()
    if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime):
        raise ApplicationError("Give a start and an end time.", code="invalid")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ApplicationError("Times need a time zone.", code="invalid")
    if ends_at <= starts_at:
        raise ApplicationError("The window must end after it starts.", code="ends_before_start")
    if starts_at < now:
        raise ApplicationError("That window starts in the past; pick a time from now on.", code="in_past")
    if ends_at - starts_at < MIN_WINDOW:
        raise ApplicationError("A window must be at least 45 minutes long to fit a session.", code="too_short")
    if ends_at - starts_at > MAX_ONE_OFF:
        raise ApplicationError("A one-off window is at most 12 hours long.", code="too_long")
    if starts_at > now + MAX_AHEAD:
        raise ApplicationError("Windows can be at most 90 days ahead.", code="too_far")
    profile = _lock_profile(user)
    clash = (
        AvailabilityWindow.objects.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise ApplicationError(
            f"That overlaps your one-off window {_describe_window(clash, profile.time_zone)}.", code="overlap"
        )
    for rule in WeeklyAvailability.objects.filter(user=user):
        occurrences = timeslots.weekly_occurrences(
            weekday=rule.weekday,
            start=rule.start_time,
            end=rule.end_time,
            tz_name=rule.time_zone,
            since=starts_at,
            until=ends_at,
        )
        if timeslots.overlaps(occurrences, starts_at, ends_at):
            raise ApplicationError(
                f"Your weekly window {_describe_weekly(rule)} already covers part of that time.", code="overlap"
            )
    return AvailabilityWindow.objects.create(user=user, starts_at=starts_at, ends_at=ends_at)


def _own_or_error(queryset, *, user, pk):
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise ApplicationError("Unknown availability window.", code="not_found", status=404)
    item = queryset.filter(pk=pk, user=user).first()
    if item is None:  # someone else's or gone: the same answer, so ids reveal nothing
        raise ApplicationError("Unknown availability window.", code="not_found", status=404)
    return item


def weekly_availability_delete(*, user, rule_id: int) -> None:
    _own_or_error(WeeklyAvailability.objects, user=user, pk=rule_id).delete()


def availability_window_delete(*, user, window_id: int) -> None:
    _own_or_error(AvailabilityWindow.objects, user=user, pk=window_id).delete()
