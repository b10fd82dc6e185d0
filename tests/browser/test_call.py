"""Two people talk in the room: a peer-to-peer WebRTC call signalled over the room socket.

Chromium's fake media stands in for the microphones: each side "speaks" a tone from a WAV file
the test writes. Loopback-only ICE needs --allow-loopback-in-peer-connection; no STUN or TURN
server is involved on one machine.
"""

import math
import struct
import wave

import pytest
from django.urls import reverse

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .test_room import both_in_room, log_in, open_room

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

CONNECTED = "() => window.mocklane?.call?.getState().phase === 'connected'"
HEARS = "async () => ((await window.mocklane.call.stats()).inboundAudioLevel || 0) > 0.01"
SILENT = "async () => ((await window.mocklane.call.stats()).inboundAudioLevel ?? 1) < 0.001"


def tone_wav(path, *, seconds=4, rate=48000, frequency=440.0):
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = (
            struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * n / rate))) for n in range(seconds * rate)
        )
        out.writeframes(b"".join(frames))


@pytest.fixture
def media_browser(browser, tmp_path):
    wav = tmp_path / "voice.wav"
    tone_wav(wav)
    fake_media = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
        "--allow-loopback-in-peer-connection",
        "--autoplay-policy=no-user-gesture-required",
    ]
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, *fake_media],
        headless=True,
    )
    yield chromium
    chromium.close()


def audio_keeps_coming(page):
    """Inbound audio bytes grow by at least 2 KB from now (about a quarter of a second of Opus)."""
    start = page.evaluate("async () => (await window.mocklane.call.stats()).inboundAudioBytes")
    page.wait_for_function(
        "async (start) => (await window.mocklane.call.stats()).inboundAudioBytes > start + 2000", arg=start
    )


def test_two_participants_talk_mute_reload_and_hang_up_when_the_interview_ends(
    live_asgi_server, media_browser, interview, interviewer, candidate, password
):
    base = live_asgi_server

    def page_for(role):
        context = media_browser.new_context(viewport={"width": 1366, "height": 768})
        context.set_default_timeout(20_000)
        return context.new_page()

    iv, cand = both_in_room(base, interview, interviewer, candidate, password, page_for=page_for)

    # Both join with the microphone (a labelled button), and connect; audio flows both ways.
    for page in (iv, cand):
        page.get_by_role("button", name="Join the call with your microphone").click()
    for page in (iv, cand):
        page.wait_for_function(CONNECTED)
        page.get_by_role("region", name="Call").get_by_role("status").filter(has_text="Connected").wait_for()
        audio_keeps_coming(page)

    # Each side sees the other speaking (the tone never stops).
    iv.get_by_text("Cal Candidate is speaking").wait_for()
    cand.get_by_text("Ivy Interviewer is speaking").wait_for()

    # Muting the candidate silences what the interviewer hears; unmuting brings it back.
    iv.wait_for_function(HEARS)
    cand.get_by_role("button", name="Mute").click()
    iv.wait_for_function(SILENT)
    cand.get_by_text("You are muted").wait_for()  # the candidate keeps "speaking" (the tone)
    cand.get_by_role("button", name="Unmute").click()
    iv.wait_for_function(HEARS)

    # The interviewer turns the camera on: the candidate sees it; off again: it goes away.
    iv.get_by_role("button", name="Camera on").click()
    cand.wait_for_function("() => window.mocklane.call.getState().remoteVideo === true")
    cand.get_by_label("Your peer's camera").wait_for()
    iv.get_by_label("Your camera").wait_for()
    iv.get_by_role("button", name="Camera off").click()
    cand.wait_for_function("() => window.mocklane.call.getState().remoteVideo === false")

    # An ICE restart (what the call does by itself when the connection drops) renegotiates new
    # ICE credentials through the server, and the audio keeps flowing.
    ufrag = "() => window.mocklane.call.pc.remoteDescription.sdp.match(/a=ice-ufrag:(\\S+)/)[1]"
    before = cand.evaluate(ufrag)
    cand.evaluate("() => window.mocklane.call._restart()")  # the polite side asks, the other restarts
    cand.wait_for_function(f"() => ({ufrag})() !== {before!r}")
    for page in (iv, cand):
        page.wait_for_function(CONNECTED)
        audio_keeps_coming(page)

    # A reload rejoins by itself, and audio flows both ways again.
    cand.reload()
    for page in (cand, iv):
        page.wait_for_function(CONNECTED)
        audio_keeps_coming(page)

    # Ending the interview hangs up both: the candidate's call is over before the page moves on.
    cand.evaluate(
        """() => window.mocklane.room.subscribe(() => {
             if (window.mocklane.room.getState().ended)
               sessionStorage.setItem("phase-at-end", window.mocklane.call.getState().phase);
           })"""
    )
    iv.once("dialog", lambda dialog: dialog.accept())
    with iv.expect_navigation():
        iv.get_by_role("button", name="End", exact=True).click()
    assert reverse("interview_scorecard", args=[interview.pk]) in iv.url
    cand.wait_for_url(f"**{reverse('interview_review', args=[interview.pk])}")
    assert cand.evaluate("() => sessionStorage.getItem('phase-at-end')") == "ended"


def test_a_denied_microphone_says_so_and_offers_a_retry(live_asgi_server, new_page, interview, candidate, password):
    """Without fake media and with no permission granted, the browser refuses the microphone."""
    page = new_page()
    log_in(page, live_asgi_server, candidate, password)
    open_room(page, live_asgi_server, interview)
    page.get_by_role("button", name="Join the call with your microphone").click()
    alert = page.get_by_role("region", name="Call").get_by_role("alert")
    alert.wait_for()
    assert "microphone" in alert.inner_text().lower()
    assert page.evaluate("() => window.mocklane.call.getState().phase") == "idle"
    page.get_by_role("button", name="Try again").wait_for()
