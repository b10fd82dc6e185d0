"""Writes for recording the room: consent, stopping, uploading chunks, deleting and purging audio.

Each browser records its own microphone in chunks of a few seconds, each a whole WebM/Opus file,
numbered per speaker. An upload is idempotent: the same speaker, interview and number with the
same bytes answers with the chunk already stored; different bytes under a stored number are
refused. Limits and error codes: docs/api.md, "Recording"."""

import datetime as dt
import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ApplicationError

from ..lifecycle import room_opens_at
from ..models import AudioChunk, Interview, Recording
from ..realtime import room_broadcast
from ..selectors.interviews import recording_state

# What MediaRecorder writes for audio/webm;codecs=opus (and Firefox's audio/ogg), by first bytes.
SIGNATURES = {"audio/webm": b"\x1a\x45\xdf\xa3", "audio/ogg": b"OggS"}
MAX_SEQ = 100_000
CLOCK_SKEW = dt.timedelta(minutes=2)  # how far ahead of ours a browser's clock may run


def _participant(interview: Interview, user) -> None:
    if user.pk not in (interview.interviewer_id, interview.candidate_id):
        raise ApplicationError("No such interview.", code="not_found", status=404)


def _broadcast(recording: Recording) -> None:
    room_broadcast(
        recording.interview_id,
        {
            "type": "room.event",
            "sender": None,
            "client_id": "",
            "user": None,
            "kind": "recording",
            "recording": recording_state(recording),
        },
    )


def _locked(interview: Interview) -> Recording:
    Recording.objects.get_or_create(interview_id=interview.pk)
    return Recording.objects.select_for_update().get(interview_id=interview.pk)


@transaction.atomic
def recording_consent(*, interview: Interview, user) -> Recording:
    """Record `user`'s consent; recording starts once both have consented."""
    _participant(interview, user)
    current = Interview.objects.only("status").get(pk=interview.pk)
    if current.status != Interview.Status.ACCEPTED:
        raise ApplicationError("Recording can start only while the interview is live.", code="not_live", status=409)
    recording = _locked(interview)
    if recording.deleted_at:
        raise ApplicationError(
            "The candidate deleted this interview's recording; it cannot record again.",
            code="recording_deleted",
            status=410,
        )
    now = timezone.now()
    field = "interviewer_consent_at" if user.pk == interview.interviewer_id else "candidate_consent_at"
    if getattr(recording, field) is None:
        setattr(recording, field, now)
        if recording.is_on:
            recording.on_since, recording.stopped_at, recording.stopped_by = now, None, None
        recording.save()
        _broadcast(recording)
    return recording


@transaction.atomic
def recording_stop(*, interview: Interview, user) -> Recording:
    """Either participant stops the recording (or withdraws a consent given before it started).
    Both consents are withdrawn: recording again needs both again."""
    _participant(interview, user)
    recording = _locked(interview)
    was_on = recording.is_on
    if recording.interviewer_consent_at or recording.candidate_consent_at:
        recording.interviewer_consent_at = recording.candidate_consent_at = None
        if was_on:
            recording.stopped_at, recording.stopped_by = timezone.now(), user
        recording.save()
        _broadcast(recording)
    return recording


def _recorded_while_on(recording: Recording | None, started_at: dt.datetime) -> bool:
    """Whether a chunk that began at `started_at` fell in the current or last period of recording
    (a chunk recorded just before a stop may arrive after it)."""
    if recording is None or recording.on_since is None or recording.deleted_at:
        return False
    since = recording.on_since - CLOCK_SKEW
    if recording.is_on:
        return started_at >= since
    return recording.stopped_at is not None and since <= started_at <= recording.stopped_at


def _sniff(data: bytes, content_type: str) -> str:
    base = (content_type or "").split(";")[0].strip().lower()
    if base not in SIGNATURES:
        raise ApplicationError(
            "Audio chunks must be audio/webm (Opus) or audio/ogg.", code="unsupported_type", status=415
        )
    if not data.startswith(SIGNATURES[base]):
        raise ApplicationError(f"The file is not {base} audio.", code="unsupported_type", status=415)
    return base


def recording_chunk_upload(
    *,
    interview: Interview,
    user,
    seq,
    started_at,
    duration_ms,
    upload,
    now: dt.datetime | None = None,
) -> tuple[AudioChunk, bool]:
    """Store one chunk of `user`'s microphone; return it and whether it is new. `upload` is an
    UploadedFile. Raises ApplicationError (nothing stored) for every refusal."""
    _participant(interview, user)
    now = now or timezone.now()
    interview = Interview.objects.only("status", "scheduled_at", "ended_at", "interviewer", "candidate").get(
        pk=interview.pk
    )
    if interview.status == Interview.Status.COMPLETED:
        grace = dt.timedelta(seconds=settings.RECORDING_UPLOAD_GRACE_SECONDS)
        if interview.ended_at is None or now > interview.ended_at + grace:
            raise ApplicationError(
                "This interview ended too long ago to take more audio.", code="upload_closed", status=409
            )
    elif interview.status != Interview.Status.ACCEPTED or now < room_opens_at(interview):
        raise ApplicationError("This interview is not live.", code="not_live", status=409)
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= MAX_SEQ:
        raise ApplicationError(f"seq must be a whole number from 0 to {MAX_SEQ}.", code="invalid")
    limit = settings.RECORDING_CHUNK_MAX_MS
    if isinstance(duration_ms, bool) or not isinstance(duration_ms, int) or not 1 <= duration_ms <= limit:
        raise ApplicationError(f"duration_ms must be from 1 to {limit}.", code="invalid")
    if not isinstance(started_at, dt.datetime) or timezone.is_naive(started_at):
        raise ApplicationError("started_at must be a time with a time zone.", code="invalid")
    if started_at > now + CLOCK_SKEW or started_at < room_opens_at(interview):
        raise ApplicationError("started_at is outside the interview.", code="invalid")
    if upload is None:
        raise ApplicationError("Send the audio as the file field.", code="invalid")
    if upload.size > settings.RECORDING_CHUNK_MAX_BYTES:
        raise ApplicationError(
            f"An audio chunk is limited to {settings.RECORDING_CHUNK_MAX_BYTES} bytes.", code="too_large", status=413
        )
    data = upload.read()
    if not data:
        raise ApplicationError("The audio chunk is empty.", code="invalid")
    content_type = _sniff(data, getattr(upload, "content_type", ""))
    digest = hashlib.sha256(data).hexdigest()

    existing = AudioChunk.objects.filter(interview_id=interview.pk, speaker_id=user.pk, seq=seq).first()
    if existing is not None:
        return _same_or_conflict(existing, digest), False
    recording = Recording.objects.filter(interview_id=interview.pk).first()
    if recording is not None and recording.deleted_at:
        raise ApplicationError("The candidate deleted this recording.", code="recording_deleted", status=410)
    if not _recorded_while_on(recording, started_at):
        raise ApplicationError("Recording needs both participants' consent first.", code="no_consent", status=409)
    chunk = AudioChunk(
        interview_id=interview.pk,
        speaker_id=user.pk,
        seq=seq,
        started_at=started_at,
        duration_ms=duration_ms,
        size=len(data),
        sha256=digest,
        content_type=content_type,
    )
    chunk.file.save(f"{seq}.webm", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            chunk.save()
    except IntegrityError:  # the same chunk raced in twice: keep the first, drop our file
        chunk.file.storage.delete(chunk.file.name)
        existing = AudioChunk.objects.get(interview_id=interview.pk, speaker_id=user.pk, seq=seq)
        return _same_or_conflict(existing, digest), False
    chunk_id = chunk.pk
    transaction.on_commit(lambda: _queue_transcription(chunk_id))
    return chunk, True


def _same_or_conflict(existing: AudioChunk, digest: str) -> AudioChunk:
    if existing.sha256 != digest:
        raise ApplicationError(
            f"Chunk {existing.seq} was already uploaded with other audio.", code="seq_conflict", status=409
        )
    return existing


def _queue_transcription(chunk_id: int) -> None:
    from ..tasks import transcribe_chunk

    transcribe_chunk.delay(chunk_id)


def _delete_chunks(chunks) -> int:
    """Delete the rows; the post_delete receiver (interview/signals.py) removes each file once
    its row is gone, as it does when an account or an interview is deleted."""
    count = 0
    for chunk in chunks:
        chunk.delete()
        count += 1
    return count


@transaction.atomic
def recording_delete(*, interview: Interview, user) -> Recording:
    """The candidate deletes the interview's audio (both speakers'); recording cannot start again.
    The transcript made from it stays: it is the scored record of what was said."""
    _participant(interview, user)
    if user.pk != interview.candidate_id:
        raise ApplicationError("Only the candidate can delete the recording.", code="forbidden", status=403)
    recording = _locked(interview)
    recording.interviewer_consent_at = recording.candidate_consent_at = None
    if recording.deleted_at is None:
        recording.deleted_at = timezone.now()
    recording.save()
    _delete_chunks(AudioChunk.objects.filter(interview_id=interview.pk))
    _broadcast(recording)
    return recording


def recordings_purge(*, now: dt.datetime | None = None) -> int:
    """Delete audio recorded longer ago than RECORDING_RETENTION_DAYS; return how many chunks."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.RECORDING_RETENTION_DAYS)
    return _delete_chunks(AudioChunk.objects.filter(started_at__lt=cutoff).iterator())
