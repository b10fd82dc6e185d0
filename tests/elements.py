"""Excalidraw elements and boards' lanes for the tests and the benchmarks: one builder for both.

Elements are shaped as the room's board sends them: every field the editor writes, in its order.
`element` is any kind; `rectangle`, `text` and `zigzag` fill in what those kinds carry; `box`,
`free_text`, `arrow` and `Sketch` draw the way a candidate does (shapes with bound text, text on
its own, arrows bound to the shapes they join), `palette_box` the way the room's palette drops a
component (a typed shape in its lane frame). `TWO_LANES` is the two-lane layout the interview
board uses (offline x 0-960, online x 1040-2000, both y 0-760).

It lives in tests/ because the tests are its main user, and bench/ imports it as well, so it
imports nothing but the standard library (no pytest, no Django): a benchmark can build its boards
before Django is set up. The app itself builds no elements this way (the demo seed draws no board
and the lane frames come from `whiteboard.lanes`), so it has no place in whiteboard/.
"""

import itertools
from typing import Any

TWO_LANES = [
    {"key": "offline", "name": "Offline", "x": 0, "y": 0, "width": 960, "height": 760},
    {"key": "online", "name": "Online", "x": 1040, "y": 0, "width": 960, "height": 760},
]

RECTANGLE = {"x": 1200.0, "y": 100.0, "width": 120.0, "height": 60.0, "nonce": 100}  # rectangle()'s defaults
_nonces = itertools.count(1000)  # for the drawing helpers: every element its own nonce and seed


def with_lane_ids(lanes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`lanes` as a board stores them: each with the id of its frame element, `lane-<key>`."""
    return [{**lane, "element_id": f"lane-{lane['key']}"} for lane in lanes]


def element(
    element_id: str,
    kind: str,
    *,
    x: float = 0,
    y: float = 0,
    width: float = 100,
    height: float = 100,
    version: int = 1,
    nonce: int = 1,
    deleted: bool = False,
    **fields: Any,
) -> dict[str, Any]:
    """An element of `kind` with every common field; `fields` override them or come after them."""
    return {
        "id": element_id,
        "type": kind,
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "angle": 0,
        "version": version,
        "versionNonce": nonce,
        "isDeleted": deleted,
        "strokeColor": "#1e1e1e",
        "backgroundColor": "transparent",
        "fillStyle": "solid",
        "strokeWidth": 2,
        "roughness": 1,
        "opacity": 100,
        "groupIds": [],
        "frameId": None,
        "boundElements": None,
        "locked": False,
        **fields,
    }


def rectangle(element_id: str = "r1", **fields: Any) -> dict[str, Any]:
    """A 120 x 60 rectangle, by default in the online lane; `fields` as for `element`."""
    return element(element_id, "rectangle", **{**RECTANGLE, **fields})


def text(
    element_id: str,
    label: str,
    *,
    x: float,
    y: float,
    container_id: str | None = None,
    version: int = 1,
    deleted: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """A text element, bound to the shape `container_id` (centred in it) or free (None)."""
    return element(
        element_id,
        "text",
        x=float(x),
        y=float(y),
        width=140.0,
        height=25.0,
        version=version,
        nonce=next(_nonces),
        deleted=deleted,
        text=label,
        originalText=label,
        fontSize=20,
        fontFamily=5,
        textAlign="center",
        verticalAlign="middle",
        containerId=container_id,
        lineHeight=1.25,
        autoResize=True,
        **extra,
    )


def zigzag(count: int, reach: float, rise: float) -> list[list[float]]:
    """`count` points going back and forth between the origin and (reach, ±rise)."""
    return [[0, 0] if n % 2 == 0 else [reach, rise if n % 4 == 1 else -rise] for n in range(count)]


def box(
    element_id: str,
    label: str,
    *,
    x: float,
    y: float,
    kind: str = "rectangle",
    version: int = 1,
    deleted: bool = False,
    arrows: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """A shape and its bound text, linked both ways (containerId / boundElements) as Excalidraw does."""
    text_id = f"{element_id}-text"
    bound = [{"type": "text", "id": text_id}, *({"type": "arrow", "id": a} for a in arrows)]
    shape = rectangle(
        element_id,
        x=float(x),
        y=float(y),
        version=version,
        nonce=next(_nonces),
        deleted=deleted,
        type=kind,
        width=160.0,
        height=70.0,
        boundElements=bound,
        roundness={"type": 3},
        seed=next(_nonces),
    )
    label_element = text(
        text_id, label, x=float(x) + 10, y=float(y) + 22, container_id=element_id, version=version, deleted=deleted
    )
    return [shape, label_element]


def palette_box(
    element_id: str, component: str, label: str, *, x: float, y: float, frame_id: str | None
) -> list[dict[str, Any]]:
    """A component dropped from the room's palette (frontend/src/lib/palette.js): a 180 x 80 rectangle
    carrying its type in `customData.component`, in the lane frame it was dropped in, and its label."""
    shape, label_element = box(element_id, label, x=x, y=y)
    shape = {**shape, "width": 180.0, "height": 80.0, "frameId": frame_id, "customData": {"component": component}}
    return [shape, {**label_element, "frameId": frame_id}]


def free_text(element_id: str, label: str, *, x: float, y: float, version: int = 1, deleted=False) -> dict[str, Any]:
    """Text typed straight onto the board, not bound to a shape."""
    return {**text(element_id, label, x=x, y=y, version=version, deleted=deleted), "textAlign": "left"}


def _edge_point(shape: dict[str, Any], towards: dict[str, Any]) -> tuple[float, float]:
    """The middle of the side of `shape` that faces `towards`."""
    cx, cy = shape["x"] + shape["width"] / 2, shape["y"] + shape["height"] / 2
    tx, ty = towards["x"] + towards["width"] / 2, towards["y"] + towards["height"] / 2
    if abs(tx - cx) >= abs(ty - cy):
        return (shape["x"] + shape["width"] if tx > cx else shape["x"]) + (4 if tx > cx else -4), cy
    return cx, (shape["y"] + shape["height"] if ty > cy else shape["y"]) + (4 if ty > cy else -4)


def arrow(
    element_id: str,
    start: dict[str, Any],
    end: dict[str, Any],
    *,
    bound: bool = True,
    start_head: str | None = None,
    end_head: str | None = "arrow",
    label: str | None = None,
    version: int = 1,
    deleted: bool = False,
) -> list[dict[str, Any]]:
    """An arrow from shape `start` to shape `end` (the shapes' dicts), bound to both unless `bound`
    is False (then it only ends near them). With `label`, a text bound to the arrow too."""
    (x0, y0), (x1, y1) = _edge_point(start, end), _edge_point(end, start)
    line = element(
        element_id,
        "arrow",
        x=x0,
        y=y0,
        width=abs(x1 - x0),
        height=abs(y1 - y0),
        version=version,
        nonce=next(_nonces),
        deleted=deleted,
        boundElements=[{"type": "text", "id": f"{element_id}-text"}] if label else None,
        points=[[0.0, 0.0], [x1 - x0, y1 - y0]],
        lastCommittedPoint=None,
        startBinding={"elementId": start["id"], "focus": 0, "gap": 4} if bound else None,
        endBinding={"elementId": end["id"], "focus": 0, "gap": 4} if bound else None,
        startArrowhead=start_head,
        endArrowhead=end_head,
        elbowed=False,
    )
    if not label:
        return [line]
    caption = free_text(f"{element_id}-text", label, x=(x0 + x1) / 2, y=(y0 + y1) / 2, version=version)
    return [line, {**caption, "containerId": element_id}]


class Sketch:
    """A board being drawn: named shapes (kept for drawing arrows between them) and the elements."""

    def __init__(self):
        self.shapes: dict[str, dict[str, Any]] = {}

    def box(self, element_id: str, label: str, *, x: float, y: float, **extra) -> list[dict[str, Any]]:
        elements = box(element_id, label, x=x, y=y, **extra)
        self.shapes[element_id] = elements[0]
        return elements

    def arrow(self, element_id: str, start: str, end: str, **extra) -> list[dict[str, Any]]:
        return arrow(element_id, self.shapes[start], self.shapes[end], **extra)
