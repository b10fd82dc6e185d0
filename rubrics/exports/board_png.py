"""The board as PNG, drawn with Pillow from the same primitives as the SVG."""

import io
import itertools
import math
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from .board import RGBA, BoardDrawing, ElementDrawing, Label, Point, Shape, board_drawing, rotate
from .fonts import FONT_REGULAR

SCALE = 2.0  # pixels per board unit, for a crisp picture on high-density screens
MAX_SIDE = 4000  # pixels; a larger board is drawn smaller


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


class _Painter:
    def __init__(self, drawing: BoardDrawing, scale: float):
        self.drawing = drawing
        self.scale = scale
        size = (max(1, math.ceil(drawing.width * scale)), max(1, math.ceil(drawing.height * scale)))
        self.image = Image.new("RGB", size, (255, 255, 255))
        self.draw = ImageDraw.Draw(self.image, "RGBA")  # RGBA mode blends translucent colours

    def px(self, point: Point) -> Point:
        return ((point[0] - self.drawing.left) * self.scale, (point[1] - self.drawing.top) * self.scale)

    def shape(self, shape: Shape, element: ElementDrawing) -> None:
        points = [self.px(rotate(p, element.rotation, element.centre)) for p in shape.outline()]
        if len(points) < 2:
            return
        fill = _faded(shape.style.fill, element.opacity) if shape.closed else None
        if fill is not None and len(points) >= 3:
            self.draw.polygon(points, fill=fill)
        stroke = _faded(shape.style.stroke, element.opacity)
        if stroke is None:
            return
        width = max(1, round(shape.style.width * self.scale))
        path = [*points, points[0]] if shape.closed else points
        if shape.style.dash == "solid":
            self.draw.line(path, fill=stroke, width=width, joint="curve")
            return
        on, off = (width * 4, width * 3) if shape.style.dash == "dashed" else (width * 0.5, width * 2.5)
        for piece in _dashes(path, max(on, 1.0), max(off, 1.0)):
            self.draw.line(piece, fill=stroke, width=width, joint="curve")

    def label(self, label: Label, element: ElementDrawing) -> None:
        font = _font(round(label.font_size * self.scale))
        fill = _faded(label.colour, element.opacity)
        anchor = {"start": "ls", "middle": "ms", "end": "rs"}[label.align]
        if not element.rotation:
            for index, line in enumerate(label.lines):
                self.draw.text(self.px((label.x, label.baseline(index))), line, font=font, fill=fill, anchor=anchor)
            return
        # Rotated text: draw it upright on a layer of its own, turn the layer, lay it on the board.
        box = label.outline()
        left, top = box[0]
        right, bottom = box[2]
        pad = label.font_size
        layer_size = (
            max(1, math.ceil((right - left + 2 * pad) * self.scale)),
            max(1, math.ceil((bottom - top + 2 * pad) * self.scale)),
        )
        layer = Image.new("RGBA", layer_size, (0, 0, 0, 0))
        layer_draw = ImageDraw.Draw(layer)
        for index, line in enumerate(label.lines):
            at = ((label.x - left + pad) * self.scale, (label.baseline(index) - top + pad) * self.scale)
            layer_draw.text(at, line, font=font, fill=fill, anchor=anchor)
        turned = layer.rotate(-element.rotation, expand=True, resample=Image.Resampling.BICUBIC)
        middle = rotate(((left + right) / 2, (top + bottom) / 2), element.rotation, element.centre)
        cx, cy = self.px(middle)
        self.image.paste(turned, (round(cx - turned.width / 2), round(cy - turned.height / 2)), turned)

    def paint(self) -> Image.Image:
        for element in self.drawing.elements:
            for item in element.items:
                if isinstance(item, Label):
                    self.label(item, element)
                else:
                    self.shape(item, element)
        return self.image


def board_png(elements: list[dict[str, Any]], *, scale: float = SCALE, max_side: int = MAX_SIDE) -> bytes:
    drawing = board_drawing(elements)
    scale = min(scale, max_side / drawing.width, max_side / drawing.height)
    image = _Painter(drawing, scale).paint()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
