"""Lanes: which lane an element sits in (from its frame or, failing that, its centre), and the
locked frame element that draws a lane.

Paths (arrows, lines, freehand) are read by the middle of their points only: an arrow drawn from
an Offline box to an Online box takes the start lane's `frameId` in Excalidraw, which says
nothing about where the arrow goes."""

from typing import Any

PATH_TYPES = frozenset({"arrow", "line", "freedraw"})


def element_center(element: dict[str, Any]) -> tuple[float, float]:
    x, y = float(element.get("x", 0)), float(element.get("y", 0))
    points = element.get("points")
    if points and element.get("type") in PATH_TYPES:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        return x + (min(xs) + max(xs)) / 2, y + (min(ys) + max(ys)) / 2
    return x + float(element.get("width", 0)) / 2, y + float(element.get("height", 0)) / 2


def lane_of(element: dict[str, Any], lanes: list[dict[str, Any]]) -> str | None:
    by_frame = element.get("type") not in PATH_TYPES
    for lane in lanes:
        if element.get("id") == lane["element_id"] or (by_frame and element.get("frameId") == lane["element_id"]):
            return lane["key"]
    cx, cy = element_center(element)
    for lane in lanes:
        if lane["x"] <= cx <= lane["x"] + lane["width"] and lane["y"] <= cy <= lane["y"] + lane["height"]:
            return lane["key"]
    return None


def lane_frame_element(lane: dict[str, Any], *, index: int) -> dict[str, Any]:
    """The locked Excalidraw frame that draws a lane."""
    return {
        "id": lane["element_id"],
        "type": "frame",
        "name": lane["name"],
        "x": lane["x"],
        "y": lane["y"],
        "width": lane["width"],
        "height": lane["height"],
        "angle": 0,
        "strokeColor": "#bbb",
        "backgroundColor": "transparent",
        "fillStyle": "solid",
        "strokeWidth": 2,
        "strokeStyle": "solid",
        "roughness": 0,
        "opacity": 100,
        "groupIds": [],
        "frameId": None,
        "roundness": None,
        "seed": 1000 + index,
        "version": 1,
        "versionNonce": 0,
        "isDeleted": False,
        "boundElements": None,
        "updated": 0,
        "link": None,
        "locked": True,
        "index": f"a{index}",
    }
