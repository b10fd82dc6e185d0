"""The board as SVG, built with ElementTree so that every piece of user text is escaped."""

import re
import xml.etree.ElementTree as ET
from typing import Any

from .board import RGBA, BoardDrawing, DashBudget, ElementDrawing, Label, Shape, Style, board_drawing, path_length

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "'DejaVu Sans', Helvetica, Arial, sans-serif"
MONO_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, monospace"


# Characters XML 1.0 cannot carry at all (escaping does not help): C0 controls but tab and newlines,
# lone surrogates, U+FFFE and U+FFFF. The board accepts any text, so they are dropped here.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _paint(rgba: RGBA | None) -> tuple[str, str | None]:
    """SVG colour and opacity (None when opaque)."""
    if rgba is None:
        return "none", None
    r, g, b, a = rgba
    return f"#{r:02x}{g:02x}{b:02x}", (_n(a / 255) if a < 255 else None)


def _style_attrs(style: Style, *, closed: bool) -> dict[str, str]:
    stroke, stroke_opacity = _paint(style.stroke)
    fill, fill_opacity = _paint(style.fill if closed else None)
    attrs = {"fill": fill, "stroke": stroke, "stroke-width": _n(style.width)}
    if stroke_opacity:
        attrs["stroke-opacity"] = stroke_opacity
    if fill_opacity:
        attrs["fill-opacity"] = fill_opacity
    return attrs


def _dash_array(shape: Shape, dashes: DashBudget) -> str | None:
    """A dashed or dotted outline's pattern, in board units; None draws it solid. The viewer draws
    every dash, so the SVG keeps to the same dash budget as the PNG."""
    width = shape.style.width
    if shape.style.dash == "solid":
        return None
    on, off = (width * 4, width * 3) if shape.style.dash == "dashed" else (0.1, width * 3)
    outline = shape.outline()
    if not dashes.allows(path_length([*outline, *outline[:1]] if shape.closed else outline), on + off):
        return None
    return f"{_n(on)} {_n(off)}"


def _shape(parent: ET.Element, shape: Shape, dashes: DashBudget) -> None:
    attrs = _style_attrs(shape.style, closed=shape.closed)
    dash_array = _dash_array(shape, dashes)
    if dash_array:
        attrs["stroke-dasharray"] = dash_array
    x, y, w, h = shape.box
    if shape.kind == "rect":
        attrs.update(x=_n(x), y=_n(y), width=_n(w), height=_n(h))
        if shape.radius:
            attrs.update(rx=_n(shape.radius), ry=_n(shape.radius))
        ET.SubElement(parent, "rect", attrs)
    elif shape.kind == "ellipse":
        attrs.update(cx=_n(x + w / 2), cy=_n(y + h / 2), rx=_n(w / 2), ry=_n(h / 2))
        ET.SubElement(parent, "ellipse", attrs)
    else:
        attrs["points"] = " ".join(f"{_n(px)},{_n(py)}" for px, py in shape.points)
        ET.SubElement(parent, "polygon" if shape.kind == "polygon" else "polyline", attrs)


def _label(parent: ET.Element, label: Label) -> None:
    fill, fill_opacity = _paint(label.colour)
    attrs = {
        "x": _n(label.x),
        "font-size": _n(label.font_size),
        "font-family": MONO_FAMILY if label.mono else FONT_FAMILY,
        "text-anchor": label.align,
        "fill": fill,
        "{http://www.w3.org/XML/1998/namespace}space": "preserve",
    }
    if fill_opacity:
        attrs["fill-opacity"] = fill_opacity
    text = ET.SubElement(parent, "text", attrs)
    for index, line in enumerate(label.lines):
        tspan = ET.SubElement(text, "tspan", {"x": _n(label.x), "y": _n(label.baseline(index))})
        tspan.text = _text(line)


def _element(parent: ET.Element, drawing: ElementDrawing, dashes: DashBudget) -> None:
    attrs = {"class": f"element {_text(drawing.type)}", "data-id": _text(drawing.element_id)}
    if drawing.lane:
        attrs["data-lane"] = drawing.lane
    if drawing.rotation:
        cx, cy = drawing.centre
        attrs["transform"] = f"rotate({_n(drawing.rotation)} {_n(cx)} {_n(cy)})"
    if drawing.opacity < 1:
        attrs["opacity"] = _n(drawing.opacity)
    group = ET.SubElement(parent, "g", attrs)
    if drawing.title:
        ET.SubElement(group, "title").text = _text(drawing.title)
    for item in drawing.items:
        if isinstance(item, Label):
            _label(group, item)
        else:
            _shape(group, item, dashes)


def board_svg(elements: list[dict[str, Any]], *, title: str) -> bytes:
    drawing: BoardDrawing = board_drawing(elements)
    dashes = DashBudget()
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"{_n(drawing.left)} {_n(drawing.top)} {_n(drawing.width)} {_n(drawing.height)}",
            "width": _n(drawing.width),
            "height": _n(drawing.height),
            "role": "img",
            "stroke-linecap": "round",
            "stroke-linejoin": "round",
        },
    )
    ET.SubElement(svg, "title").text = _text(title)
    ET.SubElement(
        svg,
        "rect",
        {
            "class": "background",
            "x": _n(drawing.left),
            "y": _n(drawing.top),
            "width": _n(drawing.width),
            "height": _n(drawing.height),
            "fill": "#ffffff",
        },
    )
    for element in drawing.elements:
        _element(svg, element, dashes)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(svg, encoding="utf-8", xml_declaration=False)
