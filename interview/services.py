"""Writes for interviews: scheduling, answering invitations, the live step tracker and chat."""

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from config.errors import ApplicationError
from rubrics.models import Problem
from rubrics.selectors import rubric_active
from whiteboard.services import board_create

from .models import Interview, Profile, TranscriptEvent, validate_time_zone

logger = logging.getLogger(__name__)
User = get_user_model()

LANE_HEIGHT = 760
LANES = [
    {"key": "offline", "name": "Offline - training pipeline", "x": 0, "y": 0, "width": 960, "height": LANE_HEIGHT},
    {"key": "online", "name": "Online - inference path", "x": 1040, "y": 0, "width": 960, "height": LANE_HEIGHT},
]
MAX_CHAT_LENGTH = 2000


def profile_ensure(*, user) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def profile_update(*, user, display_name: str, time_zone: str) -> Profile:
    validate_time_zone(time_zone)
    profile = profile_ensure(user=user)
    profile.display_name = display_name.strip()
    profile.time_zone = time_zone
    profile.save(update_fields=["display_name", "time_zone"])
    return profile


def _find_peer(identifier: str):
    identifier = identifier.strip()
    if not identifier:
        raise ApplicationError("Enter your peer's username or email address.", code="peer_required")
    peer = User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier), is_active=True).first()
    if peer is None:
        raise ApplicationError(
            f"No Mocklane account matches {identifier!r}. Ask your peer to sign up first, then invite them.",
            code="peer_not_found",
        )
    return peer


@transaction.atomic
def interview_schedule(
    *,
    created_by,
    problem_id: int,
    scheduled_at: dt.datetime,
    peer: str,
    my_role: str,
    duration_minutes: int = 60,
    now: dt.datetime | None = None,
) -> Interview:
    """Create an interview with a fresh two-lane board and invite the peer."""
    now = now or timezone.now()
    if timezone.is_naive(scheduled_at):
        raise ApplicationError("The start time needs a time zone.", code="invalid")
    if scheduled_at < now - dt.timedelta(minutes=5):
        raise ApplicationError("The start time is in the past; pick a time from now on.", code="in_past")
    if not 15 <= duration_minutes <= 180:
        raise ApplicationError("An interview lasts between 15 and 180 minutes.", code="invalid")
    if my_role not in ("interviewer", "candidate"):
        raise ApplicationError("Choose whether you are the interviewer or the candidate.", code="invalid")
    problem = Problem.objects.filter(pk=problem_id, is_active=True).first()
    if problem is None:
        raise ApplicationError("Pick a problem from the problem bank.", code="invalid")
    rubric = rubric_active()
    if rubric is None:
        raise ApplicationError("No rubric is loaded; run `manage.py load_content`.", code="no_rubric", status=503)
    other = _find_peer(peer)
    if other.pk == created_by.pk:
        raise ApplicationError("You cannot interview yourself; invite a peer.", code="self_invite")
    interviewer, candidate = (created_by, other) if my_role == "interviewer" else (other, created_by)
    board = board_create(title=problem.title, lanes=LANES)
    interview = Interview.objects.create(
        problem=problem,
        rubric=rubric,
        board=board,
        created_by=created_by,
        interviewer=interviewer,
        candidate=candidate,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
    )
    from .tasks import send_invitation_email

    transaction.on_commit(lambda: send_invitation_email.delay(interview.pk))
    return interview


def _answer(*, interview: Interview, user, status: str) -> Interview:
    with transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=interview.pk)
        if user.pk != interview.invitee_id:
            raise ApplicationError("Only the invited person can answer this invitation.", code="forbidden", status=403)
        if interview.status != Interview.Status.INVITED:
            raise ApplicationError(
                f"This invitation was already answered (it is {interview.get_status_display().lower()}).",
                code="already_answered",
                status=409,
            )
        interview.status = status
        interview.save(update_fields=["status", "updated_at"])
    return interview


def interview_accept(*, interview: Interview, user) -> Interview:
    return _answer(interview=interview, user=user, status=Interview.Status.ACCEPTED)


def interview_decline(*, interview: Interview, user) -> Interview:
    return _answer(interview=interview, user=user, status=Interview.Status.DECLINED)


def _require_live(interview: Interview) -> None:
    if interview.status != Interview.Status.ACCEPTED:
        raise ApplicationError("This interview is not live.", code="not_live", status=409)


@transaction.atomic
def interview_set_step(*, interview: Interview, user, step: int) -> tuple[Interview, TranscriptEvent | None]:
    interview = Interview.objects.select_for_update().select_related("rubric").get(pk=interview.pk)
    _require_live(interview)
    if user.pk != interview.interviewer_id:
        raise ApplicationError("Only the interviewer moves between steps.", code="forbidden", status=403)
    titles = dict(interview.rubric.steps.values_list("number", "title"))
    if isinstance(step, bool) or not isinstance(step, int) or step not in titles:
        raise ApplicationError(f"step must be a number from 1 to {len(titles)}.", code="invalid")
    if step == interview.current_step and interview.step_started_at:
        return interview, None
    title = titles[step]
    interview.current_step = step
    interview.step_started_at = timezone.now()
    interview.save(update_fields=["current_step", "step_started_at", "updated_at"])
    event = TranscriptEvent.objects.create(
        interview=interview, kind=TranscriptEvent.Kind.STEP, author=user, text=f"Step {step}: {title}", step=step
    )
    return interview, event


def interview_post_message(
    *, interview: Interview, user, text: str, client_msg_id: str | None = None
) -> TranscriptEvent:
    if not isinstance(text, str) or not text.strip():
        raise ApplicationError("A message cannot be empty.", code="invalid")
    text = text.strip()
    if len(text) > MAX_CHAT_LENGTH:
        raise ApplicationError(f"Messages are limited to {MAX_CHAT_LENGTH} characters.", code="invalid")
    if client_msg_id is not None and (not isinstance(client_msg_id, str) or not 1 <= len(client_msg_id) <= 64):
        raise ApplicationError("client_msg_id must be a string of 1-64 characters.", code="invalid")
    if user.pk not in (interview.interviewer_id, interview.candidate_id):
        raise ApplicationError("Only the two participants can chat here.", code="forbidden", status=403)
    current = Interview.objects.only("status", "current_step").get(pk=interview.pk)
    _require_live(current)
    if client_msg_id:
        existing = TranscriptEvent.objects.filter(interview=interview, client_msg_id=client_msg_id).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            return TranscriptEvent.objects.create(
                interview=interview,
                kind=TranscriptEvent.Kind.CHAT,
                author=user,
                text=text,
                step=current.current_step,
                client_msg_id=client_msg_id,
            )
    except IntegrityError:  # the same message raced in twice
        return TranscriptEvent.objects.get(interview=interview, client_msg_id=client_msg_id)


@transaction.atomic
def interview_start_clock(*, interview: Interview) -> Interview:
    """Start the step clock the first time anyone enters the room."""
    updated = Interview.objects.filter(pk=interview.pk, step_started_at__isnull=True).update(
        step_started_at=timezone.now()
    )
    if updated:
        interview.refresh_from_db(fields=["step_started_at"])
    return interview


@transaction.atomic
def interview_end(*, interview: Interview, user) -> Interview:
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if user.pk != interview.interviewer_id:
        raise ApplicationError("Only the interviewer can end the interview.", code="forbidden", status=403)
    _require_live(interview)
    interview.status = Interview.Status.COMPLETED
    interview.ended_at = timezone.now()
    interview.save(update_fields=["status", "ended_at", "updated_at"])
    TranscriptEvent.objects.create(
        interview=interview,
        kind=TranscriptEvent.Kind.SYSTEM,
        author=user,
        text="Interview ended",
        step=interview.current_step,
    )
    interview_id = interview.pk
    transaction.on_commit(lambda: _announce_end(interview_id))
    return interview


def _announce_end(interview_id: int) -> None:
    """Tell everyone still in the room (on any server process) that the room is closed."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from .consumers import room_group

    async_to_sync(get_channel_layer().group_send)(room_group(interview_id), {"type": "room.ended"})
