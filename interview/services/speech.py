"""Writes for speech: turn one recorded chunk into transcript segments.

Each segment becomes a `speech` transcript event by the chunk's speaker, dated at the moment it
was said (the chunk's start plus the segment's offset), tagged with the step that was current
then, and shown in the room as it arrives. Running it again replaces the chunk's segments.

Chunks are cut every few seconds with no overlap, so a word said across a cut is lost or garbled
in both halves. Once the interview has ended (and again after each chunk transcribed after the
end), `speech_transcribe_track` decodes all of one speaker's chunks in order, joins them into one
track (silence where the speaker's recorder was not running) and transcribes it in one pass; its
segments replace that speaker's chunk segments in one transaction. A failure leaves the chunk
segments as they were."""

import datetime as dt
import functools
import logging

import numpy as np
from django.conf import settings
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
    events = _store(chunk, segments)
    if settings.SPEECH_WHOLE_TRACK and chunk.interview.status == chunk.interview.Status.COMPLETED:
        # a chunk transcribed after the end (late, or retried): the whole track again, with it in
        transaction.on_commit(lambda: _queue_track(chunk.interview_id, chunk.speaker_id))
    return events


def _queue_track(interview_id: int, speaker_id: int) -> None:
    from ..tasks import transcribe_track

    transcribe_track.delay(interview_id, speaker_id)


def speech_queue_tracks(*, interview_id: int) -> None:
    """On commit, queue the whole-track pass of each speaker who recorded in the interview
    (unless SPEECH_WHOLE_TRACK is off)."""
    if not settings.SPEECH_WHOLE_TRACK:
        return
    speakers = set(AudioChunk.objects.filter(interview_id=interview_id).values_list("speaker_id", flat=True))
    for speaker_id in sorted(speakers):
        transaction.on_commit(functools.partial(_queue_track, interview_id, speaker_id))


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


# Silence put between two chunks is capped: the times come back through each chunk's own start
# (see `_TrackMap`), so a long pause in recording need not become minutes of samples.
MAX_GAP_SECONDS = 2.0


class _TrackMap:
    """Where each chunk sits in the joined track, to turn a time in the track back into a moment."""

    def __init__(self) -> None:
        self.offsets: list[tuple[float, AudioChunk]] = []  # (seconds into the track, chunk), ascending

    def locate(self, seconds: float) -> tuple[dt.datetime, AudioChunk]:
        offset, chunk = self.offsets[0]
        for candidate_offset, candidate in self.offsets:
            if candidate_offset > seconds:
                break
            offset, chunk = candidate_offset, candidate
        return chunk.started_at + dt.timedelta(seconds=max(0.0, seconds - offset)), chunk


def speech_track_audio(chunks: list[AudioChunk]) -> tuple[np.ndarray, _TrackMap]:
    """One speaker's chunks decoded in order and joined, with silence for the gaps between them
    (from their start times, at most MAX_GAP_SECONDS). An undecodable or missing chunk is left out."""
    pieces, kept = [], []
    for chunk in chunks:
        try:
            with chunk.file.open("rb") as handle:
                audio = transcription.decode_audio(handle)
        except Exception:
            logger.warning("Audio chunk %s left out of its speaker's track: it could not be read", chunk.pk)
            continue
        pieces.append(((chunk.started_at - chunks[0].started_at).total_seconds(), audio))
        kept.append(chunk)
    audio, offsets = transcription.join_track(pieces, max_gap=MAX_GAP_SECONDS)
    track = _TrackMap()
    track.offsets = list(zip(offsets, kept, strict=True))
    return audio, track


def speech_transcribe_track(*, interview_id: int, speaker_id: int) -> list[TranscriptEvent] | None:
    """Transcribe `speaker_id`'s whole track in one pass and put its segments in place of their
    chunk segments. Returns the new segments, or None when nothing was replaced (no chunks, a
    failure, or a chunk arrived meanwhile: its own task queues this again)."""
    chunks = list(
        AudioChunk.objects.filter(interview_id=interview_id, speaker_id=speaker_id)
        .select_related("interview__problem", "speaker")
        .order_by("started_at", "seq")
    )
    if not chunks:
        return None
    interview = chunks[0].interview
    try:
        audio, track = speech_track_audio(chunks)
        if not track.offsets:
            return None
        segments = transcription.transcribe(
            audio, hotwords=transcription.hotwords_for(interview.problem.expectations or {})
        )
    except Exception:
        logger.exception("Whole-track transcription failed (interview %s, speaker %s)", interview_id, speaker_id)
        return None
    return _store_track(interview, speaker_id, {c.pk for c in chunks}, track, segments)


@transaction.atomic
def _store_track(
    interview, speaker_id: int, chunk_ids: set[int], track: _TrackMap, segments: list[transcription.Segment]
) -> list[TranscriptEvent] | None:
    current = set(
        AudioChunk.objects.select_for_update()
        .filter(interview_id=interview.pk, speaker_id=speaker_id)
        .values_list("pk", flat=True)
    )
    if current != chunk_ids:
        return None  # a chunk came or went meanwhile; the pass it queued (or deletion) wins
    TranscriptEvent.objects.filter(
        interview_id=interview.pk, kind=TranscriptEvent.Kind.SPEECH, chunk_id__in=chunk_ids
    ).delete()
    opening = interview.current_step if not interview.transcript.filter(kind="step").exists() else 1
    events = []
    for segment in segments:
        start, chunk = track.locate(segment.start)
        end, _ = track.locate(max(segment.end, segment.start))
        events.append(
            TranscriptEvent(
                interview_id=interview.pk,
                kind=TranscriptEvent.Kind.SPEECH,
                author_id=speaker_id,
                text=segment.text[:2000],
                step=step_at(interview_id=interview.pk, moment=start, default=opening),
                created_at=start,
                ends_at=max(end, start),
                chunk=chunk,
            )
        )
    TranscriptEvent.objects.bulk_create(events)
    interview_id = interview.pk
    transaction.on_commit(lambda: speech_transcribed.send(sender=AudioChunk, interview_id=interview_id))
    return events
