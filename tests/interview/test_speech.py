"""Transcription with the real model (faster-whisper, the bundled tiny.en) of espeak-ng speech:
segments become speech events of the speaker, dated and tagged with the step of their moment."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from interview import services, transcription
from interview.models import AudioChunk, TranscriptEvent
from interview.services.speech import speech_transcribe_chunk, speech_transcribe_track
from interview.signals import speech_transcribed

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


# The whole-track pass: two chunks cut through the middle of a word, as the 6 s recorder cuts do.


@pytest.fixture(scope="module")
def cut_track(tmp_path_factory) -> tuple[bytes, bytes, float]:
    """SAID as two WebM/Opus chunks cut in the middle of "ranking" (found by the model's own word
    timestamps on the whole WAV), and the cut in seconds."""
    wav = espeak_wav(SAID, tmp_path_factory.mktemp("cut") / "said.wav")
    heard = transcription.transcribe(transcription.decode_audio(str(wav)))
    ranking = next(w for s in heard for w in s.words if "ranking" in w.text.lower())
    cut = round((ranking.start + ranking.end) / 2, 2)
    return webm_opus(wav, seconds=cut), webm_opus(wav, start=cut), cut


def _upload_cut(interview, candidate, cut_track, started):
    first, second, cut = cut_track
    for seq, data, offset in ((0, first, 0.0), (1, second, cut)):
        services.recording_chunk_upload(
            interview=interview,
            user=candidate,
            seq=seq,
            started_at=started + dt.timedelta(seconds=offset),
            duration_ms=6000,
            upload=SimpleUploadedFile(f"{seq}.webm", data, content_type="audio/webm"),
        )


def _speech():
    return list(TranscriptEvent.objects.filter(kind=TranscriptEvent.Kind.SPEECH).order_by("created_at", "id"))


@pytest.fixture
def recorded(interview, interviewer, candidate, cut_track, django_capture_on_commit_callbacks):
    """Both consent, step 2, the candidate's two chunks uploaded and transcribed one by one."""
    services.recording_consent(interview=interview, user=interviewer)
    services.recording_consent(interview=interview, user=candidate)
    services.interview_set_step(interview=interview, user=interviewer, step=2)
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _upload_cut(interview, candidate, cut_track, started)
    return started


def test_the_whole_track_hears_the_word_across_the_cut_and_replaces_the_chunk_segments(
    interview, interviewer, candidate, cut_track, recorded, django_capture_on_commit_callbacks, settings
):
    settings.SPEECH_WHOLE_TRACK = True
    cut_moment = recorded + dt.timedelta(seconds=cut_track[2])
    chunk_segments = _speech()
    assert chunk_segments and all(s.ends_at <= cut_moment or s.created_at >= cut_moment for s in chunk_segments)
    finder_runs = []
    speech_transcribed.connect(lambda **kw: finder_runs.append(kw["interview_id"]), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):  # the end queues the pass (eager here)
            services.interview_end(interview=interview, user=interviewer)
    finally:
        speech_transcribed.disconnect(dispatch_uid="t")
    segments = _speech()
    text = " ".join(s.text for s in segments).lower()
    assert text.count("ranking") == 1 and text.count("feature store") == 1, text  # replaced, not added to
    assert "results" in text
    assert any(s.created_at < cut_moment < s.ends_at for s in segments), "no segment spans the cut"
    assert not {s.pk for s in chunk_segments} & {s.pk for s in segments}
    chunks = {c.seq: c for c in AudioChunk.objects.all()}
    for segment in segments:
        assert segment.author == candidate and segment.step == 2
        assert recorded <= segment.created_at < segment.ends_at <= recorded + dt.timedelta(seconds=8)
        # cited with the chunk its first word was said in
        expected = chunks[0] if segment.created_at < cut_moment else chunks[1]
        assert segment.chunk == expected
    assert finder_runs == [interview.pk]  # the evidence finder reads the new segments

    # Again: these segments are replaced, not added to; the spoken sentence comes back at the same
    # moment (a murmur after it may be worded or timed differently by the decoder's fallback).
    again = speech_transcribe_track(interview_id=interview.pk, speaker_id=candidate.pk)
    assert [s.pk for s in _speech()] == [s.pk for s in again] and not {s.pk for s in segments} & {s.pk for s in again}

    def sentence(events):
        return next((e.text, e.created_at, e.ends_at) for e in events if "ranking" in e.text.lower())

    assert sentence(again) == sentence(segments)


def test_a_failed_whole_track_pass_leaves_the_chunk_segments(interview, candidate, recorded, monkeypatch):
    before = [(s.pk, s.text) for s in _speech()]
    assert before

    def broken(*args, **kwargs):
        raise RuntimeError("model crashed")

    monkeypatch.setattr(transcription, "transcribe", broken)
    assert speech_transcribe_track(interview_id=interview.pk, speaker_id=candidate.pk) is None
    assert [(s.pk, s.text) for s in _speech()] == before


def test_a_chunk_arriving_during_the_pass_keeps_the_pass_from_storing(interview, candidate, recorded, monkeypatch):
    """The late chunk's own task queues the pass again; the stale one stores nothing."""
    before = [(s.pk, s.text) for s in _speech()]
    real = transcription.transcribe

    def with_a_late_chunk(audio, **kwargs):
        chunk = AudioChunk.objects.first()
        AudioChunk.objects.create(
            interview=interview,
            speaker=candidate,
            seq=2,
            started_at=recorded + dt.timedelta(seconds=10),
            duration_ms=1000,
            file=chunk.file.name,
            size=chunk.size,
            sha256="0" * 64,
            content_type="audio/webm",
        )
        return real(audio, **kwargs)

    monkeypatch.setattr(transcription, "transcribe", with_a_late_chunk)
    assert speech_transcribe_track(interview_id=interview.pk, speaker_id=candidate.pk) is None
    assert [(s.pk, s.text) for s in _speech()] == before


def test_the_whole_track_pass_can_be_turned_off(
    interview, interviewer, recorded, django_capture_on_commit_callbacks, settings
):
    settings.SPEECH_WHOLE_TRACK = False
    before = [(s.pk, s.text) for s in _speech()]
    with django_capture_on_commit_callbacks(execute=True):
        services.interview_end(interview=interview, user=interviewer)
    assert [(s.pk, s.text) for s in _speech()] == before
