"""The worst board for the exports, for the export-cost tests and bench/board_export.py: one builder
for both. The elements come from tests/elements.py."""

import json

from whiteboard.validation import MAX_COORD, MAX_POINTS

from ..elements import element, zigzag


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
