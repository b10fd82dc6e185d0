"""Everything works under the Content-Security-Policy (config/csp.py), in a real Chromium: the
room (chat over the room socket), the board (a drawing saved over the board socket), the review's
board replay and the API docs, with no CSP violation reported on any of them."""

from django.urls import reverse

from interview.models import TranscriptEvent
from whiteboard.models import BoardElement

from ..review.review_data import build_finished
from .test_replay import READY, in_own_thread, pytestmark  # noqa: F401 - the same database marks
from .test_room import RECTANGLE_IDS, draw_rectangle_in_lane, log_in, open_room

# Installed through DevTools, which the policy does not govern; counts what the page was refused.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watched_page(new_page):
    page = new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    return page, refused


def violations(page) -> list[str]:
    return page.evaluate("() => window.__cspViolations")


def test_room_board_replay_and_api_docs_work_under_the_policy(
    live_asgi_server, new_page, interview, interviewer, candidate, password
):
    base = live_asgi_server
    page, refused = watched_page(new_page)
    log_in(page, base, candidate, password)
    assert "script-src 'self'" in page.request.get(base + reverse("dashboard")).headers["content-security-policy"]

    # The room: the island mounts (Excalidraw from its data-attribute asset path), both sockets connect.
    open_room(page, base, interview)
    assert violations(page) == []
    page.get_by_label("Chat message").fill("Hello under a strict policy")
    page.get_by_role("button", name="Send").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('li[data-client-msg-id]')].some("
        "(li) => li.textContent.includes('Hello under a strict policy') && !li.textContent.includes('Sending'))"
    )
    assert TranscriptEvent.objects.filter(interview=interview, text="Hello under a strict policy").exists()

    # The board: a rectangle drawn in a lane is acknowledged and stored.
    draw_rectangle_in_lane(page, "lane-online")
    page.wait_for_function(f"() => ({RECTANGLE_IDS})().length === 1")
    page.wait_for_function("() => window.mocklane.unsynced() === 0")
    [rect_id] = page.evaluate(RECTANGLE_IDS)
    assert BoardElement.objects.filter(board_id=interview.board_id, element_id=rect_id).exists()
    assert violations(page) == []

    # The review's board replay, once the interview is over: the room moves there by itself.
    finished = in_own_thread(build_finished, interview, interviewer, candidate)
    review = base + reverse("interview_review", args=[finished.interview.pk])
    page.wait_for_url(review)
    assert "frame-ancestors 'none'" in page.request.get(review).headers["content-security-policy"]
    page.wait_for_function(READY)
    page.wait_for_function("() => window.mocklane.replayElementIds().some((id) => !id.startsWith('lane-'))")
    assert violations(page) == []

    # The API docs: Swagger UI starts from its own script file and lists the endpoints.
    response = page.goto(base + "/api/docs/")
    assert response.status == 200 and "content-security-policy" in response.headers
    page.locator(".opblock-summary-path", has_text="/api/interviews/{id}/board/").first.wait_for()
    assert violations(page) == []

    assert refused == []


def test_the_pages_small_behaviours_run_from_the_site_script(live_asgi_server, new_page, content, outsider, password):
    """What used to be inline scripts and handlers, now in static/js/site.js."""
    base = live_asgi_server
    page, refused = watched_page(new_page)

    # Sign-up fills the hidden time zone field with the browser's zone.
    page.goto(base + reverse("account_signup"))
    assert page.locator('input[name="time_zone"]').input_value() == page.evaluate(
        "() => Intl.DateTimeFormat().resolvedOptions().timeZone"
    )

    log_in(page, base, outsider, password)
    # Profile: at most five focus problems; the rest wait until one is unticked.
    page.goto(base + reverse("profile"))
    boxes = page.locator('#profile-form input[name="focus_problems"]')
    for n in range(5):
        boxes.nth(n).check()
    assert boxes.nth(5).is_disabled()
    boxes.nth(0).uncheck()
    assert boxes.nth(5).is_enabled()
    # A form with data-confirm asks first; dismissing sends nothing.
    feed = page.locator("#feed-url").input_value()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("#calendar-feed form[data-confirm] button").click()
    assert asked and asked[0].startswith("The current link stops working at once")
    page.reload()
    assert page.locator("#feed-url").input_value() == feed  # not rotated

    # Queue: "+ Another window" reveals the next window.
    page.goto(base + reverse("queue"))
    hidden = page.locator(".window-input[hidden]").count()
    page.locator("#more-windows").click()
    assert page.locator(".window-input[hidden]").count() == hidden - 1

    assert violations(page) == [] and refused == []
