"""What the review does when the live part of an interview is over."""

from django.dispatch import receiver

from interview.models import Interview
from interview.signals import interview_ended, speech_transcribed

from .services.evidence import evidence_report_request


@receiver(interview_ended, dispatch_uid="review_find_evidence_on_end")
def find_evidence_on_end(sender, interview, **kwargs):
    # Runs inside interview_end's transaction; the finder itself is queued once it commits.
    evidence_report_request(interview=interview)


@receiver(speech_transcribed, dispatch_uid="review_find_evidence_on_speech")
def find_evidence_on_speech(sender, interview_id, **kwargs):
    """Speech transcribed after the end (the last chunks arrive late) is read by the finder too."""
    interview = Interview.objects.filter(pk=interview_id, status=Interview.Status.COMPLETED).first()
    if interview is not None:
        evidence_report_request(interview=interview)
