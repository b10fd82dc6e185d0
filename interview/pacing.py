"""Step budgets and the time each step took.

The rubric's budgets are written for a 60-minute interview (its seven steps add up to 48 minutes,
leaving time to settle in and for questions). A session of another length, or a half of a role
swap, gets the same shares of its own length: a 30-minute half gets half of every budget, rounded to
whole minutes so that they still add up (largest remainder), each at least a minute.

The time spent in a step is the sum of its visits: from the first entry into the room (or a step
change) to the next step change, or to the end of the interview."""

import datetime as dt
import math
from dataclasses import dataclass

from django.utils import timezone

from .models import Interview, TranscriptEvent

BUDGETS_WRITTEN_FOR_MINUTES = 60


def scaled_budgets(budgets: list[int], *, duration_minutes: int) -> list[int]:
    """Each budget scaled from a 60-minute interview to `duration_minutes`."""
    if not budgets:
        return []
    exact = [budget * duration_minutes / BUDGETS_WRITTEN_FOR_MINUTES for budget in budgets]
    total = max(round(sum(exact)), len(budgets))
    result = [max(1, math.floor(value)) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - math.floor(exact[i])), i))
    for i in by_remainder[: max(0, total - sum(result))]:
        result[i] += 1
    return result


@dataclass(frozen=True)
class StepTime:
    number: int
    key: str
    title: str
    budget_minutes: int  # scaled to this interview's length
    spent_seconds: int  # visits that are over (the running visit of the current step is not counted)
    visited: bool

    @property
    def over_budget(self) -> bool:
        return self.spent_seconds > self.budget_minutes * 60

    @property
    def spent_label(self) -> str:
        minutes, seconds = divmod(self.spent_seconds, 60)
        return f"{minutes}:{seconds:02d}"


def step_visits(
    *, interview: Interview, changes: list[tuple[dt.datetime, int]], first_step: int, now: dt.datetime
) -> list[tuple[int, dt.datetime, dt.datetime | None]]:
    """(step, from, until) for every visit; `until` is None for the running one of a live interview."""
    started = interview.started_at or (changes[0][0] if changes else None) or interview.step_started_at
    if started is None:
        return []
    end = interview.ended_at if interview.status == Interview.Status.COMPLETED else None
    visits: list[tuple[int, dt.datetime, dt.datetime | None]] = []
    step, since = first_step, started
    for at, new_step in changes:
        if at < since:
            at = since
        visits.append((step, since, at))
        step, since = new_step, at
    visits.append((step, since, end))
    return visits


def step_times(*, interview: Interview, now: dt.datetime | None = None) -> list[StepTime]:
    """Every rubric step of the interview with its scaled budget and the time spent in it."""
    now = now or timezone.now()
    steps = list(interview.rubric.steps.order_by("number").values_list("number", "key", "title", "time_budget_minutes"))
    budgets = scaled_budgets([row[3] for row in steps], duration_minutes=interview.duration_minutes)
    changes = list(
        TranscriptEvent.objects.filter(interview_id=interview.pk, kind=TranscriptEvent.Kind.STEP)
        .order_by("created_at", "id")
        .values_list("created_at", "step")
    )
    first_step = steps[0][0] if steps else 1
    spent: dict[int, float] = {}
    visited: set[int] = set()
    for step, since, until in step_visits(interview=interview, changes=changes, first_step=first_step, now=now):
        visited.add(step)
        if until is not None:
            spent[step] = spent.get(step, 0) + max(0.0, (until - since).total_seconds())
    return [
        StepTime(
            number=number,
            key=key,
            title=title,
            budget_minutes=budget,
            spent_seconds=int(spent.get(number, 0)),
            visited=number in visited,
        )
        for (number, key, title, _), budget in zip(steps, budgets, strict=True)
    ]


def steps_payload(*, interview: Interview, now: dt.datetime | None = None) -> list[dict]:
    """The room's step tracker data: budgets for this interview's length and the time spent so far."""
    return [
        {
            "number": step.number,
            "key": step.key,
            "title": step.title,
            "time_budget_minutes": step.budget_minutes,
            "time_spent_seconds": step.spent_seconds,
        }
        for step in step_times(interview=interview, now=now)
    ]
