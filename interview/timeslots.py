"""Time arithmetic for scheduling: wall-clock times in a zone to UTC, and sets of half-open intervals.

Every interval is `(start, end)` with aware UTC datetimes and `start < end`; an interval contains
its start but not its end, so back-to-back sessions do not overlap.

Daylight saving: a weekly window is kept as a wall-clock time in its zone, and each occurrence is
placed with that day's offset, so a weekly 18:00 stays 18:00 local in winter and in summer. On the
night the clocks go forward a time inside the gap (02:30 in Paris) does not exist; it lands at the
same distance after the gap (03:30), as calendar apps do. On the night they go back, a time that
happens twice (02:30) means the first of the two.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable

UTC = dt.UTC
Interval = tuple[dt.datetime, dt.datetime]


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def wall_to_utc(day: dt.date, at: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of wall-clock `at` on `day` in `tz` (fold=0: see the module notes)."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def weekly_occurrences(
    *, weekday: int, start: dt.time, end: dt.time, tz_name: str, since: dt.datetime, until: dt.datetime
) -> list[Interval]:
    """Each occurrence of a weekly window that overlaps [since, until), in UTC."""
    tz = zone(tz_name)
    first = since.astimezone(tz).date() - dt.timedelta(days=1)
    last = until.astimezone(tz).date() + dt.timedelta(days=1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    result = []
    while day <= last:
        occurrence = (wall_to_utc(day, start, tz), wall_to_utc(day, end, tz))
        if occurrence[0] < occurrence[1] and occurrence[0] < until and occurrence[1] > since:
            result.append(occurrence)
        day += dt.timedelta(days=7)
    return result


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined."""
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if start >= end:
            continue
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def subtract(intervals: Iterable[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """The parts of `intervals` not covered by `busy`."""
    busy = merge(busy)
    result = []
    for start, end in merge(intervals):
        cursor = start
        for b_start, b_end in busy:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                result.append((cursor, b_start))
            cursor = max(cursor, b_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    a, b = merge(a), merge(b)
    result, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def clip(intervals: Iterable[Interval], since: dt.datetime, until: dt.datetime) -> list[Interval]:
    return [(max(s, since), min(e, until)) for s, e in merge(intervals) if max(s, since) < min(e, until)]


def covers(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> bool:
    return any(s <= start and end <= e for s, e in merge(intervals))


def overlaps(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> bool:
    return any(s < end and start < e for s, e in intervals)


def ceil_to(moment: dt.datetime, minutes: int) -> dt.datetime:
    """Round up to the next multiple of `minutes` past the hour (UTC)."""
    step = dt.timedelta(minutes=minutes)
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor + step * -(-(moment - floor) // step)


def total_minutes(intervals: Iterable[Interval]) -> int:
    return int(sum((e - s).total_seconds() for s, e in intervals) // 60)
