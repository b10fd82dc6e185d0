"""Writes for the candidate's self-assessment: their own level and notes per step, and a summary,
filled in once the interview has started and editable afterwards."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from core.errors import ApplicationError
from interview.lifecycle import interview_has_started
from rubrics.models import LEVELS

from ..models import SelfAssessment, SelfStepScore

MAX_NOTES = 2000
MAX_SUMMARY = 4000


def _level(value: Any, step_title: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or value not in LEVELS:
        raise ApplicationError(f"{step_title}: pick a level from 1 to 4, or leave it empty.", code="invalid")
    return value


def _text(value: Any, *, limit: int, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApplicationError(f"{what} must be text.", code="invalid")
    value = value.strip()
    if len(value) > limit:
        raise ApplicationError(f"{what} can be at most {limit} characters (it has {len(value)}).", code="invalid")
    return value


@transaction.atomic
def self_assessment_save(
    *, interview, user, steps: Mapping[Any, Mapping[str, Any]], summary: str = ""
) -> SelfAssessment:
    """Save the candidate's self-assessment. `steps` maps a step id of the interview's rubric to
    {"level": 1-4, None or "", "notes": str}; steps left out keep what they had. Everything is
    checked before anything is written, so a refused save changes nothing."""
    if user is None or user.pk != interview.candidate_id:
        raise ApplicationError("Only the candidate fills in a self-assessment.", code="forbidden", status=403)
    if not interview_has_started(interview):
        raise ApplicationError(
            "The self-assessment opens once the interview has started.", code="not_started", status=409
        )
    rubric_steps = {step.pk: step for step in interview.rubric.steps.all()}
    values: dict[int, tuple[int | None, str]] = {}
    for raw_id, answer in steps.items():
        step_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
        if isinstance(raw_id, str) and raw_id.isdigit():
            step_id = int(raw_id)
        step = rubric_steps.get(step_id)
        if step is None:
            raise ApplicationError("The form names a step that is not in this interview's rubric.", code="invalid")
        if not isinstance(answer, Mapping):
            raise ApplicationError(f"Step {step.number}: expected a level and notes.", code="invalid")
        label = f"Step {step.number} ({step.title})"
        values[step.pk] = (
            _level(answer.get("level"), label),
            _text(answer.get("notes"), limit=MAX_NOTES, what=f"{label}: notes"),
        )
    summary = _text(summary, limit=MAX_SUMMARY, what="The summary")

    assessment, created = SelfAssessment.objects.select_for_update().get_or_create(
        interview=interview, defaults={"author": user, "rubric": interview.rubric, "summary": summary}
    )
    if created:
        SelfStepScore.objects.bulk_create(
            SelfStepScore(assessment=assessment, step=step) for step in rubric_steps.values()
        )
    else:
        assessment.summary = summary
        assessment.save(update_fields=["summary", "updated_at"])
    rows = {row.step_id: row for row in assessment.step_scores.filter(step_id__in=values)}
    for step_id, (level, notes) in values.items():
        row = rows.get(step_id) or SelfStepScore(assessment=assessment, step_id=step_id)
        row.level, row.notes = level, notes
        rows[step_id] = row
    SelfStepScore.objects.bulk_create([row for row in rows.values() if row.pk is None])
    SelfStepScore.objects.bulk_update([row for row in rows.values() if row.pk is not None], ["level", "notes"])
    return assessment
