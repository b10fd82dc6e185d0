"""Reads of the interviewer's scorecard."""

from django.db.models import Prefetch

from ..models import EvidenceReport, Scorecard, SelfAssessment, StepScore


def scorecard_for_interview(*, interview_id: int) -> Scorecard | None:
    return (
        Scorecard.objects.select_related("rubric", "scorer")
        .prefetch_related(
            Prefetch("step_scores", queryset=StepScore.objects.select_related("step").order_by("step__number"))
        )
        .filter(interview_id=interview_id)
        .first()
    )


def rubric_used_for_scoring(rubric_id: int) -> bool:
    """Whether a scorecard, an evidence report or a self-assessment used this rubric version."""
    return (
        Scorecard.objects.filter(rubric_id=rubric_id).exists()
        or EvidenceReport.objects.filter(rubric_id=rubric_id).exists()
        or SelfAssessment.objects.filter(rubric_id=rubric_id).exists()
    )
