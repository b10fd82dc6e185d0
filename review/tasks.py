"""Background work for the review. Tasks take ids, re-read the rows and call one service, so
running one twice is harmless."""

from celery import shared_task
from django.db import OperationalError


# The registered name is the one this task had in `rubrics`, so messages queued before the move
# (and workers not yet restarted) still find it.
@shared_task(name="rubrics.tasks.find_evidence", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def find_evidence(interview_id: int) -> str | None:
    """Find the evidence for one interview's scores (review/services/evidence.py); queued when the
    interview ends and when the interviewer asks again."""
    from .services.evidence import evidence_report_run

    report = evidence_report_run(interview_id=interview_id)
    return report.status if report is not None else None
