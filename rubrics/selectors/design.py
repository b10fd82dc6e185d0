"""A problem's reference design, ready to show once a session is over: its components per lane,
the arrows between them, and a drawing of both lanes made with the board's own SVG renderer.

The drawing is laid out, not drawn by hand: components stack down their lane in the order the
problem lists them; an arrow between lanes runs straight across the gap, one between neighbours in
a lane runs straight down (or up), and a longer one in a lane takes a detour along the lane's
outer edge so it does not cross the boxes in between."""

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from whiteboard.render import board_svg

from .content import REFERENCE_LANES, reference_design_as_data

LANE_TITLES = {"offline": "Offline", "online": "Online"}

LANE_WIDTH = 330.0
LANE_GAP = 150.0
LANE_TOP = 40.0
BOX_WIDTH = 220.0
BOX_HEIGHT = 52.0
ROW_GAP = 30.0
DETOUR_MARGIN = 80.0  # room beside the boxes (outside the gap) for detours within a lane
DETOUR_STEP = 12.0
FILL = {"offline": "#e7f0ff", "online": "#e6f6ea"}
ACROSS_COLOUR = "#1971c2"
WITHIN_COLOUR = "#1e1e1e"


@dataclass(frozen=True)
class DesignArrow:
    source: str
    target: str
    label: str
    across: bool  # joins the offline lane to the online lane (either way)


@dataclass(frozen=True)
class ReferenceDesign:
    offline: list[str]
    online: list[str]
    arrows: list[DesignArrow]
    svg: SafeString


def _base(element_id: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": element_id,
        "type": kind,
        "x": 0.0,
        "y": 0.0,
        "width": 0.0,
        "height": 0.0,
        "angle": 0,
        "strokeColor": WITHIN_COLOUR,
        "backgroundColor": "transparent",
        "fillStyle": "solid",
        "strokeWidth": 2,
        "strokeStyle": "solid",
        "roughness": 0,
        "opacity": 100,
        "isDeleted": False,
        **fields,
    }


def _lane_left(lane: str) -> float:
    return 0.0 if lane == "offline" else LANE_WIDTH + LANE_GAP


def _box_left(lane: str) -> float:
    # Boxes sit towards the gap between the lanes; the outer side is left for detours.
    return _lane_left(lane) + (LANE_WIDTH - BOX_WIDTH - 30.0 if lane == "offline" else 30.0)


def _row_top(row: int) -> float:
    return LANE_TOP + 30.0 + row * (BOX_HEIGHT + ROW_GAP)


def _arrow_points(source: tuple[str, int], target: tuple[str, int], detour: int) -> list[tuple[float, float]]:
    (lane_a, row_a), (lane_b, row_b) = source, target
    middle_a = _row_top(row_a) + BOX_HEIGHT / 2
    middle_b = _row_top(row_b) + BOX_HEIGHT / 2
    if lane_a != lane_b:
        a_right = lane_a == "offline"  # leaves the offline box by its right edge, the online one by its left
        start_x = _box_left(lane_a) + (BOX_WIDTH if a_right else 0.0)
        end_x = _box_left(lane_b) + (0.0 if a_right else BOX_WIDTH)
        return [(start_x, middle_a), (end_x, middle_b)]
    if abs(row_a - row_b) == 1:
        down = row_b > row_a
        x = _box_left(lane_a) + BOX_WIDTH / 2 + (-12.0 if down else 12.0)
        start_y = _row_top(row_a) + (BOX_HEIGHT if down else 0.0)
        end_y = _row_top(row_b) + (0.0 if down else BOX_HEIGHT)
        return [(x, start_y), (x, end_y)]
    outer_left = lane_a == "offline"
    edge = _box_left(lane_a) + (0.0 if outer_left else BOX_WIDTH)
    offset = 16.0 + DETOUR_STEP * (detour % 5)
    side = edge - offset if outer_left else edge + offset
    return [(edge, middle_a), (side, middle_a), (side, middle_b), (edge, middle_b)]


def reference_design_elements(design: dict[str, list]) -> list[dict[str, Any]]:
    """The design as board elements: a frame per lane, a labelled box per component, an arrow per arrow."""
    place: dict[str, tuple[str, int]] = {}
    for lane in REFERENCE_LANES:
        for row, name in enumerate(design[lane]):
            place[name] = (lane, row)
    rows = max([len(design[lane]) for lane in REFERENCE_LANES] + [1])
    height = _row_top(rows) - LANE_TOP
    elements: list[dict[str, Any]] = []
    for lane in REFERENCE_LANES:
        elements.append(
            _base(
                f"lane-{lane}",
                "frame",
                x=_lane_left(lane),
                y=LANE_TOP,
                width=LANE_WIDTH,
                height=height,
                name=LANE_TITLES[lane],
                strokeColor="#bbbbbb",
            )
        )
    for index, (name, (lane, row)) in enumerate(place.items()):
        box = f"box-{index}"
        elements.append(
            _base(
                box,
                "rectangle",
                x=_box_left(lane),
                y=_row_top(row),
                width=BOX_WIDTH,
                height=BOX_HEIGHT,
                backgroundColor=FILL[lane],
                roundness={"type": 3},
                lane=lane,
            )
        )
        elements.append(
            _base(
                f"{box}-label",
                "text",
                text=name,
                originalText=name,
                fontSize=16,
                lineHeight=1.25,
                containerId=box,
                textAlign="center",
                verticalAlign="middle",
                lane=lane,
            )
        )
    detours = 0
    for index, arrow in enumerate(design["arrows"]):
        source, target = place[arrow[0]], place[arrow[1]]
        within_far = source[0] == target[0] and abs(source[1] - target[1]) > 1
        points = _arrow_points(source, target, detours)
        detours += within_far
        x0, y0 = points[0]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        elements.append(
            _base(
                f"arrow-{index}",
                "arrow",
                x=x0,
                y=y0,
                width=max(xs) - min(xs),
                height=max(ys) - min(ys),
                points=[[x - x0, y - y0] for x, y in points],
                strokeColor=ACROSS_COLOUR if source[0] != target[0] else WITHIN_COLOUR,
                strokeWidth=1.5,
                startArrowhead=None,
                endArrowhead="arrow",
            )
        )
    return elements


def reference_design_svg(design: dict[str, list], *, title: str) -> SafeString:
    """The drawing as inline SVG markup. Safe to insert: ElementTree escapes every name."""
    svg = board_svg(reference_design_elements(design), title=title).decode("utf-8")
    return mark_safe(svg.split("\n", 1)[1] if svg.startswith("<?xml") else svg)  # noqa: S308 - escaped by ElementTree


def reference_design_for(problem) -> ReferenceDesign | None:
    """The problem's reference design, or None when it has none."""
    design = reference_design_as_data(problem.reference_design)
    if not any(design[lane] for lane in REFERENCE_LANES):
        return None
    names = {name: lane for lane in REFERENCE_LANES for name in design[lane]}
    arrows = [
        DesignArrow(
            source=arrow[0],
            target=arrow[1],
            label=arrow[2] if len(arrow) > 2 else "",
            across=names.get(arrow[0]) != names.get(arrow[1]),
        )
        for arrow in design["arrows"]
        if arrow[0] in names and arrow[1] in names  # stored rows were checked on the way in; be safe anyway
    ]
    design["arrows"] = [[a.source, a.target] for a in arrows]
    return ReferenceDesign(
        offline=design["offline"],
        online=design["online"],
        arrows=arrows,
        svg=reference_design_svg(design, title=f"Reference design: {problem.title}"),
    )
