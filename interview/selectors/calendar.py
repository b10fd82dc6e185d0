"""The dashboard's week view: a person's sessions and open availability for seven days, laid out
on their own wall clock (what the page draws as a grid of hour rows and day columns)."""

import dataclasses
import datetime as dt
import zoneinfo

from .. import timeslots
from ..access import problem_visible
from ..models import Booking, Interview
from .interviews import public_name
from .schedule import availability_for, booking_list_for

DEFAULT_HOURS = (8, 20)  # the hours always shown; the grid grows to fit anything earlier or later
DAY_MINUTES = 24 * 60
HIDDEN_STATUSES = {Interview.Status.DECLINED, Interview.Status.CANCELLED}


@dataclasses.dataclass(frozen=True)
class Block:
    """One thing in one day column. `start_minute`/`end_minute` count from local midnight (1440 is
    the end of the day); a session that crosses midnight becomes two blocks."""

    kind: str  # "session" or "available"
    starts_at: dt.datetime  # local time
    ends_at: dt.datetime
    start_minute: int
    end_minute: int
    interview_id: int | None = None
    booking_id: int | None = None
    status: str = ""
    peer: str = ""
    role: str = ""
    problem: str = ""
    part: int = 1
    top: str = "0"  # percentages of the visible hours, for the page's inline style
    height: str = "0"


@dataclasses.dataclass(frozen=True)
class Day:
    date: dt.date
    is_today: bool
    blocks: list[Block]


@dataclasses.dataclass(frozen=True)
class Week:
    start: dt.date  # the first day shown
    days: list[Day]
    first_hour: int
    last_hour: int  # exclusive
    today: dt.date
    time_zone: str

    @property
    def end(self) -> dt.date:
        return self.days[-1].date

    @property
    def previous(self) -> dt.date:
        return self.start - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.start + dt.timedelta(days=7)

    @property
    def hours(self) -> list[int]:
        return list(range(self.first_hour, self.last_hour))

    @property
    def is_current(self) -> bool:
        return self.start <= self.today <= self.end

    @property
    def session_count(self) -> int:
        return len({b.interview_id for day in self.days for b in day.blocks if b.kind == "session"})


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def _pieces(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """Cut [start, end) at local midnights: (local day, local start, local end) for each piece."""
    pieces = []
    cursor = start.astimezone(tz)
    end = end.astimezone(tz)
    while cursor < end:
        next_midnight = _midnight(cursor.date() + dt.timedelta(days=1), tz)
        piece_end = min(end, next_midnight)
        pieces.append((cursor.date(), cursor, piece_end))
        cursor = piece_end.astimezone(tz)
    return pieces


def _minutes(moment: dt.datetime, day: dt.date) -> int:
    """Minutes from `day`'s local midnight on the wall clock; the next midnight counts as 1440."""
    if moment.date() != day:
        return DAY_MINUTES
    return moment.hour * 60 + moment.minute


def _session_blocks(booking: Booking, user, tz) -> list[tuple[dt.date, Block]]:
    peer = booking.peer if booking.organizer_id == user.pk else booking.organizer
    blocks = []
    for interview in booking.interviews.all():
        if interview.status in HIDDEN_STATUSES:
            continue
        start = interview.scheduled_at
        end = start + dt.timedelta(minutes=interview.duration_minutes)
        for day, piece_start, piece_end in _pieces(start, end, tz):
            blocks.append(
                (
                    day,
                    Block(
                        kind="session",
                        starts_at=piece_start,
                        ends_at=piece_end,
                        start_minute=_minutes(piece_start, day),
                        end_minute=_minutes(piece_end, day),
                        interview_id=interview.pk,
                        booking_id=booking.pk,
                        status=interview.status,
                        peer=public_name(peer),
                        role=interview.role_of(user) or "",
                        problem=interview.problem.title if problem_visible(interview, user) else "",
                        part=interview.part,
                    ),
                )
            )
    return blocks


def week_for(*, user, week_start: dt.date, tz: dt.tzinfo | str, today: dt.date | None = None) -> Week:
    """Seven days from `week_start` in zone `tz`: each day's sessions (every interview, both halves
    of a role swap, pending invitations included) and the times still open for peers to book."""
    tz = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
    since = _midnight(week_start, tz)
    until = _midnight(week_start + dt.timedelta(days=7), tz)
    today = today or dt.datetime.now(tz).date()

    bookings = booking_list_for(user=user).filter(status=Booking.Status.ACTIVE, starts_at__lt=until, ends_at__gt=since)
    placed: list[tuple[dt.date, Block]] = []
    taken = []
    for booking in bookings:
        placed += _session_blocks(booking, user, tz)
        taken.append((booking.starts_at, booking.ends_at))
    available = availability_for(user_ids=[user.pk], since=since, until=until)[user.pk]
    for start, end in timeslots.subtract(available, taken):
        for day, piece_start, piece_end in _pieces(start, end, tz):
            placed.append(
                (
                    day,
                    Block(
                        kind="available",
                        starts_at=piece_start,
                        ends_at=piece_end,
                        start_minute=_minutes(piece_start, day),
                        end_minute=_minutes(piece_end, day),
                    ),
                )
            )

    first_hour, last_hour = DEFAULT_HOURS
    for _, block in placed:
        first_hour = min(first_hour, block.start_minute // 60)
        last_hour = max(last_hour, -(-block.end_minute // 60))
    span = (last_hour - first_hour) * 60

    by_day: dict[dt.date, list[Block]] = {}
    for day, block in placed:
        if not week_start <= day < week_start + dt.timedelta(days=7):
            continue
        top = (block.start_minute - first_hour * 60) / span * 100
        height = max(block.end_minute - block.start_minute, 1) / span * 100
        by_day.setdefault(day, []).append(dataclasses.replace(block, top=f"{top:.3f}", height=f"{height:.3f}"))
    days = []
    for offset in range(7):
        day = week_start + dt.timedelta(days=offset)
        blocks = sorted(by_day.get(day, []), key=lambda b: (b.kind != "available", b.start_minute))
        days.append(Day(date=day, is_today=day == today, blocks=blocks))
    return Week(
        start=week_start,
        days=days,
        first_hour=first_hour,
        last_hour=last_hour,
        today=today,
        time_zone=str(tz),
    )
