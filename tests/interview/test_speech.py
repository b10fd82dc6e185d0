"""Transcription with the real model (faster-whisper, the bundled tiny.en) of espeak-ng speech:
segments become speech events of the speaker, dated and tagged with the step of their moment."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from interview import services, transcription
from interview.models import TranscriptEvent
from interview.services.speech import speech_transcribe_chunk

from ..audio import espeak_wav, webm_opus

pytestmark = pytest.mark.django_db

SAID = "We keep the features in a feature store, and a ranking model orders the results."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> bytes:
    return webm_opus(espeak_wav(SAID, tmp_path_factory.mktemp("speech") / "said.wav"))


def test_hotwords_come_from_the_problems_components_and_metrics(problem):
    words = transcription.hotwords_for(problem.expectations)
    assert "feature store" in words and "ndcg" in words
    assert len(words) <= transcription.MAX_HOTWORDS_CHARS
    assert transcription.hotwords_for({}) == ""


def test_a_chunk_becomes_speech_segments_of_its_speaker(
    interview, interviewer, candidate, spoken, django_capture_on_commit_callbacks
):
    services.recording_consent(interview=interview, user=interviewer)
    services.recording_consent(interview=interview, user=candidate)
    services.interview_set_step(interview=interview, user=interviewer, step=2)
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):  # the upload queues the task on commit (eager here)
        chunk, _ = services.recording_chunk_upload(
            interview=interview,
            user=candidate,
            seq=0,
            started_at=started,
            duration_ms=6000,
            upload=SimpleUploadedFile("0.webm", spoken, content_type="audio/webm"),
        )
    segments = list(TranscriptEvent.objects.filter(interview=interview, kind=TranscriptEvent.Kind.SPEECH))
    assert segments, "nothing was transcribed"
    text = " ".join(s.text for s in segments).lower()
    assert "feature store" in text and "ranking" in text
    for segment in segments:
        assert segment.author == candidate and segment.chunk == chunk and segment.step == 2
        assert started <= segment.created_at < segment.ends_at <= started + dt.timedelta(seconds=8)
    chunk.refresh_from_db()
    assert chunk.transcribed_at is not None
    # Running it again replaces the segments instead of adding to them.
    assert len(speech_transcribe_chunk(chunk_id=chunk.pk)) == len(segments)
    assert TranscriptEvent.objects.filter(kind=TranscriptEvent.Kind.SPEECH).count() == len(segments)


def test_undecodable_audio_is_recorded_as_an_error(interview, interviewer, candidate):
    services.recording_consent(interview=interview, user=interviewer)
    services.recording_consent(interview=interview, user=candidate)
    chunk, _ = services.recording_chunk_upload(
        interview=interview,
        user=candidate,
        seq=0,
        started_at=timezone.now(),
        duration_ms=5000,
        upload=SimpleUploadedFile("0.webm", b"\x1a\x45\xdf\xa3 not really webm", content_type="audio/webm"),
    )
    assert speech_transcribe_chunk(chunk_id=chunk.pk) == []
    chunk.refresh_from_db()
    assert chunk.transcript_error and not TranscriptEvent.objects.filter(kind="speech").exists()
