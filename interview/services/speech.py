"""Writes for speech: turn one recorded chunk into transcript segments.

Each segment becomes a `speech` transcript event by the chunk's speaker, dated at the moment it
was said (the chunk's start plus the segment's offset), tagged with the step that was current
then, and shown in the room as it arrives. Running it again replaces the chunk's segments."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from .. import transcription
from ..models import AudioChunk, TranscriptEvent
from ..realtime import room_broadcast
from ..signals import speech_transcribed

logger = logging.getLogger(__name__)


def step_at(*, interview_id: int, moment: dt.datetime, default: int = 1) -> int:
    """The step that was current at `moment`: the last step change at or before it."""
    step = (
        TranscriptEvent.objects.filter(
            interview_id=interview_id, kind=TranscriptEvent.Kind.STEP, created_at__lte=moment
        )
        .order_by("-created_at", "-id")
        .values_list("step", flat=True)
        .first()
    )
    return step if step is not None else default


def speech_transcribe_chunk(*, chunk_id: int) -> list[TranscriptEvent]:
    chunk = AudioChunk.objects.select_related("interview__problem", "speaker__profile").filter(pk=chunk_id).first()
    if chunk is None:
        return []
    try:
        with chunk.file.open("rb") as handle:
            audio = transcription.decode_audio(handle)
    except FileNotFoundError:
        return []  # deleted meanwhile
    except Exception:
        logger.exception("Could not decode audio chunk %s", chunk_id)
        AudioChunk.objects.filter(pk=chunk_id).update(transcript_error="The audio could not be decoded.")
        return []
    segments = transcription.transcribe(
        audio, hotwords=transcription.hotwords_for(chunk.interview.problem.expectations or {})
    )
    return _store(chunk, segments)


@transaction.atomic
def _store(chunk: AudioChunk, segments: list[transcription.Segment]) -> list[TranscriptEvent]:
    from ..selectors import event_payload

    if not AudioChunk.objects.select_for_update().filter(pk=chunk.pk).exists():
        return []
    TranscriptEvent.objects.filter(chunk_id=chunk.pk).delete()
    opening = chunk.interview.current_step if not chunk.interview.transcript.filter(kind="step").exists() else 1
    events = []
    for segment in segments:
        start = chunk.started_at + dt.timedelta(seconds=segment.start)
        end = chunk.started_at + dt.timedelta(seconds=max(segment.end, segment.start))
        events.append(
            TranscriptEvent.objects.create(
                interview_id=chunk.interview_id,
                kind=TranscriptEvent.Kind.SPEECH,
                author_id=chunk.speaker_id,
                text=segment.text[:2000],
                step=step_at(interview_id=chunk.interview_id, moment=start, default=opening),
                created_at=start,
                ends_at=end,
                chunk=chunk,
            )
        )
    AudioChunk.objects.filter(pk=chunk.pk).update(transcribed_at=timezone.now(), transcript_error="")
    for event in events:
        event.author = chunk.speaker
        room_broadcast(
            chunk.interview_id,
            {
                "type": "room.event",
                "sender": None,
                "client_id": "",
                "user": None,
                "kind": "speech",
                "event": event_payload(event),
            },
        )
    interview_id = chunk.interview_id
    transaction.on_commit(lambda: speech_transcribed.send(sender=AudioChunk, interview_id=interview_id))
    return events
