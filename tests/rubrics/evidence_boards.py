"""Excalidraw elements for the evidence finder's tests, shaped as the room's board sends them:
shapes with bound text, free text, and arrows bound (or not) to what they point at.

The interview board's lanes: offline x 0-960, online x 1040-2000, both y 0-760."""

import itertools
from typing import Any

from ..ws import rectangle

_nonces = itertools.count(1000)

OFFLINE_X = (40, 260, 480, 700)
ONLINE_X = (1080, 1300, 1520, 1740)
ROWS = (60, 300, 540)


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
    text = {
        "id": text_id,
        "type": "text",
        "x": float(x) + 10,
        "y": float(y) + 22,
        "width": 140.0,
        "height": 25.0,
        "angle": 0,
        "version": version,
        "versionNonce": next(_nonces),
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
        "text": label,
        "originalText": label,
        "fontSize": 20,
        "fontFamily": 5,
        "textAlign": "center",
        "verticalAlign": "middle",
        "containerId": element_id,
        "lineHeight": 1.25,
        "autoResize": True,
    }
    return [shape, text]


def free_text(element_id: str, text: str, *, x: float, y: float, version: int = 1, deleted=False) -> dict[str, Any]:
    """Text typed straight onto the board, not bound to a shape."""
    element = box("unused", text, x=x, y=y)[1]
    element.update(
        id=element_id, x=float(x), y=float(y), containerId=None, version=version, isDeleted=deleted, textAlign="left"
    )
    element["versionNonce"] = next(_nonces)
    return element


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
    element = {
        "id": element_id,
        "type": "arrow",
        "x": x0,
        "y": y0,
        "width": abs(x1 - x0),
        "height": abs(y1 - y0),
        "angle": 0,
        "version": version,
        "versionNonce": next(_nonces),
        "isDeleted": deleted,
        "strokeColor": "#1e1e1e",
        "backgroundColor": "transparent",
        "fillStyle": "solid",
        "strokeWidth": 2,
        "roughness": 1,
        "opacity": 100,
        "groupIds": [],
        "frameId": None,
        "boundElements": [{"type": "text", "id": f"{element_id}-text"}] if label else None,
        "locked": False,
        "points": [[0.0, 0.0], [x1 - x0, y1 - y0]],
        "lastCommittedPoint": None,
        "startBinding": {"elementId": start["id"], "focus": 0, "gap": 4} if bound else None,
        "endBinding": {"elementId": end["id"], "focus": 0, "gap": 4} if bound else None,
        "startArrowhead": start_head,
        "endArrowhead": end_head,
        "elbowed": False,
    }
    elements = [element]
    if label:
        text = free_text(f"{element_id}-text", label, x=(x0 + x1) / 2, y=(y0 + y1) / 2, version=version)
        text["containerId"] = element_id
        elements.append(text)
    return elements


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


def good_board() -> tuple[Sketch, list[list[dict[str, Any]]]]:
    """A strong answer to video recommendation, drawn in batches: the offline pipeline, then the
    online path, then the arrows that tie them together (the feature store shared, logs fed back)."""
    s = Sketch()
    offline = [
        *s.box("ing", "Ingestion (ETL)", x=OFFLINE_X[0], y=ROWS[0]),
        *s.box("fs", "Feature store", x=OFFLINE_X[1], y=ROWS[0]),
        *s.box("train", "Trainer", x=OFFLINE_X[2], y=ROWS[0]),
        *s.box("reg", "Model registry", x=OFFLINE_X[3], y=ROWS[0]),
        *s.box("emb", "Embedding generation", x=OFFLINE_X[0], y=ROWS[1]),
        *s.box("idx", "Index builder", x=OFFLINE_X[1], y=ROWS[1]),
    ]
    online = [
        *s.box("api", "Inference API", x=ONLINE_X[0], y=ROWS[0]),
        *s.box("cg", "Candidate generation", x=ONLINE_X[1], y=ROWS[0]),
        *s.box("rank", "Ranker", x=ONLINE_X[2], y=ROWS[0]),
        *s.box("rerank", "Re-ranking", x=ONLINE_X[3], y=ROWS[0]),
        *s.box("filter", "Filtering", x=ONLINE_X[3], y=ROWS[1]),
        *s.box("logs", "Event logs", x=ONLINE_X[0], y=ROWS[2]),
        *s.box("mon", "Drift detection", x=ONLINE_X[1], y=ROWS[2], kind="ellipse"),
    ]
    arrows = [
        *s.arrow("a1", "ing", "fs"),
        *s.arrow("a2", "fs", "train"),
        *s.arrow("a3", "train", "reg"),
        *s.arrow("a4", "emb", "idx"),
        *s.arrow("a5", "api", "cg"),
        *s.arrow("a6", "cg", "rank"),
        *s.arrow("a7", "rank", "rerank"),
        *s.arrow("a8", "rerank", "filter"),
        *s.arrow("a9", "reg", "rank"),
        *s.arrow("a10", "fs", "rank"),
        *s.arrow("a11", "api", "logs"),
        *s.arrow("a12", "logs", "ing", label="clicks, watch time"),
    ]
    return s, [offline, online, arrows]
