"""The component palette in the room: the candidate drags a component into the online lane, the
interviewer sees it appear, and the server stores it, typed, in the online lane. Pressing an item
with the keyboard puts it in its usual lane."""

import pytest
from django.urls import reverse

from .test_room import ELEMENT_SCREEN_BOX, both_in_room

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

COMPONENTS = """() => window.mocklane.excalidrawAPI.getSceneElements()
  .filter((e) => e.customData && e.customData.component)
  .map((e) => ({id: e.id, component: e.customData.component, frameId: e.frameId}))"""
LABEL_OF = """(id) => window.mocklane.excalidrawAPI.getSceneElements()
  .filter((e) => e.type === 'text' && e.containerId === id).map((e) => e.text).join(' ')"""
BOARD_API = """async (url) => {
  const response = await fetch(url, {headers: {Accept: "application/json"}});
  return response.json();
}"""


def test_drag_a_component_into_the_online_lane_and_the_peer_sees_it(
    live_asgi_server, new_page, interview, interviewer, candidate, password
):
    base = live_asgi_server
    interviewer_page, candidate_page = both_in_room(
        base, interview, interviewer, candidate, password, page_for=lambda role: new_page()
    )

    palette = candidate_page.get_by_role("region", name="Component palette")
    # the candidate's palette is the catalogue by lane; only the interviewer's offers the problem's first
    assert palette.get_by_role("group", name="For this problem").count() == 0
    assert palette.get_by_role("group", name="Online lane").get_by_role("button").count() > 0
    # the interviewer's starts folded (the guide panel narrows the board already) and opens on a press
    toggle = interviewer_page.get_by_role("button", name="Components", exact=True)
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    suggested = interviewer_page.get_by_role("group", name="For this problem")
    suggested.wait_for()
    assert suggested.get_by_role("button", name="Feature store", exact=True).count() == 1

    ranking = palette.get_by_role("group", name="Online lane").get_by_role("button", name="Ranking", exact=True)
    lane = candidate_page.evaluate(ELEMENT_SCREEN_BOX, "lane-online")
    board = candidate_page.locator("main.ml-board").bounding_box()
    drop = {"x": lane["x"] + lane["width"] * 0.6 - board["x"], "y": lane["y"] + lane["height"] * 0.5 - board["y"]}
    ranking.drag_to(candidate_page.locator("main.ml-board"), target_position=drop)

    candidate_page.wait_for_function(f"() => ({COMPONENTS})().length === 1")
    [shape] = candidate_page.evaluate(COMPONENTS)
    assert shape["component"] == "ranking" and shape["frameId"] == "lane-online"
    assert candidate_page.evaluate(LABEL_OF, shape["id"]) == "Ranking"

    # The interviewer sees it appear, with its label and its type.
    interviewer_page.wait_for_function(
        f"(id) => ({COMPONENTS})().some((c) => c.id === id && c.component === 'ranking')",
        arg=shape["id"],
        timeout=3_000,
    )
    interviewer_page.wait_for_function(f"(id) => ({LABEL_OF})(id) === 'Ranking'", arg=shape["id"])

    # Dropped back onto the palette, a component is not added.
    ranking.drag_to(palette.get_by_role("searchbox", name="Search components"))
    # The keyboard: focus an item and press Enter; it goes to its usual lane.
    candidate_page.wait_for_function("() => window.mocklane.unsynced() === 0")
    palette.get_by_role("button", name="Feature store", exact=True).focus()
    candidate_page.keyboard.press("Enter")
    candidate_page.wait_for_function(f"() => ({COMPONENTS})().length >= 2")
    assert sorted(c["component"] for c in candidate_page.evaluate(COMPONENTS)) == ["feature_store", "ranking"]
    candidate_page.wait_for_function("() => window.mocklane.unsynced() === 0")

    # The server reads both in the lane they were put in, by their type.
    saved = candidate_page.evaluate(BOARD_API, reverse("api_interview_board", args=[interview.pk]))
    typed = [e for e in saved["elements"] if isinstance(e.get("customData"), dict) and "component" in e["customData"]]
    assert sorted(e["customData"]["component"] for e in typed) == ["feature_store", "ranking"]
    typed = {e["customData"]["component"]: e for e in typed}
    assert typed["ranking"]["id"] == shape["id"] and typed["ranking"]["lane"] == "online"
    assert typed["feature_store"]["lane"] == "offline"
    labels = {e["containerId"]: e for e in saved["elements"] if e["type"] == "text" and e.get("containerId")}
    assert labels[shape["id"]]["lane"] == "online" and labels[shape["id"]]["text"] == "Ranking"
