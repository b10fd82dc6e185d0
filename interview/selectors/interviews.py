"""Reads for interviews: dashboards, the transcript, and the room's starting state."""

import datetime as dt

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from rubrics.evidence.board import expected_component_types
from whiteboard.components import catalogue_data

from ..models import AudioChunk, Interview, Recording, TranscriptEvent

_RELATED = ("problem", "interviewer__profile", "candidate__profile", "created_by", "scorecard")


def interview_list_for(*, user) -> QuerySet[Interview]:
    return (
        Interview.objects.filter(Q(interviewer=user) | Q(candidate=user))
        .select_related(*_RELATED)
        .order_by("scheduled_at")
    )


CALLED_OFF = (Interview.Status.DECLINED, Interview.Status.CANCELLED)


def dashboard_for(*, user, now=None) -> dict[str, list[Interview]]:
    """Pending invitations to answer, invitations sent, upcoming interviews, sessions called off
    whose time has not come yet, and past interviews (done, or called off once their time passed)."""
    now = now or timezone.now()
    interviews = list(interview_list_for(user=user))
    pending = [i for i in interviews if i.status == Interview.Status.INVITED and i.invitee_id == user.pk]
    sent = [i for i in interviews if i.status == Interview.Status.INVITED and i.invitee_id != user.pk]
    upcoming = [i for i in interviews if i.status == Interview.Status.ACCEPTED]
    called_off = [i for i in interviews if i.status in CALLED_OFF and i.scheduled_at > now]
    past = [
        i
        for i in reversed(interviews)
        if i.status == Interview.Status.COMPLETED
        or (i.status in CALLED_OFF and i.scheduled_at <= now)
        or (i.status == Interview.Status.INVITED and i.scheduled_at < now - dt.timedelta(days=1))
    ]
    return {"pending": pending, "sent": sent, "upcoming": upcoming, "called_off": called_off, "past": past}


def transcript_for(*, interview_id: int) -> QuerySet[TranscriptEvent]:
    return (
        TranscriptEvent.objects.filter(interview_id=interview_id)
        .select_related("author__profile")
        .order_by("created_at", "id")
    )


def public_name(user) -> str:
    if user is None:
        return "Mocklane"
    profile = getattr(user, "profile", None)
    return profile.public_name if profile is not None else user.get_username()


def event_payload(event: TranscriptEvent) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "author": {"id": event.author_id, "name": public_name(event.author)} if event.author_id else None,
        "text": event.text,
        "step": event.step,
        "created_at": event.created_at.isoformat(),
        "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "client_msg_id": event.client_msg_id,
    }


def recording_state(recording: Recording | None) -> dict:
    """What both participants are shown: who consented and whether recording is on."""
    if recording is None:
        return {"state": "off", "interviewer_consented": False, "candidate_consented": False, "on_since": None}
    if recording.deleted_at:
        state = "deleted"
    elif recording.is_on:
        state = "on"
    elif recording.interviewer_consent_at or recording.candidate_consent_at:
        state = "asked"
    else:
        state = "off"
    return {
        "state": state,
        "interviewer_consented": bool(recording.interviewer_consent_at),
        "candidate_consented": bool(recording.candidate_consent_at),
        "on_since": recording.on_since.isoformat() if recording.on_since and state == "on" else None,
    }


def recording_state_for(*, interview_id: int) -> dict:
    return recording_state(Recording.objects.filter(interview_id=interview_id).first())


def room_state_for(*, interview: Interview, user) -> dict:
    from ..pacing import steps_payload

    return {
        "type": "room_state",
        "now": timezone.now().isoformat(),
        "interview": {"id": interview.pk, "status": interview.status},
        "you": {"id": user.pk, "name": public_name(user), "role": interview.role_of(user)},
        # budgets scaled to this interview's length, and the time each step has taken so far
        "steps": steps_payload(interview=interview),
        "current_step": interview.current_step,
        "step_started_at": interview.step_started_at.isoformat() if interview.step_started_at else None,
        "transcript": [event_payload(e) for e in transcript_for(interview_id=interview.pk)],
        "recording": {
            **recording_state_for(interview_id=interview.pk),
            "next_seq": next_chunk_seq(interview_id=interview.pk, user_id=user.pk),
        },
    }


def palette_for(*, interview: Interview, role: str | None) -> dict:
    """The room palette's components (the board's catalogue, whiteboard/components.py) and, for the
    interviewer only, the types the problem expects, to offer first. The candidate gets the catalogue
    in its own order: which components a problem expects is interviewer material."""
    suggested = expected_component_types(interview.problem.expectations or {}) if role == "interviewer" else []
    return {"components": catalogue_data(), "suggested": suggested}


def next_chunk_seq(*, interview_id: int, user_id: int) -> int:
    """The number this user's next recorded chunk takes (after every one stored)."""
    last = AudioChunk.objects.filter(interview_id=interview_id, speaker_id=user_id).aggregate(m=Max("seq"))["m"]
    return 0 if last is None else last + 1


def audio_chunks_for(*, interview_id: int) -> QuerySet[AudioChunk]:
    return (
        AudioChunk.objects.filter(interview_id=interview_id)
        .select_related("speaker__profile")
        .order_by("started_at", "speaker_id", "seq")
    )


def audio_chunk_get(*, interview_id: int, chunk_id: int) -> AudioChunk | None:
    return AudioChunk.objects.filter(interview_id=interview_id, pk=chunk_id).first()
