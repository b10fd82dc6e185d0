"""When an interview's parts are open, one copy of each rule: the room opens 10 minutes before the
start of an accepted interview and closes when it ends; an interview has started once someone
entered the room or its start passed; it is scorable from acceptance on (ticks and notes during
it, the scorecard after it)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import Interview

ROOM_OPENS_BEFORE = dt.timedelta(minutes=10)


def min_notice() -> dt.timedelta:
    """The one minimum lead time (SESSION_MIN_NOTICE_MINUTES): how soon a session may start after it
    is booked, matched, sent as an invitation or moved."""
    return dt.timedelta(minutes=settings.SESSION_MIN_NOTICE_MINUTES)


def min_notice_label() -> str:
    minutes = settings.SESSION_MIN_NOTICE_MINUTES
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def earliest_start(now: dt.datetime | None = None) -> dt.datetime:
    """The earliest start allowed now: the minimum lead time from the current minute, so a time
    typed to the minute (14:05 at 14:00:40, with 5 minutes' notice) is still accepted."""
    now = now or timezone.now()
    return now.replace(second=0, microsecond=0) + min_notice()


SCORABLE = (Interview.Status.ACCEPTED, Interview.Status.COMPLETED)


def room_opens_at(interview: Interview) -> dt.datetime:
    return interview.scheduled_at - ROOM_OPENS_BEFORE


def room_has_opened(*, status: str, scheduled_at: dt.datetime, now: dt.datetime | None = None) -> bool:
    """The rule on raw fields, for callers that read rows without models (the board policy)."""
    return status == Interview.Status.ACCEPTED and (now or timezone.now()) >= scheduled_at - ROOM_OPENS_BEFORE


def room_is_open(interview: Interview, *, now: dt.datetime | None = None) -> bool:
    return room_has_opened(status=interview.status, scheduled_at=interview.scheduled_at, now=now)


def interview_has_started(interview: Interview, *, now: dt.datetime | None = None) -> bool:
    """Completed, or accepted and under way (someone entered the room, or its start passed)."""
    if interview.status == Interview.Status.COMPLETED:
        return True
    return interview.status == Interview.Status.ACCEPTED and (
        interview.step_started_at is not None or interview.scheduled_at <= (now or timezone.now())
    )


def interview_is_scorable(interview: Interview) -> bool:
    return interview.status in SCORABLE
