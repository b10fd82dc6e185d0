"""The site's pages in a real browser: nothing scrolls sideways and the header fits at phone,
tablet and laptop widths, the queue form shows its first rows only, dark mode reaches the board
replay, axe-core finds nothing serious on the main pages, and the scorecard fills in the evidence
by itself when the finder is done.

The interviewer's pages share one browser context, resized between widths, so each page loads a
few times at most."""

import pytest
from django.urls import reverse

from review.models import EvidenceReport
from review.services.evidence import evidence_report_run

from .axe import assert_accessible
from .test_replay import READY, in_own_thread
from .test_room import log_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

WIDTHS = [(390, 844), (768, 1024), (1366, 768)]

# How far the page and the header reach past the window (0 when nothing sticks out).
OVERFLOW = """() => {
  const doc = document.scrollingElement;
  const nav = document.querySelector(".site-header nav");
  const items = nav ? [...nav.children].map((el) => el.getBoundingClientRect().right) : [0];
  return {
    page: doc.scrollWidth - window.innerWidth,
    header: Math.max(0, Math.max(...items) - window.innerWidth),
  };
}"""


# The elements reaching past the window's right edge (for the message of a failure).
TOO_WIDE = """() => [...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 6).map((el) => `${el.tagName}.${el.className}`)"""


@pytest.fixture
def finished(interview, interviewer, candidate):
    from ..review.review_data import build_finished

    return in_own_thread(build_finished, interview, interviewer, candidate)


def page_urls(interview):
    return {
        "dashboard": reverse("dashboard"),
        "find a peer": reverse("slots"),
        "queue": reverse("queue"),
        "schedule": reverse("interview_new"),
        "session": reverse("interview_detail", args=[interview.pk]),
        "review": reverse("interview_review", args=[interview.pk]),
        "scorecard": reverse("interview_scorecard", args=[interview.pk]),
    }


def test_pages_fit_every_width_and_pass_axe(live_asgi_server, browser, finished, interviewer, password):
    base = live_asgi_server
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, base, interviewer, password)
        for name, url in page_urls(finished.interview).items():
            for width, height in WIDTHS:
                page.set_viewport_size({"width": width, "height": height})
                if (width, height) == WIDTHS[0]:
                    response = page.goto(base + url)
                    assert response.status == 200, name
                    if name == "review":
                        page.wait_for_function(READY)
                overflow = page.evaluate(OVERFLOW)
                wide = page.evaluate(TOO_WIDE) if overflow["page"] else []
                assert overflow == {"page": 0, "header": 0}, f"{name} at {width}px: {overflow} {wide}"
            # the widest layout is the one most people see: no serious accessibility finding there
            assert_accessible(page, name)
            if name == "queue":
                # ten window rows in the form, three shown until "Add another window"
                rows = page.locator(".window-input")
                assert rows.count() == 10
                assert sum(rows.nth(i).is_visible() for i in range(10)) == 3
        # the skip link is the first thing the keyboard reaches, and leads to the content
        page.goto(base + reverse("dashboard"))
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to content")
        assert skip.evaluate("(el) => el === document.activeElement") and skip.is_visible()
    finally:
        context.close()


def test_the_room_on_a_dark_phone_says_it_wants_a_larger_screen(
    live_asgi_server, browser, interview, candidate, password
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, live_asgi_server, candidate, password)
        page.goto(live_asgi_server + reverse("interview_room", args=[interview.pk]))
        page.wait_for_function("() => window.mocklane && window.mocklane.status() === 'connected'")
        assert page.get_by_role("note").filter(has_text="larger screen").is_visible()
        assert page.evaluate(OVERFLOW)["page"] == 0
        # a dark system: the live board takes Excalidraw's dark theme too
        assert page.locator(".ml-board .excalidraw.theme--dark").count() == 1
    finally:
        context.close()


def test_dark_mode_follows_the_system_down_to_the_board_replay(
    live_asgi_server, new_page, finished, candidate, password
):
    page = new_page(color_scheme="dark")
    log_in(page, live_asgi_server, candidate, password)
    page.goto(live_asgi_server + reverse("interview_review", args=[finished.interview.pk]))
    page.wait_for_function(READY)
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    channels = [int(c) for c in background[background.index("(") + 1 : background.index(")")].split(",")[:3]]
    assert max(channels) < 60, background  # a dark page
    assert page.locator(".ml-replay-board .excalidraw.theme--dark").count() == 1
    assert page.evaluate("() => window.mocklane.excalidrawAPI.getAppState().theme") == "dark"
    assert_accessible(page, "the review in dark mode")


def test_the_scorecard_shows_the_evidence_when_the_finder_is_done(
    live_asgi_server, new_page, finished, interviewer, password
):
    interview = finished.interview
    report = EvidenceReport.objects.get(interview=interview)
    report.suggestions.all().delete()
    report.items.all().delete()
    EvidenceReport.objects.filter(pk=report.pk).update(status=EvidenceReport.Status.RUNNING, finished_at=None)

    page = new_page()
    log_in(page, live_asgi_server, interviewer, password)
    page.goto(live_asgi_server + reverse("interview_scorecard", args=[interview.pk]))
    status = page.locator("#evidence-status")
    assert "appear here by themselves" in status.inner_text()
    assert "Reload" not in page.content()
    assert page.locator(".suggested-level").count() == 0
    page.fill("#notes_2", "typed while the finder ran")

    in_own_thread(lambda: evidence_report_run(interview_id=interview.pk))
    page.locator("#evidence[data-evidence-ready]").wait_for(timeout=20_000)
    assert "Looked for at" in status.inner_text()
    assert page.locator(".suggested-level").count() >= 1
    assert page.input_value("#notes_2") == "typed while the finder ran"  # nothing typed is lost
