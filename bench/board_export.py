"""How long the board exports (PNG and SVG) take on the worst boards validation lets in, as JSON.

Times `board_png` and `board_svg` (median of --repeat runs, default 3) on:

- attack: issue 9's three dotted zig-zags, corner to corner at ±1,000,000 with 5,000 points each
  (the most one 64 KiB socket frame carries), rendered from the element list;
- attack_stored: the same zig-zags with as many points as the board stores (fewer if it caps an
  element's bytes), written through `board_write_unchecked` on a scratch board and read back with
  `board_get_state`, as the export views do (`load_s` is that read);
- full: 5,000 elements, each at the limits of whiteboard/validation.py and within one frame:
  dotted and dashed lines and arrows of 5,000 points drawn thick across the whole picture with
  every kind of arrowhead, free-hand strokes, huge filled, rounded and rotated shapes,
  10,000-character texts free, bound, rotated and in every font size, each element its own
  translucent colour and place. Rendered from the element list (the board's byte budget, where
  there is one, would refuse it long before: it is the worst the exports can be handed);
- many_small: 5,000 small arrows with round heads at both ends, each its own colour: the most
  fixed work per element, under every budget.

Progress goes to stderr, the JSON object to stdout. Uses DATABASE_URL (default: a temporary
SQLite file).

    .venv/bin/python bench/board_export.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mocklane_bench .venv/bin/python bench/board_export.py
"""

import argparse
import importlib
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch_db import setup_django  # noqa: E402
from tests.elements import TWO_LANES, element, zigzag  # noqa: E402
from tests.rubrics.export_boards import attack  # noqa: E402
from whiteboard.validation import MAX_POINTS, MAX_TEXT  # noqa: E402

TARGET_S = 2.0
FRAME_BYTES = 64 * 1024  # settings.BOARD_MAX_MESSAGE_BYTES
OP_BYTES = 256  # what the ops frame around one element takes
HEADS = ["arrow", "triangle", "triangle_outline", "bar", "dot", "circle_outline", "diamond", "diamond_outline"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def full_board(count: int) -> list[dict]:
    """`count` elements, each at the limits (see the module's docstring), stacked so that every
    budget of the exports is spent: first what costs time but little ink (upright text in small
    fonts, thin dotted lines: characters, lines of text, dash pieces, points), then what costs ink
    (thick strokes, turned text, huge fills)."""
    # 5,000 points going back and forth across a 2,000-unit square: the picture is drawn at full
    # scale, and every segment crosses all of it. A few such lists, each element shifted.
    paths = [zigzag(MAX_POINTS, 2_000 - 40 * k, 2_000 - 60 * k) for k in range(8)]
    words = ("ranking retrieval features embeddings latency " * (MAX_TEXT // 40))[:MAX_TEXT]
    paragraphs = "\n".join(words[i : i + 399] for i in range(0, MAX_TEXT, 400))  # 400-character lines
    cheap: list[dict] = []
    costly: list[dict] = []
    for n in range(count):
        colour = f"#{(n * 2654435761) % 0xFFFFFF:06x}"  # every element its own colour
        common = {
            "x": (n * 37) % 400 - 200,
            "y": (n * 53) % 400 - 200,
            "strokeColor": colour,
            "strokeWidth": 16,
            "opacity": 30 + n % 70,
            "angle": (n % 11) / 5,
        }
        kind = n % 10
        if kind in (0, 1, 2):
            fields = {
                "points": paths[n % len(paths)],
                "strokeStyle": ("dotted", "dashed", "dotted")[kind],
                "startArrowhead": HEADS[n % len(HEADS)],
                "endArrowhead": HEADS[(n // 3) % len(HEADS)],
            }
            line = element(f"e{n}", "arrow" if kind == 2 else "line", **common, **fields)
            if kind == 0:
                cheap.append({**line, "strokeWidth": 1, "angle": 0})
            else:
                costly.append(line)
        elif kind == 3:
            costly.append(element(f"e{n}", "freedraw", **common, points=paths[n % len(paths)]))
        elif kind in (4, 5):
            shape = ("rectangle", "ellipse", "diamond")[n % 3]
            style = ("dashed", "dotted")[n % 2]
            fields = {"width": 2_000, "height": 2_000, "backgroundColor": colour, "strokeStyle": style}
            costly.append(element(f"e{n}", shape, **common, **fields, roundness={"type": 3}))
            label = {**common, "fontSize": 4 + n % 60, "text": words, "originalText": words}
            costly.append(element(f"e{n}-t", "text", **label, width=1_990, height=1_990, containerId=f"e{n}"))
        elif kind == 6:
            costly.append(element(f"e{n}", "text", **common, text=paragraphs, fontSize=10 + n % 50, width=1_900))
        else:
            text = {**common, "angle": 0, "text": paragraphs, "fontSize": 4 + n % 5, "width": 1_900}
            cheap.append(element(f"e{n}", "text", **text))
    return [*cheap, *costly][:count]


def many_small(count: int) -> list[dict]:
    """`count` small arrows with a round head at each end, side by side: the most fixed work per
    element (a line and two 72-point circles, filled and stroked): the slowest board found here."""
    return [
        element(
            f"a{n}",
            "arrow",
            x=(n % 70) * 28,
            y=(n // 70) * 28,
            points=[[0, 0], [20, 20]],
            startArrowhead="dot",
            endArrowhead="circle_outline",
            strokeColor=f"#{(n * 2654435761) % 0xFFFFFF:06x}",
        )
        for n in range(count)
    ]


def timed(render, repeat: int) -> dict:
    runs, content = [], b""
    for _ in range(repeat):
        started = time.perf_counter()
        content = render()
        runs.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(runs), 2), "max_s": round(max(runs), 2), "bytes": len(content)}


def measure(name: str, elements: list[dict], repeat: int) -> dict:
    from PIL import Image

    from whiteboard.render import board_png, board_svg

    log(f"{name}: {len(elements)} elements, PNG ...")
    png = timed(lambda: board_png(elements), repeat)
    png["size"] = list(Image.open(io.BytesIO(board_png(elements))).size)
    log(f"{name}: PNG {png['median_s']} s; SVG ...")
    svg = timed(lambda: board_svg(elements, title="Board"), repeat)
    log(f"{name}: SVG {svg['median_s']} s")
    return {
        "elements": len(elements),
        "points": sum(len(e.get("points", [])) for e in elements),
        "text_chars": sum(len(e.get("text", "")) for e in elements),
        "json_bytes": len(compact(elements)),
        "png": png,
        "svg": svg,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elements", type=int, default=5_000, help="of the full board")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    cleanup = setup_django()
    import django.db
    from django.conf import settings

    from whiteboard.selectors import board_get_state
    from whiteboard.services import board_create, board_write_unchecked
    from whiteboard.validation import validate_element

    board = importlib.import_module("whiteboard.render.board")
    board_png = importlib.import_module("whiteboard.render.png")

    result: dict = {"database": django.db.connection.vendor, "target_s": TARGET_S}
    result["attack"] = measure("attack", attack(FRAME_BYTES - OP_BYTES), args.repeat)

    element_bytes = min(FRAME_BYTES, getattr(settings, "BOARD_MAX_ELEMENT_BYTES", FRAME_BYTES)) - OP_BYTES
    stored = board_create(title="export bench", lanes=TWO_LANES)
    zigzags = attack(element_bytes)
    for n, item in enumerate(zigzags):
        board_write_unchecked(board_id=stored.pk, op_id=f"zig-{n}", elements=[item])
    started = time.perf_counter()
    elements = board_get_state(board_id=stored.pk, include_deleted=False).elements
    load_s = time.perf_counter() - started
    result["attack_stored"] = {
        "points_per_element": len(zigzags[0]["points"]),
        "load_s": round(load_s, 3),
        **measure("attack_stored", elements, args.repeat),
    }

    log("full: building ...")
    full = full_board(args.elements)
    for item in full[:20]:  # one of each kind: each passes validation and fits one frame
        validate_element(item)
        assert len(compact(item)) <= FRAME_BYTES - OP_BYTES, item["id"]
    result["full"] = measure("full", full, args.repeat)
    result["many_small"] = measure("many_small", many_small(args.elements), args.repeat)

    caps = ("POINTS_PER_DRAWING", "CHARS_PER_DRAWING", "LINES_PER_DRAWING", "DASHES_PER_ELEMENT", "DASHES_PER_DRAWING")
    png_caps = ("INK_PER_PICTURE", "BUSY_LINES", "BUSY_MAX_SIDE")
    result["caps"] = {
        **{name: getattr(board, name) for name in caps},
        **{name: getattr(board_png, name) for name in png_caps},
    }
    boards = ("attack", "attack_stored", "full", "many_small")
    timings = [result[key][kind]["median_s"] for key in boards for kind in ("png", "svg")]
    result["within_target"] = max(timings) < TARGET_S
    print(json.dumps(result))
    cleanup()


if __name__ == "__main__":
    main()
