"""A board's elements (Excalidraw JSON) turned into plain drawing primitives, in board coordinates.

The SVG and the PNG export draw the same primitives, so the two pictures agree. What is drawn:
rectangles, ellipses, diamonds, lines and arrows (with their arrowheads), free-hand strokes, free
text and text bound to a container (wrapped, roughly, to the container's width), and the lane
frames with their names; stroke and background colours, stroke width and style, opacity, and
rotation. The hand-drawn look is not: every line is straight and clean.

What one export draws is bounded, whatever the board holds (see the budgets below)."""

import itertools
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from PIL import ImageColor

Point = tuple[float, float]
RGBA = tuple[int, int, int, int]

MARGIN = 40.0
CHAR_WIDTH = 0.6  # of the font size: DejaVu Sans' average advance, a little generous
BOUND_TEXT_PADDING = 5.0  # Excalidraw's padding between a container and its text
FRAME_LABEL_SIZE = 14.0
FRAME_LABEL_COLOUR: RGBA = (93, 102, 121, 255)
DEFAULT_STROKE: RGBA = (30, 30, 30, 255)
# Budgets of one drawing. Validation lets a board hold 5,000 elements of up to 5,000 points and
# 10,000 characters each; drawn in full, three dotted zig-zags took 43 s of CPU per board.png.
# Past a budget the drawing is simplified, never refused: every element keeps an equal share (those
# under it keep all they have), long lines keep every n-th point, long texts are cut short with
# "…", and dashed or dotted outlines are drawn solid. Hand-drawn boards stay far under them.
POINTS_PER_DRAWING = 50_000  # of lines, arrows and free-hand strokes, all together
CHARS_PER_DRAWING = 20_000  # of text (labels, frame names and the SVG's titles), all together
LINES_PER_DRAWING = 2_000  # of text, once wrapped (or one per text, if there are more texts)
DASHES_PER_ELEMENT = 10_000  # dash pieces along one outline (a dotted one twice round a 4000-px picture)
DASHES_PER_DRAWING = 20_000
ELLIPSIS = "…"
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_NAME = re.compile(r"[A-Za-z]{3,30}")


def colour(value: Any, default: RGBA | None) -> RGBA | None:
    """A stroke or background colour as RGBA; None for transparent. Anything not a plain CSS
    colour (hex or name) is replaced by `default`, so no user string reaches the output as is."""
    if not isinstance(value, str):
        return default
    value = value.strip()
    if value.lower() in ("", "transparent", "none"):
        return None
    if not (_HEX.fullmatch(value) or _NAME.fullmatch(value)):
        return default
    try:
        rgba = ImageColor.getcolor(value, "RGBA")
    except ValueError:
        return default
    if not isinstance(rgba, tuple):  # "RGBA" always gives a tuple; a single int is for one-band modes
        return default
    red, green, blue, alpha = rgba
    return None if alpha == 0 else (red, green, blue, alpha)


@dataclass
class Style:
    stroke: RGBA | None
    fill: RGBA | None
    width: float = 2.0
    dash: Literal["solid", "dashed", "dotted"] = "solid"


# Cosines and sines of the points an outline goes through: an ellipse's 72, a rounded corner's 9.
_ELLIPSE = [(math.cos(t), math.sin(t)) for t in (2 * math.pi * i / 72 for i in range(72))]
_CORNERS = [
    [(math.cos(t), math.sin(t)) for t in (math.radians(start + 90 * i / 8) for i in range(9))]
    for start in (-90, 0, 90, 180)
]


@dataclass
class Shape:
    kind: Literal["rect", "ellipse", "polygon", "polyline"]
    style: Style
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x, y, width, height (rect, ellipse)
    radius: float = 0.0  # rounded corners (rect)
    points: list[Point] = field(default_factory=list)  # polygon, polyline

    def outline(self) -> list[Point]:
        """The shape as a list of points (closed shapes: first point not repeated)."""
        x, y, w, h = self.box
        if self.kind == "ellipse":
            cx, cy, rx, ry = x + w / 2, y + h / 2, w / 2, h / 2
            return [(cx + rx * cos, cy + ry * sin) for cos, sin in _ELLIPSE]
        if self.kind == "rect":
            r = min(self.radius, w / 2, h / 2)
            if r <= 0:
                return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
            corners = [(x + w - r, y + r), (x + w - r, y + h - r), (x + r, y + h - r), (x + r, y + r)]
            arcs = zip(corners, _CORNERS, strict=True)
            return [(cx + r * cos, cy + r * sin) for (cx, cy), arc in arcs for cos, sin in arc]
        return list(self.points)

    @property
    def closed(self) -> bool:
        return self.kind != "polyline"


Align = Literal["start", "middle", "end"]
_BOUND_ALIGN: dict[str, Align] = {"left": "start", "right": "end"}  # Excalidraw's textAlign to SVG's


@dataclass
class Label:
    lines: list[str]
    x: float  # where each line is anchored, horizontally
    top: float
    font_size: float
    line_height: float  # in board units
    align: Align
    colour: RGBA
    mono: bool = False

    def baseline(self, index: int) -> float:
        return self.top + index * self.line_height + (self.line_height - self.font_size) / 2 + 0.8 * self.font_size

    def width(self) -> float:
        return max((len(line) for line in self.lines), default=0) * self.font_size * CHAR_WIDTH

    def outline(self) -> list[Point]:
        width = self.width()
        left = {"start": self.x, "middle": self.x - width / 2, "end": self.x - width}[self.align]
        bottom = self.top + self.line_height * len(self.lines)
        return [(left, self.top), (left + width, self.top), (left + width, bottom), (left, bottom)]


@dataclass
class ElementDrawing:
    """What one element draws. Its items turn together by `rotation` degrees around `centre`.
    `title`: what a screen reader announces (a frame's name, the full text of a label)."""

    element_id: str
    type: str
    lane: str | None
    items: list[Shape | Label]
    opacity: float = 1.0
    rotation: float = 0.0
    centre: Point = (0.0, 0.0)
    title: str | None = None
    _outlines: list[list[Point]] | None = field(default=None, repr=False, compare=False)

    def outlines(self) -> list[list[Point]]:
        """Each item's outline, turned; worked out once (the area a drawing covers needs them too)."""
        if self._outlines is None:
            self._outlines = [rotated(item.outline(), self.rotation, self.centre) for item in self.items]
        return self._outlines

    def points(self) -> list[Point]:
        return [p for outline in self.outlines() for p in outline]


@dataclass
class BoardDrawing:
    elements: list[ElementDrawing]
    left: float
    top: float
    width: float
    height: float


def fair_share(sizes: list[int], budget: int) -> int | None:
    """The most each item may keep so that all together keep at most `budget`, items under that
    share keeping all they have; None when everything fits."""
    if sum(sizes) <= budget:
        return None
    left = budget
    for index, size in enumerate(sorted(sizes)):
        share = left // (len(sizes) - index)
        if size > share:
            return share
        left -= size
    return None


def thinned(values: Sequence, keep: int) -> Sequence:
    """Every n-th of `values`, the first and the last always, at most `keep` (at least 2) of them."""
    if len(values) <= keep:
        return values
    step = math.ceil((len(values) - 1) / (max(keep, 2) - 1))
    kept = list(values[::step])  # a slice: the points left out are never looked at
    if (len(values) - 1) % step:
        kept.append(values[-1])
    return kept


def cut(text: str, keep: int | None) -> str:
    return text if keep is None or len(text) <= keep else text[:keep] + ELLIPSIS


class DashBudget:
    """Dash pieces one picture may draw: at most DASHES_PER_ELEMENT along one outline and
    DASHES_PER_DRAWING in all. An outline that would need more is drawn solid; at that density a
    dotted line looks solid anyway. Each export counts in its own units (pixels, board units)."""

    def __init__(self) -> None:
        self.left = DASHES_PER_DRAWING

    def allows(self, length: float, period: float) -> bool:
        pieces = math.ceil(length / period)
        if pieces > min(DASHES_PER_ELEMENT, self.left):
            return False
        self.left -= pieces
        return True


def path_length(points: list[Point]) -> float:
    return sum(map(math.dist, points, points[1:]))


def rotate(point: Point, degrees: float, centre: Point) -> Point:
    if not degrees:
        return point
    t = math.radians(degrees)
    dx, dy = point[0] - centre[0], point[1] - centre[1]
    return (centre[0] + dx * math.cos(t) - dy * math.sin(t), centre[1] + dx * math.sin(t) + dy * math.cos(t))


def rotated(points: list[Point], degrees: float, centre: Point) -> list[Point]:
    """`rotate` for many points at once."""
    if not degrees:
        return points
    t = math.radians(degrees)
    cos, sin = math.cos(t), math.sin(t)
    cx, cy = centre
    return [(cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos) for x, y in points]


def _num(element: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = element.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return float(value)


def _style(element: dict[str, Any], *, filled: bool = True) -> Style:
    fill = colour(element.get("backgroundColor"), None) if filled else None
    if fill is not None and element.get("fillStyle") in ("hachure", "cross-hatch", "zigzag"):
        fill = (*fill[:3], fill[3] // 2)  # hatching covers about half the area
    dash = element.get("strokeStyle")
    return Style(
        stroke=colour(element.get("strokeColor"), DEFAULT_STROKE),
        fill=fill,
        width=max(0.5, min(_num(element, "strokeWidth", 2.0), 16.0)),
        dash=dash if dash in ("dashed", "dotted") else "solid",
    )


def _box(element: dict[str, Any]) -> tuple[float, float, float, float]:
    x, y = _num(element, "x"), _num(element, "y")
    w, h = _num(element, "width"), _num(element, "height")
    # Excalidraw keeps a shape drawn leftwards or upwards with a positive size; be tolerant anyway.
    return (x + min(w, 0), y + min(h, 0), abs(w), abs(h))


def _points(element: dict[str, Any], keep: int | None = None) -> list[Point]:
    x, y = _num(element, "x"), _num(element, "y")
    raw = element.get("points")
    if not isinstance(raw, list | tuple):
        return []
    points = []
    for point in raw if keep is None else thinned(raw, keep):
        if isinstance(point, list | tuple) and len(point) == 2:
            px, py = point
            if isinstance(px, int | float) and isinstance(py, int | float):
                points.append((x + float(px), y + float(py)))
    return points


def _centre(element: dict[str, Any], points: list[Point]) -> Point:
    """The middle of a line's `points`, or of a shape's box."""
    if element.get("type") in ("arrow", "line", "freedraw") and points:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    x, y, w, h = _box(element)
    return (x + w / 2, y + h / 2)


def _radius(element: dict[str, Any], w: float, h: float) -> float:
    roundness = element.get("roundness")
    if not isinstance(roundness, dict):
        return 0.0
    if roundness.get("type") == 3:  # adaptive: a fixed radius, at most a quarter of the short side
        return min(32.0, min(w, h) * 0.25)
    return min(w, h) * 0.25


def arrowhead(kind: Any, tip: Point, before: Point, style: Style) -> list[Shape]:
    """The head drawn at `tip` of a segment coming from `before`."""
    dx, dy = tip[0] - before[0], tip[1] - before[1]
    length = math.hypot(dx, dy)
    if length == 0:
        return []
    ux, uy = dx / length, dy / length
    size = min(max(12.0, 4 * style.width + 8), max(length * 0.5, 6.0))
    back = (tip[0] - ux * size, tip[1] - uy * size)
    px, py = -uy, ux  # perpendicular
    solid = Style(stroke=style.stroke, fill=style.stroke, width=style.width)
    hollow = Style(stroke=style.stroke, fill=(255, 255, 255, 255), width=style.width)
    spread = size * math.tan(math.radians(25))
    wings = [(back[0] + px * spread, back[1] + py * spread), (back[0] - px * spread, back[1] - py * spread)]
    if kind in ("triangle", "triangle_outline"):
        return [Shape("polygon", solid if kind == "triangle" else hollow, points=[tip, wings[0], wings[1]])]
    if kind == "bar":
        half = size / 2
        ends = [(tip[0] + px * half, tip[1] + py * half), (tip[0] - px * half, tip[1] - py * half)]
        return [Shape("polyline", Style(stroke=style.stroke, fill=None, width=style.width), points=ends)]
    if kind in ("dot", "circle", "circle_outline"):
        r = size / 3
        centre = (tip[0] - ux * r, tip[1] - uy * r)
        return [
            Shape(
                "ellipse",
                hollow if kind == "circle_outline" else solid,
                box=(centre[0] - r, centre[1] - r, 2 * r, 2 * r),
            )
        ]
    if kind in ("diamond", "diamond_outline"):
        mid = (tip[0] - ux * size / 2, tip[1] - uy * size / 2)
        points = [
            tip,
            (mid[0] + px * size / 4, mid[1] + py * size / 4),
            back,
            (mid[0] - px * size / 4, mid[1] - py * size / 4),
        ]
        return [Shape("polygon", solid if kind == "diamond" else hollow, points=points)]
    # "arrow", and the heads drawn no other way (crow's feet): an open V
    line = Style(stroke=style.stroke, fill=None, width=style.width)
    return [Shape("polyline", line, points=[wings[0], tip, wings[1]])]


def _linear(points: list[Point], element: dict[str, Any]) -> list[Shape]:
    if len(points) < 2:
        return []
    style = _style(element, filled=False)
    items: list[Shape] = [Shape("polyline", style, points=points)]
    is_arrow = element.get("type") == "arrow"
    end = element.get("endArrowhead", "arrow" if is_arrow else None)
    start = element.get("startArrowhead")
    distinct = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(distinct) >= 2:
        if end:
            items += arrowhead(end, distinct[-1], distinct[-2], style)
        if start:
            items += arrowhead(start, distinct[0], distinct[1], style)
    return items


def _text_settings(element: dict[str, Any]) -> tuple[float, float, bool, RGBA]:
    size = max(4.0, min(_num(element, "fontSize", 20.0), 400.0))
    line_height = max(0.8, min(_num(element, "lineHeight", 1.25), 4.0)) * size
    mono = element.get("fontFamily") == 3
    return size, line_height, mono, colour(element.get("strokeColor"), DEFAULT_STROKE) or DEFAULT_STROKE


def wrap(text: str, width: float, font_size: float) -> list[str]:
    """Break `text` into lines that fit `width`, roughly, keeping its own line breaks."""
    chars = max(1, int(width / (font_size * CHAR_WIDTH)))
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += textwrap.wrap(paragraph, width=chars, break_long_words=True, break_on_hyphens=True) or [""]
    return lines


def _midpoint(points: list[Point]) -> Point:
    """The point half-way along a polyline."""
    lengths = [math.dist(a, b) for a, b in itertools.pairwise(points)]
    remaining = sum(lengths) / 2
    for (a, b), length in zip(itertools.pairwise(points), lengths, strict=True):
        if remaining <= length and length > 0:
            t = remaining / length
            return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
        remaining -= length
    return points[0]


@dataclass
class _Board:
    """The live elements, and how much of each one the drawing keeps (None: all of it)."""

    by_id: dict[str, dict[str, Any]]
    points: int | None = None  # per line, arrow or free-hand stroke
    chars: int | None = None  # per text
    lines: int | None = None  # per text, once wrapped
    _midpoints: dict[str, Point] = field(default_factory=dict)

    def midpoint(self, container: dict[str, Any]) -> Point:
        """Where text bound to a line or an arrow sits; worked out once however many texts it carries."""
        key = str(container.get("id"))
        if key not in self._midpoints:
            points = _points(container, self.points)
            self._midpoints[key] = _midpoint(points) if points else _centre(container, points)
        return self._midpoints[key]

    def wrapped(self, lines: list[str]) -> list[str]:
        """A text's lines, cut short past its share; every text keeps its first line."""
        if self.lines is None or len(lines) <= self.lines:
            return lines
        keep = max(self.lines, 1)
        return [*lines[: keep - 1], lines[keep - 1].rstrip(ELLIPSIS) + ELLIPSIS]


def _bound_label(element: dict[str, Any], container: dict[str, Any], board: _Board) -> tuple[Label, float, Point]:
    """Text bound to a container: centred in it (on an arrow: at its middle), wrapped to its width."""
    size, line_height, mono, ink = _text_settings(element)
    text = cut(element.get("originalText") or element.get("text") or "", board.chars)
    if container.get("type") in ("arrow", "line"):
        cx, cy = board.midpoint(container)
        width = max(_num(element, "width"), 10 * size * CHAR_WIDTH)
        lines = board.wrapped(wrap(text, width, size))
        top = cy - line_height * len(lines) / 2
        return Label(lines, cx, top, size, line_height, "middle", ink, mono), 0.0, (cx, cy)
    x, y, w, h = _box(container)
    usable = {"ellipse": w / math.sqrt(2), "diamond": w / 2}.get(container.get("type", ""), w)
    lines = board.wrapped(wrap(text, max(usable - 2 * BOUND_TEXT_PADDING, size), size))
    block = line_height * len(lines)
    vertical = element.get("verticalAlign")
    if vertical == "top":
        top = y + BOUND_TEXT_PADDING
    elif vertical == "bottom":
        top = y + h - BOUND_TEXT_PADDING - block
    else:
        top = y + (h - block) / 2
    align = _BOUND_ALIGN.get(element.get("textAlign", ""), "middle")
    anchor = {"start": x + BOUND_TEXT_PADDING, "end": x + w - BOUND_TEXT_PADDING}.get(align, x + w / 2)
    angle = math.degrees(_num(container, "angle"))
    return Label(lines, anchor, top, size, line_height, align, ink, mono), angle, (x + w / 2, y + h / 2)


_FREE_ALIGN: dict[str, Align] = {"center": "middle", "right": "end"}  # Excalidraw's textAlign to SVG's


def _free_label(element: dict[str, Any], board: _Board) -> Label:
    size, line_height, mono, ink = _text_settings(element)
    lines = board.wrapped(cut(element.get("text") or "", board.chars).splitlines() or [""])
    x, y, w, _ = _box(element)
    align = _FREE_ALIGN.get(element.get("textAlign", ""), "start")
    anchor = {"middle": x + w / 2, "end": x + w}.get(align, x)
    return Label(lines, anchor, y, size, line_height, align, ink, mono)


def _texts(element: dict[str, Any]) -> list[str]:
    """What an element may show as text: a frame's name; any other element's text and original text."""
    if element.get("type") == "frame":
        values = [element.get("name")]
    else:
        values = [element.get("originalText"), element.get("text")]
    return [value for value in values if isinstance(value, str)]


def element_drawing(element: dict[str, Any], board: _Board) -> ElementDrawing | None:
    kind = element.get("type")
    element_id = str(element.get("id", ""))
    lane = element.get("lane")
    opacity = max(0.0, min(_num(element, "opacity", 100.0), 100.0)) / 100
    angle = math.degrees(_num(element, "angle"))
    points = _points(element, board.points) if kind in ("arrow", "line", "freedraw") else []
    centre = _centre(element, points)
    items: list[Shape | Label] = []
    title = element.get("name") if kind == "frame" else element.get("originalText") or element.get("text")
    if kind == "frame":
        x, y, w, h = _box(element)
        style = Style(stroke=colour(element.get("strokeColor"), (187, 187, 187, 255)), fill=None, width=2.0)
        items.append(Shape("rect", style, box=(x, y, w, h), radius=8.0))
        if isinstance(title, str) and title:
            top = y - FRAME_LABEL_SIZE * 1.25 - 4
            name = board.wrapped([cut(title, board.chars)])
            items.append(Label(name, x, top, FRAME_LABEL_SIZE, FRAME_LABEL_SIZE * 1.25, "start", FRAME_LABEL_COLOUR))
        angle = 0.0
    elif kind in ("rectangle", "ellipse", "diamond"):
        x, y, w, h = _box(element)
        style = _style(element)
        if kind == "rectangle":
            items.append(Shape("rect", style, box=(x, y, w, h), radius=_radius(element, w, h)))
        elif kind == "ellipse":
            items.append(Shape("ellipse", style, box=(x, y, w, h)))
        else:
            diamond = [(x + w / 2, y), (x + w, y + h / 2), (x + w / 2, y + h), (x, y + h / 2)]
            items.append(Shape("polygon", style, points=diamond))
    elif kind in ("arrow", "line"):
        items += _linear(points, element)
    elif kind == "freedraw":
        if len(points) >= 2:
            items.append(Shape("polyline", _style(element, filled=False), points=points))
    elif kind == "text":
        container = board.by_id.get(element.get("containerId") or "")
        if container is not None:
            label, angle, centre = _bound_label(element, container, board)
        else:
            label = _free_label(element, board)
        items.append(label)
    if not items:
        return None
    title = cut(title, board.chars) if isinstance(title, str) and title else None
    return ElementDrawing(element_id, str(kind), lane, items, opacity, angle, centre, title)


def _labels(drawing: ElementDrawing | None) -> list[Label]:
    return [item for item in drawing.items if isinstance(item, Label)] if drawing else []


def board_drawing(elements: list[dict[str, Any]]) -> BoardDrawing:
    """Primitives for every live element, in stacking order, and the area they cover plus a margin."""
    live = [e for e in elements if isinstance(e, dict) and not e.get("isDeleted")]
    board = _Board(by_id={str(e.get("id")): e for e in live})
    lines = [e.get("points") for e in live if e.get("type") in ("arrow", "line", "freedraw")]
    board.points = fair_share([len(p) for p in lines if isinstance(p, list | tuple)], POINTS_PER_DRAWING)
    board.chars = fair_share([max(map(len, _texts(e)), default=0) for e in live], CHARS_PER_DRAWING)
    drawings = [element_drawing(e, board) for e in live]
    # How many lines a text takes is known once it is wrapped: past the budget, wrap them again, cut short.
    board.lines = fair_share([len(label.lines) for d in drawings for label in _labels(d)], LINES_PER_DRAWING)
    if board.lines is not None:
        drawings = [element_drawing(e, board) if _labels(d) else d for e, d in zip(live, drawings, strict=True)]
    kept = [d for d in drawings if d is not None]
    points = [p for d in kept for p in d.points()]
    if not points:
        return BoardDrawing(kept, 0.0, 0.0, 400.0, 200.0)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    left, top = min(xs) - MARGIN, min(ys) - MARGIN
    right, bottom = max(xs) + MARGIN, max(ys) + MARGIN
    return BoardDrawing(kept, left, top, right - left, bottom - top)
