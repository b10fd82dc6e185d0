"""Boards for the export tests and bench/board_export.py: one builder for both."""

import json

from whiteboard.validation import MAX_COORD, MAX_POINTS


def element(element_id: str, kind: str, **fields) -> dict:
    return {
        "id": element_id,
        "type": kind,
        "x": 0,
        "y": 0,
        "width": 100,
        "height": 100,
        "angle": 0,
        "version": 1,
        "versionNonce": 1,
        "isDeleted": False,
        "strokeColor": "#1e1e1e",
        "backgroundColor": "transparent",
        "fillStyle": "solid",
        "strokeWidth": 2,
        "strokeStyle": "solid",
        "roughness": 1,
        "opacity": 100,
        "groupIds": [],
        "frameId": None,
        "boundElements": None,
        "locked": False,
        **fields,
    }


def zigzag(count: int, reach: float, rise: float) -> list[list[float]]:
    """`count` points going back and forth between the origin and (reach, ±rise)."""
    return [[0, 0] if n % 2 == 0 else [reach, rise if n % 4 == 1 else -rise] for n in range(count)]


def attack(max_bytes: int) -> list[dict]:
    """Three dotted zig-zags corner to corner of the board at ±1,000,000, with as many points as
    one element may carry (5,000, or fewer where `max_bytes` of JSON runs out first)."""
    for count in range(MAX_POINTS, 0, -100):
        points = zigzag(count, MAX_COORD, MAX_COORD)
        lines = [
            element(f"zig-{n}", kind, strokeStyle="dotted", strokeWidth=1, points=points, endArrowhead=None)
            for n, kind in enumerate(("line", "arrow", "line"))
        ]
        if len(json.dumps(lines[0], separators=(",", ":"))) <= max_bytes:
            return lines
    raise ValueError(f"no zig-zag fits in {max_bytes} bytes")
