"""Interval arithmetic and wall-clock placement across daylight-saving changes."""

import datetime as dt
import zoneinfo

import pytest

from interview import timeslots

UTC = dt.UTC


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def local(occurrence, zone: str) -> tuple[str, str]:
    tz = zoneinfo.ZoneInfo(zone)
    start, end = (moment.astimezone(tz) for moment in occurrence)
    return start.strftime("%Y-%m-%d %H:%M"), end.strftime("%H:%M")


@pytest.mark.parametrize(
    ("zone", "weekday", "since", "until", "utc_hours"),
    [
        # Paris leaves summer time on Sunday 2026-10-25: Tuesday 18:00 is 16:00 UTC before, 17:00 UTC after.
        ("Europe/Paris", 1, utc(2026, 10, 19), utc(2026, 11, 2), [16, 17]),
        # ...and enters it on Sunday 2026-03-29: 17:00 UTC before, 16:00 UTC after.
        ("Europe/Paris", 1, utc(2026, 3, 23), utc(2026, 4, 6), [17, 16]),
        # New York leaves daylight time on Sunday 2026-11-01: Tuesday 18:00 is 22:00 UTC, then 23:00 UTC.
        ("America/New_York", 1, utc(2026, 10, 26), utc(2026, 11, 9), [22, 23]),
        # ...and enters it on Sunday 2026-03-08.
        ("America/New_York", 1, utc(2026, 3, 2), utc(2026, 3, 16), [23, 22]),
        # Sydney (southern hemisphere) enters daylight time on Sunday 2026-10-04: 18:00 is 08:00 UTC, then 07:00.
        ("Australia/Sydney", 1, utc(2026, 9, 28), utc(2026, 10, 12), [8, 7]),
    ],
)
def test_weekly_window_keeps_its_local_time_across_dst(zone, weekday, since, until, utc_hours):
    occurrences = timeslots.weekly_occurrences(
        weekday=weekday, start=dt.time(18), end=dt.time(20), tz_name=zone, since=since, until=until
    )
    assert [start.hour for start, _ in occurrences] == utc_hours
    for occurrence in occurrences:
        start, end = local(occurrence, zone)
        assert start.endswith("18:00") and end == "20:00"
        assert dt.datetime.strptime(start, "%Y-%m-%d %H:%M").weekday() == weekday
        assert occurrence[1] - occurrence[0] == dt.timedelta(hours=2)


def test_time_in_the_spring_forward_gap_moves_past_the_gap():
    # 2026-03-29 in Paris: 02:00-03:00 does not exist. A Sunday 02:30-04:00 window starts at 03:30.
    occurrences = timeslots.weekly_occurrences(
        weekday=6,
        start=dt.time(2, 30),
        end=dt.time(4),
        tz_name="Europe/Paris",
        since=utc(2026, 3, 28),
        until=utc(2026, 3, 30),
    )
    assert len(occurrences) == 1
    assert local(occurrences[0], "Europe/Paris") == ("2026-03-29 03:30", "04:00")


def test_window_swallowed_by_the_gap_is_skipped():
    occurrences = timeslots.weekly_occurrences(
        weekday=6,
        start=dt.time(2),
        end=dt.time(3),
        tz_name="Europe/Paris",
        since=utc(2026, 3, 28),
        until=utc(2026, 3, 30),
    )
    assert occurrences == []


def test_time_that_happens_twice_means_the_first():
    # 2026-11-01 in New York: 01:30 happens at 05:30 UTC (daylight) and again at 06:30 UTC (standard).
    occurrences = timeslots.weekly_occurrences(
        weekday=6,
        start=dt.time(1, 30),
        end=dt.time(3),
        tz_name="America/New_York",
        since=utc(2026, 10, 31),
        until=utc(2026, 11, 2),
    )
    assert occurrences == [(utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 8, 0))]


def test_occurrences_only_inside_the_range():
    occurrences = timeslots.weekly_occurrences(
        weekday=0,
        start=dt.time(9),
        end=dt.time(10),
        tz_name="UTC",
        since=utc(2026, 11, 2, 9, 30),
        until=utc(2026, 11, 16, 9),
    )
    assert occurrences == [(utc(2026, 11, 2, 9), utc(2026, 11, 2, 10)), (utc(2026, 11, 9, 9), utc(2026, 11, 9, 10))]


def test_merge_joins_overlapping_and_touching():
    assert timeslots.merge(
        [
            (utc(2026, 1, 1, 12), utc(2026, 1, 1, 13)),
            (utc(2026, 1, 1, 9), utc(2026, 1, 1, 10)),
            (utc(2026, 1, 1, 10), utc(2026, 1, 1, 11)),
            (utc(2026, 1, 1, 12, 30), utc(2026, 1, 1, 14)),
        ]
    ) == [
        (utc(2026, 1, 1, 9), utc(2026, 1, 1, 11)),
        (utc(2026, 1, 1, 12), utc(2026, 1, 1, 14)),
    ]


def test_subtract_cuts_busy_time_out():
    free = timeslots.subtract(
        [(utc(2026, 1, 1, 9), utc(2026, 1, 1, 17))],
        [(utc(2026, 1, 1, 10), utc(2026, 1, 1, 11)), (utc(2026, 1, 1, 16), utc(2026, 1, 1, 18))],
    )
    assert free == [(utc(2026, 1, 1, 9), utc(2026, 1, 1, 10)), (utc(2026, 1, 1, 11), utc(2026, 1, 1, 16))]


def test_intersect():
    a = [(utc(2026, 1, 1, 9), utc(2026, 1, 1, 12)), (utc(2026, 1, 1, 14), utc(2026, 1, 1, 18))]
    b = [(utc(2026, 1, 1, 11), utc(2026, 1, 1, 15))]
    assert timeslots.intersect(a, b) == [
        (utc(2026, 1, 1, 11), utc(2026, 1, 1, 12)),
        (utc(2026, 1, 1, 14), utc(2026, 1, 1, 15)),
    ]


def test_ceil_to_quarter_hours():
    assert timeslots.ceil_to(utc(2026, 1, 1, 9, 0), 15) == utc(2026, 1, 1, 9, 0)
    assert timeslots.ceil_to(utc(2026, 1, 1, 9, 1), 15) == utc(2026, 1, 1, 9, 15)
    assert timeslots.ceil_to(utc(2026, 1, 1, 9, 50), 15) == utc(2026, 1, 1, 10, 0)


def test_covers_and_overlaps_are_half_open():
    spans = [(utc(2026, 1, 1, 9), utc(2026, 1, 1, 10))]
    assert timeslots.covers(spans, utc(2026, 1, 1, 9), utc(2026, 1, 1, 10))
    assert not timeslots.covers(spans, utc(2026, 1, 1, 9, 30), utc(2026, 1, 1, 10, 30))
    assert not timeslots.overlaps(spans, utc(2026, 1, 1, 10), utc(2026, 1, 1, 11))
    assert timeslots.overlaps(spans, utc(2026, 1, 1, 9, 59), utc(2026, 1, 1, 11))
