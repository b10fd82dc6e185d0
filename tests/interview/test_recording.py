"""Recording: consent, chunk uploads (idempotent, retried, refused when they should be), audio
served only to the participants, and deletion (by the candidate, by retention, with the account)."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from core.errors import ApplicationError
from interview import services
from interview.models import AudioChunk, Recording
from interview.selectors import room_state_for

from ..audio import espeak_wav, webm_opus

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def webm(tmp_path_factory) -> bytes:
    wav = espeak_wav("Hello there.", tmp_path_factory.mktemp("audio") / "hello.wav")
    return webm_opus(wav)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _no_transcription(monkeypatch):
    """These tests are about storage; transcription has tests of its own (test_speech.py)."""
    calls = []
    monkeypatch.setattr("interview.services.recording._queue_transcription", calls.append)
    return calls


@pytest.fixture
def recording_on(interview, interviewer, candidate):
    services.recording_consent(interview=interview, user=interviewer)
    services.recording_consent(interview=interview, user=candidate)
    return Recording.objects.get(interview=interview)


def url(interview):
    return f"/api/interviews/{interview.pk}/recording/chunks/"


def body(data: bytes, seq=0, started_at=None, duration_ms=5000, content_type="audio/webm;codecs=opus"):
    return {
        "seq": seq,
        "started_at": (started_at or timezone.now()).isoformat(),
        "duration_ms": duration_ms,
        "file": SimpleUploadedFile(f"{seq}.webm", data, content_type=content_type),
    }


def files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_consent_of_both_turns_recording_on_and_either_stops_it(interview, interviewer, candidate):
    state = room_state_for(interview=interview, user=candidate)["recording"]
    assert state["state"] == "off" and state["next_seq"] == 0
    services.recording_consent(interview=interview, user=interviewer)
    assert room_state_for(interview=interview, user=candidate)["recording"]["state"] == "asked"
    services.recording_consent(interview=interview, user=candidate)
    assert room_state_for(interview=interview, user=candidate)["recording"]["state"] == "on"
    services.recording_stop(interview=interview, user=candidate)
    recording = Recording.objects.get(interview=interview)
    assert not recording.is_on and recording.stopped_by == candidate
    assert room_state_for(interview=interview, user=interviewer)["recording"]["state"] == "off"


def test_upload_is_idempotent_and_a_retry_makes_no_duplicate(
    api_for, interview, candidate, recording_on, webm, _media, _no_transcription, django_capture_on_commit_callbacks
):
    api = api_for(candidate)
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(url(interview), body(webm, seq=0, started_at=started), format="multipart")
    assert first.status_code == 201, first.content
    assert first.json()["duplicate"] is False
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(url(interview), body(webm, seq=0, started_at=started), format="multipart")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["id"] == first.json()["id"]
    assert AudioChunk.objects.filter(interview=interview).count() == 1
    assert len(files(_media)) == 1
    assert _no_transcription == [first.json()["id"]]  # transcribed once
    # Other bytes under a stored number are refused, not swapped in.
    conflict = api.post(url(interview), body(webm + b"x", seq=0, started_at=started), format="multipart")
    assert conflict.status_code == 409 and conflict.json()["code"] == "seq_conflict"
    assert AudioChunk.objects.get(interview=interview).size == len(webm)


def test_a_chunk_lost_in_flight_is_resent_after_later_ones(api_for, interview, candidate, recording_on, webm):
    """The browser keeps unsent chunks and sends them again: a gap fills in, in any order."""
    api = api_for(candidate)
    t0 = timezone.now()
    for seq in (0, 2):  # chunk 1 was lost when the network dropped
        assert (
            api.post(url(interview), body(webm, seq=seq, started_at=t0 + dt.timedelta(seconds=5 * seq))).status_code
            == 201
        )
    assert room_state_for(interview=interview, user=candidate)["recording"]["next_seq"] == 3
    resent = api.post(url(interview), body(webm, seq=1, started_at=t0 + dt.timedelta(seconds=5)))
    assert resent.status_code == 201
    assert list(AudioChunk.objects.filter(speaker=candidate).values_list("seq", flat=True)) == [0, 1, 2]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"content_type": "video/mp4"}, 415, "unsupported_type"),
        ({"data": b"RIFF....WAVEfmt "}, 415, "unsupported_type"),
        ({"data": b"\x1a\x45\xdf\xa3" + b"\0" * (64 * 1024)}, 413, "too_large"),
        ({"seq": -1}, 400, "invalid"),
        ({"duration_ms": 60_000}, 400, "invalid"),
        ({"started_at": "tomorrow"}, 400, "invalid"),
    ],
)
def test_bad_uploads_are_refused_and_store_nothing(
    api_for, interview, candidate, recording_on, webm, settings, _media, change, status, code
):
    settings.RECORDING_CHUNK_MAX_BYTES = 64 * 1024
    data = change.pop("data", webm)
    payload = body(data, content_type=change.pop("content_type", "audio/webm"))
    payload.update(change)
    response = api_for(candidate).post(url(interview), payload, format="multipart")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not AudioChunk.objects.exists() and files(_media) == []


def test_no_upload_without_both_consents(api_for, interview, interviewer, candidate, webm):
    services.recording_consent(interview=interview, user=interviewer)
    response = api_for(interviewer).post(url(interview), body(webm))
    assert response.status_code == 409 and response.json()["code"] == "no_consent"
    assert not AudioChunk.objects.exists()


def test_a_chunk_recorded_before_a_stop_is_still_taken(api_for, interview, candidate, recording_on, webm):
    before_stop = timezone.now()
    services.recording_stop(interview=interview, user=candidate)
    assert api_for(candidate).post(url(interview), body(webm, started_at=before_stop)).status_code == 201
    late = api_for(candidate).post(url(interview), body(webm, seq=1, started_at=timezone.now()))
    assert late.status_code == 409 and late.json()["code"] == "no_consent"


def test_uploads_close_after_the_end_and_its_grace_period(
    api_for, interview, interviewer, candidate, recording_on, webm, settings
):
    started = timezone.now()
    services.interview_end(interview=interview, user=interviewer)
    # Within the grace period a browser catching up after a drop still delivers.
    assert api_for(candidate).post(url(interview), body(webm, started_at=started)).status_code == 201
    settings.RECORDING_UPLOAD_GRACE_SECONDS = 0
    closed = api_for(candidate).post(url(interview), body(webm, seq=1, started_at=started))
    assert closed.status_code == 409 and closed.json()["code"] == "upload_closed"


def test_outsiders_are_refused(api_for, client_for, interview, candidate, outsider, recording_on, webm):
    chunk, _ = services.recording_chunk_upload(
        interview=interview,
        user=candidate,
        seq=0,
        started_at=timezone.now(),
        duration_ms=5000,
        upload=SimpleUploadedFile("0.webm", webm, content_type="audio/webm"),
    )
    for user, status in ((outsider, 404), (None, 403)):
        assert api_for(user).post(url(interview), body(webm, seq=1)).status_code == status
        assert api_for(user).post(f"/api/interviews/{interview.pk}/recording/").status_code == status
        assert api_for(user).delete(f"/api/interviews/{interview.pk}/recording/").status_code == status
    assert client_for(outsider).get(f"/interviews/{interview.pk}/audio/{chunk.pk}.webm").status_code == 404
    assert client_for(None).get(f"/interviews/{interview.pk}/audio/{chunk.pk}.webm").status_code == 302  # log in
    assert AudioChunk.objects.count() == 1
    with pytest.raises(ApplicationError) as refused:
        services.recording_consent(interview=interview, user=outsider)
    assert refused.value.status == 404


def test_participants_hear_the_audio_from_a_private_view(
    client_for, interview, interviewer, candidate, recording_on, webm
):
    chunk, _ = services.recording_chunk_upload(
        interview=interview,
        user=candidate,
        seq=0,
        started_at=timezone.now(),
        duration_ms=5000,
        upload=SimpleUploadedFile("0.webm", webm, content_type="audio/webm"),
    )
    response = client_for(interviewer).get(f"/interviews/{interview.pk}/audio/{chunk.pk}.webm")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/webm" and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == webm
    assert client_for(candidate).get(f"/media/{chunk.file.name}").status_code == 404  # no public path


def _stored(interview, user, webm, seq=0, started_at=None):
    return services.recording_chunk_upload(
        interview=interview,
        user=user,
        seq=seq,
        started_at=started_at or timezone.now(),
        duration_ms=5000,
        upload=SimpleUploadedFile("x.webm", webm, content_type="audio/webm"),
    )[0]


def test_the_candidate_deletes_the_recording_and_its_files(
    api_for, interview, interviewer, candidate, recording_on, webm, _media, django_capture_on_commit_callbacks
):
    _stored(interview, candidate, webm)
    _stored(interview, interviewer, webm)
    assert len(files(_media)) == 2
    refused = api_for(interviewer).delete(f"/api/interviews/{interview.pk}/recording/")
    assert refused.status_code == 403 and len(files(_media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert api_for(candidate).delete(f"/api/interviews/{interview.pk}/recording/").status_code == 204
    assert not AudioChunk.objects.exists() and files(_media) == []
    again = api_for(candidate).post(f"/api/interviews/{interview.pk}/recording/")
    assert again.status_code == 410 and again.json()["code"] == "recording_deleted"


def test_retention_deletes_old_audio(
    interview, candidate, recording_on, webm, _media, settings, django_capture_on_commit_callbacks
):
    old = _stored(interview, candidate, webm, seq=0)
    AudioChunk.objects.filter(pk=old.pk).update(started_at=timezone.now() - dt.timedelta(days=40))
    _stored(interview, candidate, webm, seq=1)
    settings.RECORDING_RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_recordings")
    assert list(AudioChunk.objects.values_list("seq", flat=True)) == [1]
    assert len(files(_media)) == 1


def test_deleting_an_account_deletes_its_audio(
    interview, interviewer, candidate, recording_on, webm, _media, django_capture_on_commit_callbacks
):
    _stored(interview, candidate, webm)
    assert len(files(_media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        candidate.delete()
    assert not AudioChunk.objects.exists() and files(_media) == []
