"""Speech in the review: the timeline shows each speaker's segments, the evidence finder quotes
what the candidate said (naming them and the moment), the audio plays for the two participants
and, only when the candidate chose it, for a share link's holder; exports carry the words only."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from interview import services
from interview.models import TranscriptEvent
from interview.selectors import public_name
from review.models import Evidence
from review.selectors.visibility import review_visibility
from review.services.evidence import evidence_report_run
from review.services.sharing import review_share_create

from ..audio import espeak_wav, webm_opus

pytestmark = pytest.mark.django_db

SAID = "I would keep the features in a feature store and train a ranking model on clicks."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("interview.services.recording._queue_transcription", lambda chunk_id: None)


@pytest.fixture(scope="module")
def webm(tmp_path_factory) -> bytes:
    return webm_opus(espeak_wav("Hello.", tmp_path_factory.mktemp("a") / "hello.wav"))


@pytest.fixture
def spoken(interview, interviewer, candidate, webm):
    """Both consented; one chunk each; their transcribed segments (as the task stores them); ended."""
    services.recording_consent(interview=interview, user=interviewer)
    services.recording_consent(interview=interview, user=candidate)
    started = timezone.now()
    chunks = {}
    for user, text in ((interviewer, "How would you rank the results?"), (candidate, SAID)):
        chunk, _ = services.recording_chunk_upload(
            interview=interview,
            user=user,
            seq=0,
            started_at=started,
            duration_ms=5000,
            upload=SimpleUploadedFile("0.webm", webm, content_type="audio/webm"),
        )
        chunks[user.pk] = chunk
        TranscriptEvent.objects.create(
            interview=interview,
            kind=TranscriptEvent.Kind.SPEECH,
            author=user,
            text=text,
            step=1,
            created_at=started + dt.timedelta(seconds=1 if user == interviewer else 3),
            ends_at=started + dt.timedelta(seconds=3 if user == interviewer else 6),
            chunk=chunk,
        )
        started += dt.timedelta(seconds=6)
    services.interview_end(interview=interview, user=interviewer)
    evidence_report_run(interview_id=interview.pk)
    interview.refresh_from_db()
    return chunks


def test_the_finder_quotes_the_candidates_speech(interview, candidate, spoken):
    said = TranscriptEvent.objects.get(kind="speech", author=candidate)
    quotes = Evidence.objects.filter(report__interview=interview, transcript_event_id=said.pk)
    assert quotes.filter(verdict="found").exists()
    assert {q.concept for q in quotes} & {"feature store", "ranking"}
    # The interviewer's words are not the candidate's evidence.
    asked = TranscriptEvent.objects.get(kind="speech", author=interview.interviewer)
    assert not Evidence.objects.filter(transcript_event_id=asked.pk).exists()


def test_the_review_shows_both_speakers_and_plays_their_audio(client_for, interview, interviewer, candidate, spoken):
    page = client_for(interviewer).get(f"/interviews/{interview.pk}/review/")
    html = page.content.decode()
    assert "kind-speech" in html and SAID in html and "How would you rank the results?" in html
    name = public_name(type(candidate).objects.select_related("profile").get(pk=candidate.pk))
    assert f"{name} said</span> <q>{SAID}</q>" in html  # the quote names its speaker
    audio = page.context["replay_config"]["audio"]["chunks"]
    assert {c["speaker"]["role"] for c in audio} == {"interviewer", "candidate"}
    for chunk in audio:
        assert chunk["url"].startswith(f"/interviews/{interview.pk}/audio/")
        assert client_for(candidate).get(chunk["url"]).status_code == 200


def test_a_share_carries_the_audio_only_when_the_candidate_chose_it(client, interview, candidate, spoken):
    chunk_id = spoken[candidate.pk].pk
    plain = review_share_create(interview=interview, user=candidate)
    page = client.get(f"/shared/{plain.token}/")
    assert SAID in page.content.decode()  # the transcript is shared
    assert page.context["replay_config"]["audio"] is None
    assert client.get(f"/shared/{plain.token}/audio/{chunk_id}.webm").status_code == 404
    assert not review_visibility(interview=interview, audience="shared", share=plain).audio

    with_audio = review_share_create(interview=interview, user=candidate, share_audio=True)
    page = client.get(f"/shared/{with_audio.token}/")
    urls = [c["url"] for c in page.context["replay_config"]["audio"]["chunks"]]
    assert f"/shared/{with_audio.token}/audio/{chunk_id}.webm" in urls
    assert client.get(f"/shared/{with_audio.token}/audio/{chunk_id}.webm").status_code == 200


def test_the_share_form_sets_the_audio_flag(client_for, interview, candidate, spoken):
    client_for(candidate).post(f"/interviews/{interview.pk}/shares/", {"label": "mentor", "share_audio": "on"})
    client_for(candidate).post(f"/interviews/{interview.pk}/shares/", {"label": "friend"})
    assert dict(interview.review_shares.values_list("label", "share_audio")) == {"mentor": True, "friend": False}


def test_exports_carry_the_transcript_and_never_the_audio(client_for, interview, candidate, spoken):
    markdown = client_for(candidate).get(f"/interviews/{interview.pk}/export.md").content.decode()
    assert SAID in markdown and "(said)" in markdown
    assert "/audio/" not in markdown and ".webm" not in markdown
