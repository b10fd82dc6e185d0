"""Reads for the progress page: one person's submitted scores as a candidate, across sessions.

Steps and criteria are matched across rubric versions by their keys, so a new rubric version does
not break a trend. Four queries whatever the number of sessions: scorecards (with their interview,
problem, interviewer and rubric), their step scores, their criterion ticks, and the criteria of
the rubrics involved."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from interview.selectors import public_name
from rubrics.models import Criterion

from ..models import CriterionCheck, Scorecard, StepScore

RECENT = 5  # the weakest steps are judged on this many latest sessions
WEAKEST = 2  # at most this many steps are singled out
MOST_MISSED = 5


@dataclass
class Session:
    interview_id: int
    scheduled_at: dt.datetime
    problem: str
    interviewer: str
    recommendation: str
    levels: dict[str, int | None]  # step key -> level
    ticked: bool  # the interviewer ticked criteria in this session
    level_row: list[int | None] = field(default_factory=list)  # levels in the order of Progress.steps

    @property
    def average(self) -> float | None:
        levels = [level for level in self.levels.values() if level is not None]
        return sum(levels) / len(levels) if levels else None


@dataclass
class StepTrend:
    key: str
    number: int
    title: str
    levels: list[int | None]  # one per session, oldest first
    recent_average: float | None = None
    recent_count: int = 0
    change: int = 0  # latest minus earliest level among the recent sessions
    weakest: bool = False

    @property
    def direction(self) -> str:
        return "up" if self.change > 0 else "down" if self.change < 0 else "flat"

    @property
    def trend_label(self) -> str:
        """E.g. "rising: +1 over the last 3 sessions"."""
        if self.recent_count < 2:
            return "one session so far"
        span = f"over the last {self.recent_count} sessions"
        if self.change > 0:
            return f"rising: +{self.change} {span}"
        if self.change < 0:
            return f"falling: {self.change} {span}"
        return f"steady {span}"


@dataclass
class MissedCriterion:
    step_number: int
    step_title: str
    title: str
    missed: int
    counted: int  # sessions where it could have been ticked
    sessions: list[Session] = field(default_factory=list)  # where it was missed, oldest first


@dataclass
class Progress:
    sessions: list[Session]  # oldest first
    steps: list[StepTrend]
    weakest: list[StepTrend]
    most_missed: list[MissedCriterion]
    ticked_sessions: int

    @property
    def recent_window(self) -> int:
        return min(RECENT, len(self.sessions))


def _submitted_scorecards(user_id: int):
    return (
        Scorecard.objects.filter(interview__candidate_id=user_id, status=Scorecard.Status.SUBMITTED)
        .select_related("interview__problem", "interview__interviewer__profile", "rubric")
        .prefetch_related(
            Prefetch("step_scores", queryset=StepScore.objects.select_related("step").order_by("step__number")),
            Prefetch("checks", queryset=CriterionCheck.objects.only("scorecard_id", "criterion_id", "met")),
        )
        .order_by("interview__scheduled_at", "interview_id")
    )


def _mark_weakest(steps: list[StepTrend]) -> list[StepTrend]:
    """Up to WEAKEST steps whose recent average is below the person's own average across steps,
    lowest first (a falling trend first among equals). Steps all level with each other: none."""
    rated = [s for s in steps if s.recent_average is not None]
    if not rated:
        return []
    norm = sum(s.recent_average or 0.0 for s in rated) / len(rated)  # `or`: for the type checker; all are set
    below = sorted(
        (s for s in rated if (s.recent_average or 0.0) < norm - 1e-9),
        key=lambda s: (s.recent_average, s.change, s.number),
    )
    weakest = below[:WEAKEST]
    for step in weakest:
        step.weakest = True
    return weakest


def progress_for(*, user) -> Progress:
    scorecards = list(_submitted_scorecards(user.pk))
    sessions: list[Session] = []
    step_info: dict[str, tuple[int, str]] = {}  # key -> (number, title), the latest rubric's wording
    for scorecard in scorecards:
        interview = scorecard.interview
        levels = {}
        for score in scorecard.step_scores.all():
            levels[score.step.key] = score.level
            step_info[score.step.key] = (score.step.number, score.step.title)
        sessions.append(
            Session(
                interview_id=interview.pk,
                scheduled_at=interview.scheduled_at,
                problem=interview.problem.title,
                interviewer=public_name(interview.interviewer),
                recommendation=scorecard.get_recommendation_display(),
                levels=levels,
                ticked=bool(scorecard.checks.all()),
            )
        )

    steps = []
    for key, (number, title) in sorted(step_info.items(), key=lambda item: item[1][0]):
        trend = StepTrend(key=key, number=number, title=title, levels=[s.levels.get(key) for s in sessions])
        recent = [level for level in trend.levels if level is not None][-RECENT:]
        if recent:
            trend.recent_average = sum(recent) / len(recent)
            trend.recent_count = len(recent)
            trend.change = recent[-1] - recent[0]
        steps.append(trend)
    weakest = _mark_weakest(steps)
    for session in sessions:
        session.level_row = [session.levels.get(step.key) for step in steps]

    return Progress(
        sessions=sessions,
        steps=steps,
        weakest=weakest,
        most_missed=_most_missed(scorecards, sessions),
        ticked_sessions=sum(1 for s in sessions if s.ticked),
    )


def _most_missed(scorecards: list[Scorecard], sessions: list[Session]) -> list[MissedCriterion]:
    """Criteria not ticked as met, counted over the sessions where the interviewer ticked any:
    an interviewer who ticked nothing said nothing about criteria."""
    ticked = [(scorecard, session) for scorecard, session in zip(scorecards, sessions, strict=True) if session.ticked]
    if not ticked:
        return []
    rubric_ids = {scorecard.rubric_id for scorecard, _ in ticked}
    criteria_by_rubric: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(step__rubric_id__in=rubric_ids).select_related("step"):
        criteria_by_rubric[criterion.step.rubric_id].append(criterion)
    tally: dict[tuple[str, str], MissedCriterion] = {}
    for scorecard, session in ticked:
        met = {check.criterion_id for check in scorecard.checks.all() if check.met}
        for criterion in criteria_by_rubric[scorecard.rubric_id]:
            step = criterion.step
            key = (step.key, criterion.key)
            if key not in tally:
                tally[key] = MissedCriterion(step.number, step.title, criterion.title, missed=0, counted=0)
            entry = tally[key]
            # scorecards come oldest first: the latest rubric's wording wins
            entry.step_number, entry.step_title, entry.title = step.number, step.title, criterion.title
            entry.counted += 1
            if criterion.pk not in met:
                entry.missed += 1
                entry.sessions.append(session)
    missed = [entry for entry in tally.values() if entry.missed]
    missed.sort(key=lambda e: (-e.missed, -e.missed / e.counted, e.step_number, e.title))
    return missed[:MOST_MISSED]
