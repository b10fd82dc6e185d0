"""Speech end to end: two browsers whose fake microphones play two different espeak-ng sentences,
both consent to recording, talk, and the interviewer ends the interview. The review then shows
each speaker's transcribed segments with the domain words, the evidence finder quotes what the
candidate said, and the recording is there to play with the board.

Chromium takes one fake-microphone file per browser process, so each person has a browser of their
own. Transcription runs in the upload request (Celery is eager in tests) with the bundled tiny.en."""

import datetime as dt
import subprocess
import time

import pytest
from django.urls import reverse

from interview.models import AudioChunk, TranscriptEvent

from ..audio import espeak_wav
from .conftest import CHROMIUM, CHROMIUM_ARGS
from .test_room import both_in_room

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

SAYS = {
    "interviewer": "How would you order the results for each user?",
    "candidate": "I would keep the features in a feature store and train a ranking model.",
}


def wav_with_pause(text, path):
    """The sentence, then a second of silence (Chromium plays the file in a loop)."""
    spoken = espeak_wav(text, path.with_suffix(".raw.wav"), speed=140)
    subprocess.run(["sox", str(spoken), str(path), "pad", "0.3", "1.0"], check=True)
    return path


@pytest.fixture
def speaking_browsers(browser, tmp_path):
    launched = {}
    for role, text in SAYS.items():
        wav = wav_with_pause(text, tmp_path / f"{role}.wav")
        launched[role] = browser.browser_type.launch(
            executable_path=str(CHROMIUM),
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}",
                "--autoplay-policy=no-user-gesture-required",
            ],
            headless=True,
        )
    yield launched
    for chromium in launched.values():
        chromium.close()


def wait_for(condition, *, timeout=40.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"Timed out waiting for {what}")


def test_both_consent_talk_and_the_review_holds_what_each_said(
    live_asgi_server, speaking_browsers, interview, interviewer, candidate, password, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Celery is eager here, so the whole-track pass would run inside the End request; it is tested
    # in tests/interview/test_speech.py. This test reads the chunk segments the room shows.
    settings.SPEECH_WHOLE_TRACK = False
    base = live_asgi_server

    def page_for(role):
        context = speaking_browsers[role].new_context(viewport={"width": 1366, "height": 800})
        context.set_default_timeout(20_000)
        return context.new_page()

    iv, cand = both_in_room(base, interview, interviewer, candidate, password, page_for=page_for)

    # Nothing is recorded until both agree; then both see the badge.
    cand.get_by_role("button", name="Ask to record").click()
    iv.get_by_role("button", name="Agree and start recording").click()
    for page in (iv, cand):
        page.get_by_test_id("recording-badge").wait_for()

    def heard(user, *words):
        text = " ".join(
            TranscriptEvent.objects.filter(interview=interview, kind="speech", author=user).values_list(
                "text", flat=True
            )
        ).lower()
        return all(word in text for word in words)

    wait_for(lambda: heard(candidate, "feature store", "ranking"), what="the candidate's words")
    wait_for(lambda: heard(interviewer, "results"), what="the interviewer's words")
    # Segments reach the room as they are transcribed.
    cand.wait_for_function(
        "() => window.mocklane.room.getState().transcript"
        ".some(e => e.kind === 'speech' && /feature store/i.test(e.text))"
    )

    iv.once("dialog", lambda dialog: dialog.accept())
    with iv.expect_navigation():
        iv.get_by_role("button", name="End", exact=True).click()

    iv.goto(base + reverse("interview_review", args=[interview.pk]))
    timeline = iv.locator("[data-timeline]")
    spoken = timeline.locator("li.kind-speech")
    spoken.first.wait_for()
    names = {n.strip().rstrip(":") for n in timeline.locator("li.kind-speech b.speaker").all_inner_texts()}
    assert len(names) == 2, names  # both speakers' segments
    text = " ".join(spoken.all_inner_texts()).lower()
    assert "feature store" in text and "ranking" in text
    # The evidence finder cites a spoken quote, naming who said it.
    quote = iv.locator(".evidence .evidence-speaker", has_text="said").first
    quote.wait_for()
    # The recording is on the page, for both speakers, from our own origin.
    iv.wait_for_function("() => window.mocklaneAudio && window.mocklaneAudio.speakers().length === 2")
    assert AudioChunk.objects.filter(interview=interview).values("speaker").distinct().count() == 2

    # Clicking a spoken line moves the audio to it: each speaker's element plays the chunk covering
    # the line's moment, from the line's offset into that chunk; a later line moves it on.
    def seek_audio_to(line) -> list[float]:
        line.click()
        at = dt.datetime.fromisoformat(line.get_attribute("data-at"))
        iv.wait_for_function("() => window.mocklaneAudio.speakers().some(s => s.chunk !== '')")
        times = []
        for state in iv.evaluate("() => window.mocklaneAudio.speakers()"):
            if state["chunk"]:
                expected = (at - AudioChunk.objects.get(pk=int(state["chunk"])).started_at).total_seconds()
                assert abs(state["currentTime"] - expected) < 0.5, (state, expected)
                times.append(state["currentTime"])
        return times

    first_times = seek_audio_to(spoken.first)
    assert seek_audio_to(spoken.last) != first_times
