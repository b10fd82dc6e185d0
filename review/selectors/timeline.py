"""Reads for the review: where each moment of an interview falls on its board's op log, the step
starts, the timeline in step bands, and the board history the replay plays back."""

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from interview.models import Interview, TranscriptEvent
from interview.selectors import public_name
from whiteboard.selectors import board_initial_elements, board_op_times, board_ops_page

HISTORY_PAGE = 500  # ops per history page by default
HISTORY_PAGE_MAX = 2000


@dataclass(frozen=True)
class OpClock:
    """The times of a board's ops, to say which seq the board had reached at any moment.

    Ops are committed one after another, but a commit's time is when its transaction began, so two
    overlapping commits can carry times slightly out of seq order; the running maximum keeps the
    list sorted, and a moment maps to the longest prefix of the log that was done by then."""

    seqs: tuple[int, ...]
    times: tuple[dt.datetime, ...]

    @classmethod
    def for_board(cls, board_id: int) -> "OpClock":
        rows = board_op_times(board_id=board_id)
        return cls(seqs=tuple(seq for seq, _ in rows), times=tuple(accumulate((at for _, at in rows), max)))

    def seq_at(self, moment: dt.datetime) -> int:
        """The last seq committed at or before `moment` (0 before the first op)."""
        index = bisect_right(self.times, moment)
        return self.seqs[index - 1] if index else 0

    @property
    def first_at(self) -> dt.datetime | None:
        return self.times[0] if self.times else None

    @property
    def last_at(self) -> dt.datetime | None:
        return self.times[-1] if self.times else None


def elapsed_label(seconds: float) -> str:
    """12:05, or 1:02:05 past the hour."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class ReviewClock:
    """When the interview began (its first chat line or board change) and the op log's times."""

    ops: OpClock
    started_at: dt.datetime
    ended_at: dt.datetime | None

    def elapsed(self, moment: dt.datetime | None) -> str:
        return elapsed_label((moment - self.started_at).total_seconds()) if moment else ""


def review_clock(
    *, interview: Interview, first_event_at: dt.datetime | None, last_event_at: dt.datetime | None
) -> ReviewClock:
    """From the first line or board change to the last (or the end, if that came later)."""
    ops = OpClock.for_board(interview.board_id)
    firsts = [moment for moment in (first_event_at, ops.first_at) if moment is not None]
    lasts = [moment for moment in (interview.ended_at, last_event_at, ops.last_at) if moment is not None]
    return ReviewClock(
        ops=ops,
        started_at=min(firsts) if firsts else interview.scheduled_at,
        ended_at=max(lasts) if lasts else None,
    )


@dataclass(frozen=True)
class StepMarker:
    """A step start on the op log: the board as it was when the interviewer moved to `number`."""

    number: int
    title: str
    at: dt.datetime
    seq: int
    event_id: int | None  # the "step" transcript event; None for the opening step


def step_markers(*, clock: ReviewClock, events: Sequence[TranscriptEvent], titles: dict[int, str]) -> list[StepMarker]:
    """The opening step (at seq 0, an empty board) and then one marker per step change."""
    changes = [event for event in events if event.kind == TranscriptEvent.Kind.STEP]
    markers = [
        StepMarker(
            number=event.step,
            title=titles.get(event.step, ""),
            at=event.created_at,
            seq=clock.ops.seq_at(event.created_at),
            event_id=event.pk,
        )
        for event in changes
    ]
    opens_with_change = bool(events) and events[0].kind == TranscriptEvent.Kind.STEP and markers[0].seq == 0
    if not opens_with_change:
        first = min(titles) if titles else 1
        opening_step = events[0].step if events and events[0].kind != TranscriptEvent.Kind.STEP else first
        opening = StepMarker(
            number=opening_step, title=titles.get(opening_step, ""), at=clock.started_at, seq=0, event_id=None
        )
        markers.insert(0, opening)
    return markers


@dataclass
class TimelineEntry:
    anchor: str  # the element id: "event-<id>" for the transcript, "note-<id>" for a private note
    kind: str  # chat, step, system, note
    author: str
    text: str
    at: dt.datetime
    seq: int
    elapsed: str


@dataclass
class TimelineBand:
    """A stretch of the interview spent in one step; a step revisited later gets a second band."""

    number: int
    title: str
    anchor: str  # "step-<n>" for the first visit, "step-<n>-<visit>" after
    at: dt.datetime
    seq: int
    elapsed: str
    entries: list[TimelineEntry] = field(default_factory=list)


def review_timeline(
    *,
    clock: ReviewClock,
    events: Sequence[TranscriptEvent],
    titles: dict[int, str],
    notes: Iterable[Any] = (),
) -> list[TimelineBand]:
    """The transcript (and, for the interviewer only, their private notes: objects with pk, text,
    created_at and step) in order, cut into step bands at each step change. Every entry carries the
    board seq it happened at."""
    items: list[tuple[dt.datetime, int, TimelineEntry, int, bool]] = []  # (at, order, entry, step, opens it)
    for event in events:
        entry = TimelineEntry(
            anchor=f"event-{event.pk}",
            kind=event.kind,
            author=public_name(event.author) if event.author_id else "",
            text=event.text,
            at=event.created_at,
            seq=clock.ops.seq_at(event.created_at),
            elapsed=clock.elapsed(event.created_at),
        )
        items.append((event.created_at, 0, entry, event.step, event.kind == TranscriptEvent.Kind.STEP))
    for note in notes:
        entry = TimelineEntry(
            anchor=f"note-{note.pk}",
            kind="note",
            author="",
            text=note.text,
            at=note.created_at,
            seq=clock.ops.seq_at(note.created_at),
            elapsed=clock.elapsed(note.created_at),
        )
        items.append((note.created_at, 1, entry, note.step.number, False))
    items.sort(key=lambda item: (item[0], item[1]))

    bands: list[TimelineBand] = []
    visits: dict[int, int] = {}

    def open_band(number: int, at: dt.datetime, seq: int) -> TimelineBand:
        visits[number] = visits.get(number, 0) + 1
        anchor = f"step-{number}" if visits[number] == 1 else f"step-{number}-{visits[number]}"
        band = TimelineBand(
            number=number, title=titles.get(number, ""), anchor=anchor, at=at, seq=seq, elapsed=clock.elapsed(at)
        )
        bands.append(band)
        return band

    for at, _, entry, step, opens in items:
        if opens:
            band = open_band(step, at, entry.seq)
        elif not bands:  # before any step change: the step that was current then, from the start
            band = open_band(step, clock.started_at, 0)
        else:
            band = bands[-1]
        band.entries.append(entry)
    return bands


def board_history_for(*, interview: Interview, after_seq: int = 0, limit: int = HISTORY_PAGE) -> dict[str, Any]:
    """One page of the board's op log for the replay, with what the replay needs to draw it:
    the lane frames the board started with, the step starts and the interview's start and end."""
    events = list(
        TranscriptEvent.objects.filter(interview_id=interview.pk)
        .filter(kind=TranscriptEvent.Kind.STEP)
        .order_by("created_at", "id")
    )
    transcript = TranscriptEvent.objects.filter(interview_id=interview.pk)
    first = transcript.order_by("created_at", "id").first()
    last = transcript.order_by("-created_at", "-id").only("created_at").first()
    clock = review_clock(
        interview=interview,
        first_event_at=first.created_at if first else None,
        last_event_at=last.created_at if last else None,
    )
    titles = dict(interview.rubric.steps.values_list("number", "title"))
    # step_markers looks at the first event to decide the opening step; give it the real first one.
    opening = [first] if first is not None and (not events or first.pk != events[0].pk) else []
    markers = step_markers(clock=clock, events=opening + events, titles=titles)
    ops = board_ops_page(board_id=interview.board_id, after_seq=after_seq, limit=limit)
    head = clock.ops.seqs[-1] if clock.ops.seqs else 0
    last_seq = ops[-1].seq if ops else after_seq
    return {
        "board_id": interview.board_id,
        "seq": head,
        "started_at": clock.started_at,
        "ended_at": clock.ended_at,
        "lanes": interview.board.lanes,
        "initial": board_initial_elements(board_id=interview.board_id),
        "steps": [
            {"number": m.number, "title": m.title, "at": m.at, "seq": m.seq, "event_id": m.event_id} for m in markers
        ],
        "ops": [{"seq": op.seq, "at": op.created_at, "elements": op.elements} for op in ops],
        "next_after": last_seq if last_seq < head else None,
    }
