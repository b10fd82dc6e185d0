"""Reads for the review page: the interviewer's private notes and ticks, the candidate's
self-assessment and their share links, the evidence finder's report as rows.
Who may see which is `visibility.review_visibility`'s to say, and the caller's to ask; these only fetch."""

from django.db.models import Prefetch, QuerySet

from ..models import (
    CriterionCheck,
    Evidence,
    EvidenceReport,
    InterviewerNote,
    ReviewShare,
    SelfAssessment,
    SelfStepScore,
    StepSuggestion,
)


def interviewer_notes_for(*, scorecard_id: int) -> QuerySet[InterviewerNote]:
    """Private: for the interview's interviewer only."""
    return InterviewerNote.objects.filter(scorecard_id=scorecard_id).select_related("step").order_by("created_at", "id")


def criteria_met_for(*, scorecard_id: int) -> dict[int, bool]:
    """criterion id -> met (True) or explicitly not met (False); unticked criteria are absent."""
    return dict(CriterionCheck.objects.filter(scorecard_id=scorecard_id).values_list("criterion_id", "met"))


def evidence_report_for(*, interview_id: int) -> EvidenceReport | None:
    """The evidence finder's report as rows (the page reads it through evidence.evidence_for)."""
    return (
        EvidenceReport.objects.filter(interview_id=interview_id)
        .prefetch_related(
            Prefetch("suggestions", queryset=StepSuggestion.objects.select_related("step")),
            Prefetch("items", queryset=Evidence.objects.select_related("step", "criterion")),
        )
        .first()
    )


def self_assessment_for(*, interview_id: int) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.filter(interview_id=interview_id)
        .prefetch_related(
            Prefetch("step_scores", queryset=SelfStepScore.objects.select_related("step").order_by("step__number"))
        )
        .first()
    )


def review_shares_for(*, interview_id: int) -> QuerySet[ReviewShare]:
    """The links that still work, newest first."""
    return ReviewShare.objects.filter(interview_id=interview_id, revoked_at__isnull=True).order_by("-created_at", "-id")


def review_share_for_token(*, token: str) -> ReviewShare | None:
    """The share behind a link, if the link still works."""
    limit = ReviewShare._meta.get_field("token").max_length
    if not token or (limit is not None and len(token) > limit):
        return None
    return ReviewShare.objects.filter(token=token, revoked_at__isnull=True).first()
