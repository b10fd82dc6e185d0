"""Writes for scorecards: the interviewer fills one in per interview and submits it."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from rubrics.models import LEVELS, Rubric

from ..models import Scorecard, StepScore


def _locked_error() -> ApplicationError:
    return ApplicationError(
        "This scorecard has been submitted and can no longer be changed.", code="locked", status=409
    )


@transaction.atomic
def scorecard_get_or_create(*, interview, rubric: Rubric, scorer: AbstractBaseUser) -> Scorecard:
    scorecard, created = Scorecard.objects.get_or_create(
        interview=interview, defaults={"rubric": rubric, "scorer": scorer}
    )
    if created:
        StepScore.objects.bulk_create(StepScore(scorecard=scorecard, step=step) for step in rubric.steps.all())
    return scorecard


@transaction.atomic
def scorecard_update(
    *,
    scorecard: Scorecard,
    steps: dict[int, dict[str, Any]],
    recommendation: str = "",
    summary: str = "",
) -> Scorecard:
    """Save a draft. `steps` maps step number -> {"level": 1-4 or None, "notes": str}."""
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.is_submitted:
        raise _locked_error()
    if recommendation and recommendation not in Scorecard.Recommendation.values:
        raise ApplicationError(f"Unknown recommendation {recommendation!r}.", code="invalid")
    scores = {score.step.number: score for score in scorecard.step_scores.select_related("step")}
    unknown = set(steps) - set(scores)
    if unknown:
        raise ApplicationError(f"This rubric has no step {sorted(unknown)[0]}.", code="invalid")
    for number, values in steps.items():
        level = values.get("level")
        if level is not None and (isinstance(level, bool) or level not in LEVELS):
            raise ApplicationError(f"Step {number}: the level must be 1, 2, 3 or 4.", code="invalid")
        score = scores[number]
        score.level = level
        score.notes = (values.get("notes") or "").strip()
    StepScore.objects.bulk_update(scores.values(), ["level", "notes"])
    scorecard.recommendation = recommendation
    scorecard.summary = summary.strip()
    scorecard.save(update_fields=["recommendation", "summary", "updated_at"])
    return scorecard


@transaction.atomic
def scorecard_submit(*, scorecard: Scorecard) -> Scorecard:
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.is_submitted:
        raise _locked_error()
    missing = [score.step.number for score in scorecard.step_scores.select_related("step") if score.level is None]
    if missing:
        steps = ", ".join(str(number) for number in missing)
        raise ApplicationError(f"Give every step a level before submitting (missing: step {steps}).", code="incomplete")
    if not scorecard.recommendation:
        raise ApplicationError("Choose an overall recommendation before submitting.", code="incomplete")
    scorecard.status = Scorecard.Status.SUBMITTED
    scorecard.submitted_at = timezone.now()
    scorecard.save(update_fields=["status", "submitted_at", "updated_at"])
    return scorecard
