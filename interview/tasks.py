import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import Interview
from .selectors import public_name

logger = logging.getLogger(__name__)


@shared_task
def run_match_queue() -> int:
    from .services import match_queue_run

    return len(match_queue_run())


@shared_task
def record_no_shows() -> int:
    from .services import bookings_record_no_shows

    return bookings_record_no_shows()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_booking(booking_id: int, event: str) -> None:
    from .models import Booking

    if event == "invited":
        interview = Booking.objects.get(pk=booking_id).interviews.first()
        send_invitation_email(interview.pk)


def send_invitation_email(interview_id: int) -> None:
    interview = (
        Interview.objects.select_related("problem", "interviewer__profile", "candidate__profile", "created_by__profile")
        .filter(pk=interview_id)
        .first()
    )
    if interview is None or interview.status != Interview.Status.INVITED:
        return  # gone or already answered: nothing to send
    invitee = interview.candidate if interview.invitee_id == interview.candidate_id else interview.interviewer
    if not invitee.email:
        logger.info("invitee %s has no email; invitation %s shown on the dashboard only", invitee.pk, interview_id)
        return
    context = {
        "interview": interview,
        "inviter": public_name(interview.created_by),
        "invitee": public_name(invitee),
        "role": interview.role_of(invitee),
    }
    send_mail(
        subject=f"{context['inviter']} invited you to a mock interview on Mocklane",
        message=render_to_string("interview/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitee.email],
    )
