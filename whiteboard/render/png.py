"""The board as PNG, drawn with Pillow from the same primitives as the SVG.

What it costs is bounded: the drawing keeps to its budgets (board.py), and the painter to a dash
budget and an ink budget (below)."""

import io
import itertools
import math
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from .board import (
    RGBA,
    BoardDrawing,
    DashBudget,
    ElementDrawing,
    Label,
    Point,
    Shape,
    board_drawing,
    path_length,
    rotate,
)
from .fonts import FONT_REGULAR

SCALE = 2.0  # pixels per board unit, for a crisp picture on high-density screens
MAX_SIDE = 4000  # pixels; a larger board is drawn smaller
# What one picture may paint, in pixels of plain fill (about 4 ns each here): 50 million, three
# times over a 4000 x 4000 picture, about a fifth of a second of Pillow's time. A fill is charged
# its bounding box, text a square of its font size per character, and the slower kinds of painting
# what they cost against a fill (below). Past the budget strokes are drawn one pixel wide and
# turned text upright; what still does not fit is left out. A hand-drawn board spends a few million.
INK_PER_PICTURE = 50_000_000
LINE_COST = 6  # per pixel along a stroke, whatever its width
WIDTH_COST = 4  # per pixel of a stroke's width along it, and of each round joint
LAYER_COST = 35  # per pixel of a turned text's layer: turned (bicubic, up to twice as large) and laid down
# Writing a PNG costs about its compressed size, and a busy picture compresses badly: 4000 x 4000
# pixels of crossing many-coloured lines take 3 s here at any zlib level. A picture with more than
# BUSY_LINES pixels of line and text in it (strokes and fill edges by length, text by characters x
# font size) is written at most BUSY_MAX_SIDE wide and high; a hand-drawn board has tens of thousands.
BUSY_LINES = 1_000_000
BUSY_MAX_SIDE = 2000
COMPRESS_LEVEL = 6  # zlib's default; 9 takes three times as long for files 3% smaller


@lru_cache(maxsize=64)
def _font(size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_REGULAR), size=max(1, size_px))


def _faded(rgba: RGBA | None, opacity: float) -> RGBA | None:
    if rgba is None:
        return None
    return (*rgba[:3], round(rgba[3] * opacity))


def _dashes(points: list[Point], on: float, off: float) -> list[list[Point]]:
    """Split a polyline into the pieces a dash pattern draws."""
    pieces: list[list[Point]] = []
    drawing, left = True, on
    current = [points[0]]
    for a, b in itertools.pairwise(points):
        length = math.dist(a, b)
        done = 0.0
        while length - done > left:
            done += left
            t = done / length
            cut = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
            if drawing:
                pieces.append([*current, cut])
            current = [cut]
            drawing = not drawing
            left = on if drawing else off
        left -= length - done
        if drawing:
            current.append(b)
        else:
            current = [b]
    if drawing and len(current) > 1:
        pieces.append(current)
    return pieces


def _stroke_cost(length: float, points: int, width: int) -> float:
    return length * (LINE_COST + WIDTH_COST * width) + points * WIDTH_COST * width * width


def _box_area(points: list[Point]) -> float:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (max(xs) - min(xs)) * (max(ys) - min(ys))


class _Painter:
    def __init__(self, drawing: BoardDrawing, scale: float):
        self.drawing = drawing
        self.scale = scale
        size = (max(1, math.ceil(drawing.width * scale)), max(1, math.ceil(drawing.height * scale)))
        self.image = Image.new("RGB", size, (255, 255, 255))
        self.draw = ImageDraw.Draw(self.image, "RGBA")  # RGBA mode blends translucent colours
        self.ink = float(INK_PER_PICTURE)
        self.dashes = DashBudget()
        self.lines = 0.0  # pixels of line and text drawn: how busy the picture is

    def px(self, point: Point) -> Point:
        return ((point[0] - self.drawing.left) * self.scale, (point[1] - self.drawing.top) * self.scale)

    def spend(self, pixels: float) -> bool:
        """Whether the ink budget has `pixels` left; if so, they are spent."""
        if pixels > self.ink:
            return False
        self.ink -= pixels
        return True

    def affordable(self, path: list[Point]) -> list[Point]:
        """As much of `path`, drawn one pixel wide, as the ink left pays for (spent)."""
        kept = path[:1]
        for a, b in itertools.pairwise(path):
            if not self.spend(_stroke_cost(math.dist(a, b), 1, 1)):
                break
            kept.append(b)
        return kept

    def shape(self, shape: Shape, outline: list[Point], element: ElementDrawing) -> None:
        left, top, scale = self.drawing.left, self.drawing.top, self.scale
        points = [((x - left) * scale, (y - top) * scale) for x, y in outline]
        if len(points) < 2:
            return
        fill = _faded(shape.style.fill, element.opacity) if shape.closed else None
        path = [*points, points[0]] if shape.closed else points
        length = path_length(path)
        if fill is not None and len(points) >= 3 and self.spend(_box_area(points)):
            self.draw.polygon(points, fill=fill)
            self.lines += length
        stroke = _faded(shape.style.stroke, element.opacity)
        if stroke is None:
            return
        width = max(1, round(shape.style.width * self.scale))
        if not self.spend(_stroke_cost(length, len(path), width)):
            # past the budget: one pixel wide and solid, as far as the ink goes
            path = self.affordable(path)
            if len(path) >= 2:
                self.draw.line(path, fill=stroke, width=1)
                self.lines += path_length(path)
            return
        self.lines += length
        if shape.style.dash != "solid":
            on, off = (width * 4, width * 3) if shape.style.dash == "dashed" else (width * 0.5, width * 2.5)
            on, off = max(on, 1.0), max(off, 1.0)
            if self.dashes.allows(length, on + off):
                for piece in _dashes(path, on, off):
                    self.draw.line(piece, fill=stroke, width=width, joint="curve")
                return
        self.draw.line(path, fill=stroke, width=width, joint="curve")

    def label(self, label: Label, element: ElementDrawing) -> None:
        font = _font(round(label.font_size * self.scale))
        chars = sum(map(len, label.lines))
        if not self.spend(chars * font.size**2):
            return
        self.lines += chars * font.size
        fill = _faded(label.colour, element.opacity)
        anchor = {"start": "ls", "middle": "ms", "end": "rs"}[label.align]
        box = label.outline()
        left, top = box[0]
        right, bottom = box[2]
        pad = label.font_size
        layer_size = (
            max(1, math.ceil((right - left + 2 * pad) * self.scale)),
            max(1, math.ceil((bottom - top + 2 * pad) * self.scale)),
        )
        middle = ((left + right) / 2, (top + bottom) / 2)
        turned_middle = rotate(middle, element.rotation, element.centre)
        if not element.rotation or not self.spend(layer_size[0] * layer_size[1] * LAYER_COST):
            # upright, centred where the turned text would be
            dx, dy = turned_middle[0] - middle[0], turned_middle[1] - middle[1]
            for index, line in enumerate(label.lines):
                if line:
                    at = self.px((label.x + dx, label.baseline(index) + dy))
                    self.draw.text(at, line, font=font, fill=fill, anchor=anchor)
            return
        # Rotated text: draw it upright on a layer of its own, turn the layer, lay it on the board.
        layer = Image.new("RGBA", layer_size, (0, 0, 0, 0))
        layer_draw = ImageDraw.Draw(layer)
        for index, line in enumerate(label.lines):
            if line:
                at = ((label.x - left + pad) * self.scale, (label.baseline(index) - top + pad) * self.scale)
                layer_draw.text(at, line, font=font, fill=fill, anchor=anchor)
        turned = layer.rotate(-element.rotation, expand=True, resample=Image.Resampling.BICUBIC)
        cx, cy = self.px(turned_middle)
        self.image.paste(turned, (round(cx - turned.width / 2), round(cy - turned.height / 2)), turned)

    def paint(self) -> Image.Image:
        for element in self.drawing.elements:
            for item, outline in zip(element.items, element.outlines(), strict=True):
                if isinstance(item, Label):
                    self.label(item, element)
                else:
                    self.shape(item, outline, element)
        return self.image


def board_png(elements: list[dict[str, Any]], *, scale: float = SCALE, max_side: int = MAX_SIDE) -> bytes:
    drawing = board_drawing(elements)
    scale = min(scale, max_side / drawing.width, max_side / drawing.height)
    painter = _Painter(drawing, scale)
    image = painter.paint()
    if painter.lines > BUSY_LINES and max(image.size) > BUSY_MAX_SIDE:
        image = image.reduce(math.ceil(max(image.size) / BUSY_MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=COMPRESS_LEVEL)
    return out.getvalue()
