"""What one board export may cost, whatever the board holds (issue 9, item 7).

Validation lets a board hold 5,000 elements of up to 5,000 points and 10,000 characters each, so
the exports keep to budgets (whiteboard/render/board.py, board_png.py). These tests count what an
export draws: Pillow calls, points, dash pieces, characters and painted pixels; never how long
it takes (the timings are in bench/board_export.py and docs/performance.md)."""

import importlib
import io
import itertools
import json
import math
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image, ImageDraw

from whiteboard.render import board_png, board_svg
from whiteboard.services import board_write_unchecked
from whiteboard.validation import MAX_COORD, MAX_POINTS, MAX_TEXT, validate_element

from ..elements import element, zigzag
from ..rubrics import export_boards

board = importlib.import_module("whiteboard.render.board")
png = importlib.import_module("whiteboard.render.png")

SVG = "{http://www.w3.org/2000/svg}"
FULL_BOARD = 5_000  # settings.BOARD_MAX_ELEMENTS
FRAME_BYTES = 64 * 1024  # settings.BOARD_MAX_MESSAGE_BYTES: one element per op must fit a frame
RUNAWAY_CALLS = 200_000  # Pillow calls after which the export is stopped: far past every budget


def element_bytes() -> int:
    """The most one element's JSON may take: a socket frame's worth, or less where the board caps it."""
    return min(FRAME_BYTES, getattr(settings, "BOARD_MAX_ELEMENT_BYTES", FRAME_BYTES)) - 256  # the op around it


def attack() -> list[dict]:
    """The zig-zag attack with as many points as one element may carry here."""
    return export_boards.attack(element_bytes())


def full_board() -> list[dict]:
    """5,000 elements, each at the limits validation allows: 5,000-point dotted and dashed lines,
    arrows and strokes drawn thick across the whole picture, huge filled and rotated shapes,
    10,000-character texts free, bound, rotated and in huge fonts. Shares one points list."""
    points = zigzag(MAX_POINTS, 2_000, 2_000)  # corner to corner of a picture drawn at full scale
    text = ("ranking " * (MAX_TEXT // 8))[:MAX_TEXT]
    heads = itertools.cycle(["arrow", "triangle", "circle_outline", "diamond", "bar", "crowfoot_many"])
    elements: list[dict] = []
    for n in range(FULL_BOARD):
        colour = f"#{(n * 2654435761) % 0xFFFFFF:06x}"  # every element its own colour
        common = {"strokeColor": colour, "strokeWidth": 16, "opacity": 50 + n % 50, "angle": (n % 7) / 3}
        kind = n % 10
        if kind in (0, 1, 2):
            style = "dotted" if kind != 1 else "dashed"
            fields = {"points": points, "strokeStyle": style, "endArrowhead": next(heads), "startArrowhead": "dot"}
            elements.append(element(f"e{n}", "arrow" if kind == 2 else "line", **common, **fields))
        elif kind == 3:
            elements.append(element(f"e{n}", "freedraw", **common, points=points))
        elif kind in (4, 5):
            shape = ("rectangle", "ellipse", "diamond")[n % 3]
            fields = {"width": 2_000, "height": 2_000, "backgroundColor": colour, "strokeStyle": "dashed"}
            box = element(f"e{n}", shape, **common, **fields, roundness={"type": 3})
            label = element(f"e{n}-t", "text", **common, text=text, originalText=text, containerId=f"e{n}")
            elements += [box, {**label, "fontSize": 4 + n % 40}]
        elif kind == 6:
            elements.append(element(f"e{n}", "text", **common, text=text.replace(" ", "\n"), fontSize=400))
        else:
            elements.append(element(f"e{n}", "text", **common, text=text, fontSize=4 + n % 60))
    return elements[:FULL_BOARD]


class PillowSpy:
    """What the PNG export asks Pillow to draw: calls, points, characters and painted pixels
    (strokes: length x width, fills: their bounding box, text: a square per character)."""

    def __init__(self, monkeypatch):
        self.calls = self.points = self.chars = self.texts = 0
        self.ink = 0.0
        for name in ("line", "polygon", "text"):
            monkeypatch.setattr(ImageDraw.ImageDraw, name, self._wrap(name, getattr(ImageDraw.ImageDraw, name)))

    def _wrap(self, name, draw):
        def counted(this, xy, *args, **kwargs):
            self.calls += 1
            if self.calls > RUNAWAY_CALLS:
                raise AssertionError(f"runaway export: more than {RUNAWAY_CALLS} Pillow calls")
            if name == "text":
                self.texts += 1
                self.chars += len(args[0])
                self.ink += len(args[0]) * kwargs["font"].size ** 2
            else:
                points = list(xy)
                self.points += len(points)
                if name == "line":
                    width = kwargs.get("width", 1)
                    self.ink += sum(math.dist(a, b) for a, b in itertools.pairwise(points)) * width
                elif kwargs.get("fill") is not None:
                    xs, ys = [p[0] for p in points], [p[1] for p in points]
                    self.ink += (max(xs) - min(xs)) * (max(ys) - min(ys))
            return draw(this, xy, *args, **kwargs)

        return counted


def painted(content: bytes) -> int:
    image = Image.open(io.BytesIO(content)).convert("L")
    return sum(count for value, count in enumerate(image.histogram()) if value < 250)


def svg_shapes(content: bytes):
    """(points, dash pattern, outline length) of every drawn outline in an SVG export."""
    root = ET.fromstring(content)  # noqa: S314 (our own output, made with ElementTree)
    for node in root.iter():
        tag = node.tag.removeprefix(SVG)
        if tag in ("polyline", "polygon"):
            points = [tuple(map(float, p.split(","))) for p in node.get("points").split()]
            if tag == "polygon":
                points.append(points[0])
            length = sum(math.dist(a, b) for a, b in itertools.pairwise(points))
        elif tag == "rect" and node.get("class") != "background":
            points, length = [], 2 * (float(node.get("width")) + float(node.get("height")))
        elif tag == "ellipse":
            points, length = [], math.pi * 2 * max(float(node.get("rx")), float(node.get("ry")))
        else:
            continue
        dash = [float(v) for v in node.get("stroke-dasharray", "").split()]
        yield points, dash, length


def dash_pieces(dash: list[float], length: float) -> int:
    return math.ceil(length / sum(dash)) if dash else 0


def texts(content: bytes) -> tuple[list[str], list[str]]:
    """The drawn lines of text (tspans) and the titles in an SVG export."""
    root = ET.fromstring(content)  # noqa: S314
    lines = [t.text or "" for t in root.iter(f"{SVG}tspan")]
    titles = [t.text or "" for t in root.iter(f"{SVG}title")][1:]  # the first is the document's
    return lines, titles


def put(interview, elements: list[dict]) -> None:
    """Through the real write path, one element per op as the room's socket would send them."""
    for n, item in enumerate(elements):
        frame = {"type": "ops", "op_id": f"op-{n}", "elements": [item]}
        assert len(json.dumps(frame, separators=(",", ":"))) < FRAME_BYTES
        board_write_unchecked(board_id=interview.board_id, op_id=f"op-{n}", elements=[item])


@pytest.mark.django_db
class TestDottedZigzagAttack:
    """Three dotted zig-zags at the limits: drawn dash by dash, one board.png took 43 s of CPU."""

    def test_png_draws_a_bounded_number_of_dash_pieces(self, monkeypatch, client_for, interview, candidate):
        put(interview, attack())
        spy = PillowSpy(monkeypatch)
        response = client_for(candidate).get(reverse("interview_board_png", args=[interview.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        # at most one call per dash piece of each zig-zag, plus the two lane frames and their names
        assert spy.calls <= 3 * board.DASHES_PER_ELEMENT + 4
        width = Image.open(io.BytesIO(response.content)).width
        assert painted(response.content) > 1.8 * width  # still drawn: both diagonals, across the picture

    def test_svg_draws_them_solid_and_keeps_every_point(self, client_for, interview, candidate):
        short = element("short", "arrow", strokeStyle="dotted", points=[[0, 0], [900, 0]])
        put(interview, [*attack(), short])
        response = client_for(candidate).get(reverse("interview_board_svg", args=[interview.pk]))
        shapes = list(svg_shapes(response.content))
        count = len(attack()[0]["points"])
        assert count >= 2_000
        # every point kept (three lines are far under the budget), but half a billion dots each: solid
        assert [dash for points, dash, _ in shapes if len(points) == count] == [[]] * 3
        assert [dash for points, dash, _ in shapes if len(points) == 2] == [[0.1, 6]]  # an ordinary one stays dotted
        assert all(dash_pieces(dash, length) <= board.DASHES_PER_ELEMENT for _, dash, length in shapes)


@pytest.mark.django_db
def test_the_attack_is_within_what_validation_and_a_frame_allow():
    for item in [*attack(), *full_board()[:14]]:
        validate_element(item)
        frame = {"type": "ops", "op_id": "op-1", "elements": [item]}
        assert len(json.dumps(frame, separators=(",", ":"))) < FRAME_BYTES
    # the one-frame limit (where the board has no tighter byte cap) lets an attacker send all 5,000
    widest = element("z", "line", points=zigzag(MAX_POINTS, MAX_COORD, MAX_COORD))
    assert len(json.dumps(widest, separators=(",", ":"))) < FRAME_BYTES


@pytest.fixture(scope="module")
def elements():
    return full_board()


class TestFullBoard:
    """5,000 elements at the limits: every kind of per-element work stays under its budget."""

    def test_png(self, monkeypatch, elements):
        lines = max(board.LINES_PER_DRAWING, sum(e["type"] == "text" for e in elements))  # a first line each
        spy = PillowSpy(monkeypatch)
        content = board_png(elements)
        assert Image.open(io.BytesIO(content)).format == "PNG"
        outline_calls = 4  # fill, stroke and two arrowheads
        assert spy.calls <= board.DASHES_PER_DRAWING + outline_calls * FULL_BOARD + lines
        outline_points = 160  # an ellipse's 72, filled and stroked, and at most two arrowheads
        assert spy.points <= board.POINTS_PER_DRAWING + outline_points * FULL_BOARD + 2 * board.DASHES_PER_DRAWING
        assert spy.texts <= lines
        assert spy.chars <= board.CHARS_PER_DRAWING + FULL_BOARD
        assert spy.ink <= png.INK_PER_PICTURE

    def test_svg(self, elements):
        content = board_svg(elements, title="Board")
        shapes = list(svg_shapes(content))
        assert len(shapes) <= 4 * FULL_BOARD
        assert sum(len(points) for points, _, _ in shapes) <= board.POINTS_PER_DRAWING + 80 * FULL_BOARD
        pieces = [dash_pieces(dash, length) for _, dash, length in shapes]
        assert max(pieces) <= board.DASHES_PER_ELEMENT
        assert sum(pieces) <= board.DASHES_PER_DRAWING + board.DASHES_PER_ELEMENT
        lines, titles = texts(content)
        assert len(lines) <= max(board.LINES_PER_DRAWING, sum(e["type"] == "text" for e in elements))
        assert sum(map(len, lines)) <= board.CHARS_PER_DRAWING + FULL_BOARD
        assert sum(map(len, titles)) <= board.CHARS_PER_DRAWING + FULL_BOARD
        assert len(content) < 20_000_000


class TestBudgetsShareFairly:
    def test_long_texts_are_cut_short_and_short_ones_kept(self):
        long = [element(f"t{n}", "text", text="x" * MAX_TEXT, fontSize=20, y=30 * n) for n in range(1_000)]
        short = element("short", "text", text="Feature store", fontSize=20, y=-100)
        lines, titles = texts(board_svg([short, *long], title="Board"))
        assert lines[0] == titles[0] == "Feature store"
        share = (board.CHARS_PER_DRAWING - len("Feature store")) // len(long)
        assert set(lines[1:]) == set(titles[1:]) == {"x" * share + "…"}

    def test_thinned_lines_keep_their_ends(self):
        points = [[n, n % 2] for n in range(MAX_POINTS)]
        lines = [element(f"l{n}", "line", x=0, y=10 * n, points=points) for n in range(100)]
        for drawn, _, _ in svg_shapes(board_svg(lines, title="Board")):
            assert len(drawn) <= board.POINTS_PER_DRAWING // 100
            assert drawn[0][0] == 0 and drawn[-1][0] == MAX_POINTS - 1


def normal_board() -> list[dict]:
    """What people draw: shapes with labels, long dotted and dashed lines across the board, a
    scribble, a rotated note, a long paragraph."""
    scribble = [[n * 2, 40 * math.sin(n / 9)] for n in range(1_200)]
    paragraph = "Candidates are generated from two towers, then ranked by a gradient-boosted model. " * 25
    return [
        element("lane", "frame", x=0, y=0, width=1900, height=900, name="Offline - training pipeline"),
        element("store", "rectangle", x=40, y=40, width=240, height=100, backgroundColor="#a5d8ff", roundness={}),
        element("store-t", "text", x=50, y=70, text="Feature store", containerId="store"),
        element("rank", "ellipse", x=600, y=40, width=260, height=120, strokeStyle="dashed"),
        element("gate", "diamond", x=1000, y=40, width=200, height=160, strokeStyle="dotted", angle=0.4),
        element("far", "arrow", x=40, y=400, strokeStyle="dotted", points=[[0, 0], [1800, 0], [1800, 450]]),
        element("back", "line", x=40, y=500, strokeStyle="dashed", strokeWidth=1, points=[[0, 0], [1800, 300]]),
        element("scribble", "freedraw", x=40, y=700, points=scribble),
        element("note", "text", x=1300, y=200, text="Logs flow\nback to training", angle=0.3, fontSize=28),
        element("para", "rectangle", x=40, y=180, width=500, height=200),
        element("para-t", "text", x=45, y=185, text=paragraph, fontSize=12, containerId="para"),
    ]


def test_a_normal_board_is_drawn_in_full(monkeypatch):
    drawn = board_png(normal_board()), board_svg(normal_board(), title="Board")
    for module, name in [
        (board, "POINTS_PER_DRAWING"),
        (board, "CHARS_PER_DRAWING"),
        (board, "LINES_PER_DRAWING"),
        (board, "DASHES_PER_ELEMENT"),
        (board, "DASHES_PER_DRAWING"),
        (png, "INK_PER_PICTURE"),
        (png, "BUSY_LINES"),
    ]:
        monkeypatch.setattr(module, name, 10**12)
    unlimited = board_png(normal_board()), board_svg(normal_board(), title="Board")
    assert drawn[1] == unlimited[1]
    assert Image.open(io.BytesIO(drawn[0])).tobytes() == Image.open(io.BytesIO(unlimited[0])).tobytes()
