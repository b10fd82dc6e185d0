"""Two people in one room: what the candidate draws reaches the interviewer live and is saved.

Runs a real Chromium against the whole ASGI app (pages, API and both WebSockets) served by
uvicorn in this process. Every wait is on a condition in the page, never a fixed sleep.
"""

import pytest
from django.urls import reverse

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # WhiteNoise hands Django's ASGI handler a synchronous file iterator for static files.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

CONNECTED = "() => window.mocklane && window.mocklane.status() === 'connected'"

# Screen rectangle of an element, from the board's scroll and zoom.
ELEMENT_SCREEN_BOX = """(elementId) => {
  const api = window.mocklane.excalidrawAPI;
  const state = api.getAppState();
  const el = api.getSceneElements().find((e) => e.id === elementId);
  const zoom = state.zoom.value;
  return {
    x: (el.x + state.scrollX) * zoom + state.offsetLeft,
    y: (el.y + state.scrollY) * zoom + state.offsetTop,
    width: el.width * zoom,
    height: el.height * zoom,
  };
}"""

RECTANGLE_IDS = """() => window.mocklane.excalidrawAPI.getSceneElements()
  .filter((e) => e.type === 'rectangle').map((e) => e.id)"""


def log_in(page, base_url, user, password):
    page.goto(base_url + reverse("account_login"))
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()
    assert reverse("account_login") not in page.url, f"{user.username} could not log in"


def open_room(page, base_url, interview):
    response = page.goto(base_url + reverse("interview_room", args=[interview.pk]))
    assert response.status == 200
    page.wait_for_function(CONNECTED)


def both_in_room(base_url, interview, interviewer, candidate, password, *, page_for):
    """Sign the interviewer and the candidate in, each on a page of their own (`page_for(role)` makes
    it), and open the room: (the interviewer's page, the candidate's page)."""
    pages = []
    for role, user in (("interviewer", interviewer), ("candidate", candidate)):
        page = page_for(role)
        log_in(page, base_url, user, password)
        open_room(page, base_url, interview)
        pages.append(page)
    return pages[0], pages[1]


def draw_rectangle_in_lane(page, lane_id, *, at=(0.3, 0.3), size=(0.25, 0.2)):
    """Pick the rectangle tool and drag inside the lane frame, in screen coordinates."""
    lane = page.evaluate(ELEMENT_SCREEN_BOX, lane_id)
    x0 = lane["x"] + lane["width"] * at[0]
    y0 = lane["y"] + lane["height"] * at[1]
    x1 = x0 + lane["width"] * size[0]
    y1 = y0 + lane["height"] * size[1]
    page.locator('label:has([data-testid="toolbar-rectangle"])').click()
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()


def test_candidate_drawing_reaches_interviewer_and_is_saved(
    live_asgi_server, new_page, interview, interviewer, candidate, password
):
    base = live_asgi_server
    outside_requests = []

    def watched_page(role):
        page = new_page()
        page.on("request", lambda request: outside_requests.append(request.url))
        return page

    interviewer_page, candidate_page = both_in_room(
        base, interview, interviewer, candidate, password, page_for=watched_page
    )

    # Both boards start from the server snapshot: the two locked lane frames, nothing else.
    assert interviewer_page.evaluate(RECTANGLE_IDS) == []
    lanes = candidate_page.evaluate(
        "() => window.mocklane.excalidrawAPI.getSceneElements().filter((e) => e.type === 'frame').map((e) => e.id)"
    )
    assert sorted(lanes) == ["lane-offline", "lane-online"]

    draw_rectangle_in_lane(candidate_page, "lane-online")
    candidate_page.wait_for_function(f"() => ({RECTANGLE_IDS})().length === 1")
    [rect_id] = candidate_page.evaluate(RECTANGLE_IDS)

    # The interviewer sees it live, within two seconds.
    interviewer_page.wait_for_function(f"(id) => ({RECTANGLE_IDS})().includes(id)", arg=rect_id, timeout=2_000)
    # Wait until every change is acknowledged before reloading.
    candidate_page.wait_for_function("() => window.mocklane.unsynced() === 0")
    drawn = candidate_page.evaluate(
        "(id) => window.mocklane.excalidrawAPI.getSceneElements().find((e) => e.id === id)", rect_id
    )
    interviewer_page.wait_for_function(
        "([id, version]) => window.mocklane.excalidrawAPI.getSceneElements().some("
        "(e) => e.id === id && e.version === version)",
        arg=[rect_id, drawn["version"]],
    )
    assert drawn["frameId"] == "lane-online"

    # After a reload the rectangle comes back from the server.
    candidate_page.reload()
    candidate_page.wait_for_function(CONNECTED)
    assert rect_id in candidate_page.evaluate(RECTANGLE_IDS)

    # The board API (same session cookie, fetched in the page) puts it in the online lane.
    board = candidate_page.evaluate(
        """async (url) => {
            const response = await fetch(url, {headers: {Accept: "application/json"}});
            return {status: response.status, body: await response.json()};
        }""",
        reverse("api_interview_board", args=[interview.pk]),
    )
    assert board["status"] == 200
    saved = {element["id"]: element for element in board["body"]["elements"]}
    assert rect_id in saved
    assert saved[rect_id]["type"] == "rectangle"
    assert saved[rect_id]["lane"] == "online"

    # Every request went to this server: nothing from a CDN.
    assert [url for url in outside_requests if not url.startswith((base, "data:", "blob:"))] == []


def test_outsider_cannot_open_the_room(live_asgi_server, new_page, interview, outsider, password):
    page = new_page()
    log_in(page, live_asgi_server, outsider, password)
    response = page.goto(live_asgi_server + reverse("interview_room", args=[interview.pk]))
    assert response.status == 404  # what an id that does not exist answers: ids stay private


def test_interviewer_ends_the_interview_and_both_land_on_the_review(
    live_asgi_server, new_page, interview, interviewer, candidate, password
):
    base = live_asgi_server
    interviewer_page, candidate_page = both_in_room(
        base, interview, interviewer, candidate, password, page_for=lambda role: new_page()
    )
    pages = {"interviewer": interviewer_page, "candidate": candidate_page}

    pages["interviewer"].on("dialog", lambda dialog: dialog.accept())
    pages["interviewer"].get_by_role("button", name="End", exact=True).click()
    # The End request completes before the page moves: the socket's "ended" does not cut it short,
    # so the form's own redirect lands on the scorecard with its message.
    pages["interviewer"].wait_for_url(base + reverse("interview_scorecard", args=[interview.pk]))
    assert pages["interviewer"].get_by_text("Interview ended. Score it while it is fresh.").is_visible()
    # The candidate's room is closed by the server and the page moves to the review.
    pages["candidate"].wait_for_url(base + reverse("interview_review", args=[interview.pk]))
    assert "Scores appear here once" in pages["candidate"].content()
    interview.refresh_from_db()
    assert interview.status == "completed"
