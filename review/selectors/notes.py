"""Reads for the interviewer's working notes: the criteria ticked and the private notes taken in
the room, per step, beside the problem's follow-up questions and hints for that step. Only ever
for the interview's interviewer: nothing here is for the candidate."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from interview.pacing import BUDGETS_WRITTEN_FOR_MINUTES, scaled_budgets
from rubrics.models import Criterion, RubricStep

from ..models import CriterionCheck, InterviewerNote, Scorecard


@dataclass(frozen=True)
class PanelCriterion:
    id: int
    key: str
    title: str
    description: str
    weight: int
    met: bool | None  # None: not seen (no tick either way)


@dataclass(frozen=True)
class PanelNote:
    id: int
    step: int  # the step number
    text: str
    client_id: str | None
    created_at: dt.datetime
    elapsed_seconds: int  # since the interview's start; negative before it

    @property
    def elapsed_label(self) -> str:
        """ "12:34" into the interview (minutes keep counting past 59), or "before the start"."""
        if self.elapsed_seconds < 0:
            return "before the start"
        minutes, seconds = divmod(self.elapsed_seconds, 60)
        return f"{minutes:02d}:{seconds:02d} in"


@dataclass(frozen=True)
class PanelStep:
    number: int
    key: str
    title: str
    time_budget_minutes: int
    prompts: list[str] = field(default_factory=list)  # the rubric's questions to ask on this step
    criteria: list[PanelCriterion] = field(default_factory=list)
    notes: list[PanelNote] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)  # the problem's questions to ask next in this step
    hints: list[str] = field(default_factory=list)  # nudges the interviewer may give a stuck candidate

    @property
    def met_count(self) -> int:
        return sum(1 for criterion in self.criteria if criterion.met is True)

    @property
    def not_met_count(self) -> int:
        return sum(1 for criterion in self.criteria if criterion.met is False)

    @property
    def has_entries(self) -> bool:
        return bool(self.notes) or any(criterion.met is not None for criterion in self.criteria)


@dataclass(frozen=True)
class Panel:
    steps: list[PanelStep]
    locked: bool  # the scorecard is submitted: ticks and notes are final
    started_at: dt.datetime
    rubric_id: int
    scorecard: Scorecard | None


def interview_started_at(interview) -> dt.datetime:
    """The moment notes count their "elapsed" time from: the interview's scheduled start."""
    return interview.scheduled_at


def note_elapsed_seconds(*, created_at: dt.datetime, started_at: dt.datetime) -> int:
    return (created_at - started_at) // dt.timedelta(seconds=1)


def panel_note(note: InterviewerNote, *, step_number: int, started_at: dt.datetime) -> PanelNote:
    return PanelNote(
        id=note.pk,
        step=step_number,
        text=note.text,
        client_id=note.client_id,
        created_at=note.created_at,
        elapsed_seconds=note_elapsed_seconds(created_at=note.created_at, started_at=started_at),
    )


def _panel(
    *,
    rubric_id: int,
    scorecard: Scorecard | None,
    author_id: int | None,
    started_at,
    problem=None,
    duration_minutes: int = BUDGETS_WRITTEN_FOR_MINUTES,
) -> list[PanelStep]:
    steps = list(
        RubricStep.objects.filter(rubric_id=rubric_id)
        .order_by("number")
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order", "id")))
    )
    # the budgets for this interview's length, as the room's step tracker shows them
    budgets = scaled_budgets([step.time_budget_minutes for step in steps], duration_minutes=duration_minutes)
    ticks: dict[int, bool] = {}
    notes: dict[int, list[InterviewerNote]] = {}
    if scorecard is not None:
        ticks = dict(CriterionCheck.objects.filter(scorecard=scorecard).values_list("criterion_id", "met"))
        mine = InterviewerNote.objects.filter(scorecard=scorecard).order_by("created_at", "id")
        if author_id is not None:
            mine = mine.filter(author_id=author_id)
        for note in mine:
            notes.setdefault(note.step_id, []).append(note)
    return [
        PanelStep(
            number=step.number,
            key=step.key,
            title=step.title,
            time_budget_minutes=budget,
            prompts=list(step.interviewer_prompts or []),
            criteria=[
                PanelCriterion(
                    id=criterion.pk,
                    key=criterion.key,
                    title=criterion.title,
                    description=criterion.description,
                    weight=criterion.weight,
                    met=ticks.get(criterion.pk),
                )
                for criterion in step.criteria.all()
            ],
            notes=[panel_note(note, step_number=step.number, started_at=started_at) for note in notes.get(step.pk, [])],
            follow_ups=list((problem.follow_ups or {}).get(step.key, [])) if problem else [],
            hints=list((problem.hints or {}).get(step.key, [])) if problem else [],
        )
        for step, budget in zip(steps, budgets, strict=True)
    ]


def panel_for_interview(*, interview, user) -> Panel:
    """The room panel of `interview` for its interviewer `user`: every step of the interview's
    rubric with the criteria, the ticks and the notes `user` took, and the problem's follow-ups and
    hints filed under the step's key. Four queries (five unless the problem came with the interview)."""
    scorecard = Scorecard.objects.filter(interview_id=interview.pk).only("id", "rubric_id", "status").first()
    started_at = interview_started_at(interview)
    steps = _panel(
        rubric_id=scorecard.rubric_id if scorecard else interview.rubric_id,
        scorecard=scorecard,
        author_id=user.pk,
        started_at=started_at,
        problem=interview.problem,
        duration_minutes=interview.duration_minutes,
    )
    return Panel(
        steps=steps,
        locked=bool(scorecard and scorecard.is_submitted),
        started_at=started_at,
        rubric_id=scorecard.rubric_id if scorecard else interview.rubric_id,
        scorecard=scorecard,
    )


def panel_for(scorecard: Scorecard) -> list[PanelStep]:
    """What the interviewer ticked and noted in the room, per step of the scorecard's rubric, for
    the scorecard page (the interviewer's own page: private notes included)."""
    return _panel(
        rubric_id=scorecard.rubric_id,
        scorecard=scorecard,
        author_id=None,
        started_at=interview_started_at(scorecard.interview),
        duration_minutes=scorecard.interview.duration_minutes,
    )
