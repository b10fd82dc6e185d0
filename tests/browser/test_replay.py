"""The board replay on the review page, in a real browser: scrub back and the board has fewer
elements, forward and it has them all; a timeline line, a step button and the address move the
replay; playing runs through the interview; a share link replays without logging in.

The interview is built through the services (chat, step changes, board ops) with each moment pinned
ten seconds after the previous one, so the seq of every line is known."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.urls import reverse

from review.models import Evidence, EvidenceReport
from review.services.sharing import review_share_create
from rubrics.models import RubricStep
from whiteboard.selectors import board_state_at

from ..review.review_data import build_finished
from .test_room import log_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

READY = "() => window.mocklane && window.mocklane.replayReady && window.mocklane.replayReady()"
SHOWN = "() => window.mocklane.replayElementIds().filter((id) => !id.startsWith('lane-'))"
SEQ = "() => window.mocklane.replaySeq()"
ALL = ["features", "ingest", "ranker"]


def in_own_thread(fn, *args):
    """Run `fn` off this thread: Playwright keeps an event loop running here, and ending the
    interview broadcasts through async_to_sync, which refuses to run beside one."""

    def run():
        try:
            return fn(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def finished(interview, interviewer, candidate):
    return in_own_thread(build_finished, interview, interviewer, candidate)


def open_review(page, base, finished, query=""):
    response = page.goto(base + reverse("interview_review", args=[finished.interview.pk]) + query)
    assert response.status == 200
    page.wait_for_function(READY)


def shown(page):
    return page.evaluate(SHOWN)


def wait_seq(page, seq):
    page.wait_for_function(f"(seq) => ({SEQ})() === seq", arg=seq)


def wait_shown(page, ids):
    page.wait_for_function(f"(ids) => JSON.stringify(({SHOWN})()) === JSON.stringify(ids)", arg=sorted(ids))


def drag_scrubber(page, fraction):
    """Drag the range thumb from where it is to `fraction` of the track (the thumb is 14 px wide)."""
    scrubber = page.locator("input.ml-replay-range")
    box = scrubber.bounding_box()
    value, maximum = page.evaluate("(el) => [Number(el.value), Number(el.max)]", scrubber.element_handle())
    usable = box["width"] - 14

    def x_at(part):
        return box["x"] + 7 + usable * part

    y = box["y"] + box["height"] / 2
    page.mouse.move(x_at(value / maximum), y)
    page.mouse.down()
    page.mouse.move((x_at(value / maximum) + x_at(fraction)) / 2, y, steps=5)
    page.mouse.move(x_at(fraction), y, steps=5)
    page.mouse.up()


def server_state(board_id, seq):
    return sorted(
        (e["id"], e["version"], e["versionNonce"], bool(e.get("isDeleted")))
        for e in board_state_at(board_id=board_id, seq=seq).elements
    )


def replay_state(page):
    return sorted(
        (e["id"], e["version"], e["versionNonce"], e["isDeleted"])
        for e in page.evaluate("() => window.mocklane.replayState()")
    )


def test_scrub_the_replay_and_see_the_board_change(live_asgi_server, new_page, finished, candidate, password):
    base = live_asgi_server
    page = new_page()
    log_in(page, base, candidate, password)
    open_review(page, base, finished)

    # It opens on the final board, with every line of the timeline behind it.
    assert page.evaluate(SEQ) == 5
    assert shown(page) == ALL
    assert page.locator("[data-timeline] .entry").count() == 6  # the candidate sees no private notes
    assert page.locator("[data-timeline] .is-future, [data-timeline] .is-now").count() == 0

    # Drag back to the start: just the two lane frames.
    drag_scrubber(page, 0)
    wait_seq(page, 0)
    assert shown(page) == []
    # A fifth of the way: only the first rectangle.
    drag_scrubber(page, 0.2)
    wait_seq(page, 1)
    assert shown(page) == ["ingest"]
    # Two fifths: the online rectangle too (deleted again at seq 4).
    drag_scrubber(page, 0.4)
    wait_seq(page, 2)
    assert shown(page) == ["ingest", "serving"]
    assert page.locator(".ml-replay-time").inner_text().startswith("0:30 / 2:00")
    # To the end: everything.
    drag_scrubber(page, 1)
    wait_seq(page, 5)
    assert shown(page) == ALL

    # Keyboard works on the same control.
    page.locator("input.ml-replay-range").press("Home")
    wait_seq(page, 0)
    page.locator("input.ml-replay-range").press("ArrowRight")
    wait_seq(page, 1)


def test_timeline_lines_and_step_buttons_move_the_replay(live_asgi_server, new_page, finished, candidate, password):
    base = live_asgi_server
    page = new_page()
    log_in(page, base, candidate, password)
    open_review(page, base, finished)

    # Click the interviewer's question (asked after op 2): the board as it was then.
    framing = page.locator(f"#event-{finished.events['framing'].pk}")
    framing.click()
    wait_seq(page, 2)
    wait_shown(page, ["ingest", "serving"])
    assert "is-now" in framing.get_attribute("class")
    later = page.locator(f"#event-{finished.events['store'].pk}")
    assert "is-future" in later.get_attribute("class")

    # Each step button jumps to that step's start, and the board there is the server's.
    board_id = finished.interview.board_id
    steps = page.evaluate("() => window.mocklane.replaySteps()")
    assert [(s["number"], s["seq"]) for s in steps] == [(1, 0), (2, 1), (3, 2)]
    for step in (3, 1, 2):
        page.locator(f'.ml-replay-step[data-step="{step}"]').click()
        seq = next(s["seq"] for s in steps if s["number"] == step)
        wait_seq(page, seq)
        assert replay_state(page) == server_state(board_id, seq)
        assert "is-current" in page.locator(f'.ml-replay-step[data-step="{step}"]').get_attribute("class")

    # A step band's header in the timeline is the same jump.
    page.locator("#step-3 .band-head").click()
    wait_seq(page, 2)

    # Every seq of the replay equals the server's replay of the op log.
    for seq in range(6):
        page.evaluate("(seq) => window.mocklane.seekTo(seq)", seq)
        wait_seq(page, seq)
        assert replay_state(page) == server_state(board_id, seq)


def test_the_address_picks_the_moment(live_asgi_server, new_page, finished, candidate, password):
    base = live_asgi_server
    page = new_page()
    log_in(page, base, candidate, password)
    open_review(page, base, finished, "?seq=4#replay")
    wait_seq(page, 4)
    assert shown(page) == ["ingest"]  # the online rectangle was deleted at seq 4

    open_review(page, base, finished, f"#event-{finished.events['goal'].pk}")
    wait_seq(page, 0)
    assert shown(page) == []
    # Following an entry's own link changes the hash and moves the replay.
    page.locator(f"#event-{finished.events['store'].pk} a.entry-at").click()
    wait_seq(page, 5)


def test_board_evidence_links_seek_in_place(live_asgi_server, new_page, finished, interviewer, password):
    step = RubricStep.objects.get(rubric=finished.interview.rubric, number=2)
    EvidenceReport.objects.filter(interview=finished.interview).delete()  # what the finder made at the end
    report = EvidenceReport.objects.create(
        interview=finished.interview, rubric=finished.interview.rubric, status=EvidenceReport.Status.DONE
    )
    Evidence.objects.create(
        report=report, step=step, source=Evidence.Source.BOARD, text="serving in the online lane", board_seq=2
    )
    base = live_asgi_server
    page = new_page()
    log_in(page, base, interviewer, password)
    open_review(page, base, finished)
    page.evaluate("() => { window.notReloaded = true; }")
    page.locator("#score-step-2 a.evidence-link").click()
    wait_seq(page, 2)
    assert page.evaluate("() => window.notReloaded") is True
    assert "?seq=2#replay" in page.url


def test_play_runs_through_the_interview(live_asgi_server, new_page, finished, candidate, password):
    base = live_asgi_server
    page = new_page()
    log_in(page, base, candidate, password)
    open_review(page, base, finished)
    page.locator(".ml-replay-speed select").select_option("64")
    # At the end, Play starts again from the beginning.
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => window.mocklane.playing()")
    page.wait_for_function(f"() => ({SEQ})() > 0 && ({SEQ})() < 5")
    page.wait_for_function(f"() => ({SEQ})() === 5 && !window.mocklane.playing()", timeout=10_000)
    assert shown(page) == ALL
    # Pause holds the position.
    page.evaluate("() => window.mocklane.seekTo(0)")
    page.locator(".ml-replay-speed select").select_option("4")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(f"() => ({SEQ})() >= 1")
    page.get_by_role("button", name="Pause").click()
    held = page.evaluate(SEQ)
    assert held < 5 and not page.evaluate("() => window.mocklane.playing()")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert page.evaluate(SEQ) == held


def test_a_share_link_replays_without_logging_in(live_asgi_server, new_page, finished, candidate):
    share = review_share_create(interview=finished.interview, user=candidate, label="mentor")
    page = new_page()
    response = page.goto(live_asgi_server + reverse("shared_review", args=[share.token]) + "?seq=1")
    assert response.status == 200
    page.wait_for_function(READY)
    wait_seq(page, 1)
    assert shown(page) == ["ingest"]
    drag_scrubber(page, 1)
    wait_seq(page, 5)
    assert shown(page) == ALL
