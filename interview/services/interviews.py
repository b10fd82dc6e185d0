"""Writes for interviews: scheduling, answering invitations, the live step tracker and chat."""

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import ApplicationError
from rubrics.models import Problem

from ..lifecycle import earliest_start, min_notice_label
from ..models import Booking, Interview, TranscriptEvent
from ..realtime import room_broadcast
from ..signals import interview_ended
from .bookings import Part, booking_after_part_ended, booking_create, guard_overlap, notify, problem_for
from .speech import speech_queue_tracks

logger = logging.getLogger(__name__)
User = get_user_model()

MAX_CHAT_LENGTH = 2000


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


def interview_schedule(
    *,
    created_by,
    problem_id: int,
    scheduled_at: dt.datetime | None = None,
    peer: str,
    my_role: str,
    duration_minutes: int = 60,
    start_now: bool = False,
    now: dt.datetime | None = None,
) -> Interview:
    """Invite a named peer to an interview at a time agreed elsewhere, or (`start_now`) as soon as
    the minimum lead time allows. Both people's time is held while the invitation is pending;
    declining it frees the time."""
    now = now or timezone.now()
    if start_now:
        scheduled_at = earliest_start(now)
    if not isinstance(scheduled_at, dt.datetime) or timezone.is_naive(scheduled_at):
        raise ApplicationError("The start time needs a time zone.", code="invalid")
    if scheduled_at < now.replace(second=0, microsecond=0):
        raise ApplicationError("The start time is in the past; pick a time from now on.", code="in_past")
    if scheduled_at < earliest_start(now):
        raise ApplicationError(
            f"Sessions start at least {min_notice_label()} from now; or choose Start now.", code="too_soon"
        )
    if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int) or not 15 <= duration_minutes <= 180:
        raise ApplicationError("An interview lasts between 15 and 180 minutes.", code="invalid")
    if my_role not in ("interviewer", "candidate"):
        raise ApplicationError("Choose whether you are the interviewer or the candidate.", code="invalid")
    if not Problem.objects.filter(pk=problem_id, is_active=True).exists():
        raise ApplicationError("Pick a problem from the problem bank.", code="invalid")
    other = _find_peer(peer)
    if other.pk == created_by.pk:
        raise ApplicationError("You cannot interview yourself; invite a peer.", code="self_invite")
    candidate, interviewer = (other, created_by) if my_role == "interviewer" else (created_by, other)
    problem = problem_for(candidate=candidate, chosen_id=problem_id)
    part = Part(interviewer, candidate, problem, scheduled_at, duration_minutes, picked_by=created_by)

    def create():
        return booking_create(
            organizer=created_by,
            peer=other,
            kind=Booking.Kind.SINGLE,
            source=Booking.Source.INVITE,
            parts=[part],
            status=Interview.Status.INVITED,
        )

    with transaction.atomic():
        booking = guard_overlap(create)
        notify(booking.pk, "invited")
    return booking.interviews.get()


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
        booking = Booking.objects.select_for_update().get(pk=interview.booking_id)
        if status == Interview.Status.DECLINED:
            booking.status = Booking.Status.CANCELLED
            booking.cancelled_by, booking.cancelled_at = user, timezone.now()
            booking.cancel_reason = "Invitation declined"
            booking.sequence += 1
            booking.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason", "sequence"])
            booking.holds.all().delete()
        notify(booking.pk, "accepted" if status == Interview.Status.ACCEPTED else "declined")
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


def _require_storable(text: str, *, what: str) -> None:
    """Refuse what the database cannot store: PostgreSQL text holds no U+0000, and a lone
    surrogate (half of a UTF-16 pair) has no UTF-8 encoding at all."""
    if "\x00" in text:
        raise ApplicationError(f"{what} cannot contain the NUL character (U+0000).", code="invalid")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            char = f"U+{ord(text[exc.start]):04X}"
            raise ApplicationError(f"{what} cannot contain {char}, half of a surrogate pair.", code="invalid") from None


def interview_post_message(
    *, interview: Interview, user, text: str, client_msg_id: str | None = None
) -> TranscriptEvent:
    if not isinstance(text, str) or not text.strip():
        raise ApplicationError("A message cannot be empty.", code="invalid")
    text = text.strip()
    if len(text) > MAX_CHAT_LENGTH:
        raise ApplicationError(f"Messages are limited to {MAX_CHAT_LENGTH} characters.", code="invalid")
    _require_storable(text, what="A message")
    if client_msg_id is not None and (not isinstance(client_msg_id, str) or not 1 <= len(client_msg_id) <= 64):
        raise ApplicationError("client_msg_id must be a string of 1-64 characters.", code="invalid")
    if client_msg_id is not None:
        _require_storable(client_msg_id, what="client_msg_id")
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
    now = timezone.now()
    updated = Interview.objects.filter(pk=interview.pk, step_started_at__isnull=True).update(
        step_started_at=now, started_at=now
    )
    if updated:
        interview.refresh_from_db(fields=["step_started_at", "started_at"])
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
    # an early end frees both calendars from now on; a swap's second half can start at once
    booking_after_part_ended(interview=interview, ended_at=interview.ended_at)
    TranscriptEvent.objects.create(
        interview=interview,
        kind=TranscriptEvent.Kind.SYSTEM,
        author=user,
        text="Interview ended",
        step=interview.current_step,
    )
    room_broadcast(interview.pk, {"type": "room.ended"})  # everyone still in the room, on any process
    interview_ended.send(sender=Interview, interview=interview)  # e.g. the review queues the evidence finder
    speech_queue_tracks(interview_id=interview.pk)  # each speaker's whole track, once this commits
    return interview
