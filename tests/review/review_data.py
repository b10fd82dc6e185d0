"""A finished interview with everything the review shows: chat, step changes, a board that changed
over time, the interviewer's private notes and ticks, a draft scorecard. Times are pinned to known
moments (so the board seq of each line is known) on SQLite and PostgreSQL alike."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from interview.models import Interview, TranscriptEvent
from interview.services import interview_end, interview_post_message, interview_set_step
from review.models import CriterionCheck, InterviewerNote, Scorecard
from review.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from rubrics.models import Criterion, RubricStep
from whiteboard.models import BoardOp
from whiteboard.services import board_write_unchecked

from ..elements import rectangle

PRIVATE_NOTE = "Private: hesitated on the ML objective, prompt for watch time"
SECOND_NOTE = "Private: strong on feature freshness"
DRAFT_NOTES = "Draft: requirements written down clearly"
SUBMITTED_NOTES = "Requirements were written down before designing"


@dataclass
class Finished:
    interview: Interview
    scorecard: Scorecard
    events: dict[str, TranscriptEvent] = field(default_factory=dict)
    notes: list[InterviewerNote] = field(default_factory=list)
    expected_seq: dict[str, int] = field(default_factory=dict)  # event name -> board seq at that moment
    started_at: dt.datetime | None = None


def build_finished(interview: Interview, interviewer, candidate) -> Finished:
    """Chat, step 2, private note, step 3, board changes in between, then the end."""
    board_id = interview.board_id
    step = {s.number: s for s in RubricStep.objects.filter(rubric=interview.rubric)}
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
    moments: list[tuple[str, object]] = []  # in the order they happen; times are pinned below
    events: dict[str, TranscriptEvent] = {}

    def say(name, user, text):
        events[name] = interview_post_message(interview=interview, user=user, text=text)
        moments.append(("event", events[name]))

    def draw(elements):
        result = board_write_unchecked(
            board_id=board_id, op_id=f"op-{len(moments)}", elements=elements, author=candidate
        )
        moments.append(("op", result.seq))

    def move_to(name, number):
        _, events[name] = interview_set_step(interview=interview, user=interviewer, step=number)
        moments.append(("event", events[name]))

    def note(step_number, text):
        made = InterviewerNote.objects.create(
            scorecard=scorecard, step=step[step_number], author=interviewer, text=text
        )
        moments.append(("note", made))
        return made

    say("goal", candidate, "What is the business goal: watch time or engagement?")
    draw([rectangle("ingest", x=100.0, y=100.0)])  # seq 1, offline lane
    move_to("step2", 2)
    draw([rectangle("serving", x=1200.0, y=100.0)])  # seq 2, online lane
    say("framing", interviewer, "How would you frame it as an ML task?")
    notes = [note(2, PRIVATE_NOTE)]
    move_to("step3", 3)
    draw([rectangle("ingest", x=140.0, y=120.0, version=2, nonce=50)])  # seq 3: moved
    draw([rectangle("serving", x=1200.0, y=100.0, version=2, nonce=7, deleted=True)])  # seq 4: deleted
    draw([rectangle("features", x=400.0, y=100.0), rectangle("ranker", x=1500.0, y=300.0)])  # seq 5
    say("store", candidate, "A feature store shared by training and serving avoids skew.")
    notes.append(note(3, SECOND_NOTE))
    interview_end(interview=interview, user=interviewer)
    events["end"] = TranscriptEvent.objects.filter(interview=interview, kind="system").latest("id")
    moments.append(("event", events["end"]))

    # Pin every moment ten seconds after the previous one.
    started_at = timezone.now() - dt.timedelta(hours=2)
    for index, (kind, item) in enumerate(moments):
        at = started_at + dt.timedelta(seconds=10 * index)
        if kind == "op":
            BoardOp.objects.filter(board_id=board_id, seq=item).update(created_at=at)
        elif kind == "event":
            TranscriptEvent.objects.filter(pk=item.pk).update(created_at=at)
        else:
            InterviewerNote.objects.filter(pk=item.pk).update(created_at=at)
    for item in events.values():
        item.refresh_from_db()
    Interview.objects.filter(pk=interview.pk).update(ended_at=events["end"].created_at)
    for item in notes:
        item.refresh_from_db()

    ticks = {
        Criterion.objects.get(step=step[1], key="business-objective"): True,
        Criterion.objects.get(step=step[2], key="ml-objective"): False,
    }
    for criterion, met in ticks.items():
        CriterionCheck.objects.create(scorecard=scorecard, criterion=criterion, met=met)
    scorecard_update(
        scorecard=scorecard,
        steps={n: {"level": 3, "notes": DRAFT_NOTES if n == 1 else ""} for n in step},
        recommendation="yes",
        summary="Draft summary",
    )
    interview.refresh_from_db()
    return Finished(
        interview=interview,
        scorecard=scorecard,
        events=events,
        notes=notes,
        expected_seq={"goal": 0, "step2": 1, "framing": 2, "step3": 2, "store": 5, "end": 5},
        started_at=started_at,
    )


def submit(finished: Finished) -> None:
    scorecard_update(
        scorecard=finished.scorecard,
        steps={n: {"level": 3, "notes": SUBMITTED_NOTES if n == 1 else ""} for n in range(1, 8)},
        recommendation="yes",
        summary="Good separation of the offline and online paths.",
    )
    scorecard_submit(scorecard=finished.scorecard)
