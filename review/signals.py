"""What the review does when the live part of an interview is over."""

from django.dispatch import receiver

from interview.signals import interview_ended

from .services.evidence import evidence_report_request


@receiver(interview_ended, dispatch_uid="review_find_evidence_on_end")
def find_evidence_on_end(sender, interview, **kwargs):
    # Runs inside interview_end's transaction; the finder itself is queued once it commits.
    evidence_report_request(interview=interview)
