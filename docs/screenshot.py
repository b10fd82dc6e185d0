"""Take docs/img/room.png: the interviewer's view of a live room, 1440x900.

    .venv/bin/python docs/screenshot.py        (or: make screenshot)

Uses a throwaway SQLite database (migrate, load_content, seed_demo), serves the whole app
(HTTP and WebSockets) with uvicorn on a free port, and drives two headless Chromium contexts:
the demo candidate draws labelled boxes and arrows in both lanes, both people chat, the
interviewer moves to step 3, and the interviewer's window is saved.

Needs /usr/bin/chromium and a built front end (static/app/room.js).
"""

import io
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "img" / "room.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}

# Scene coordinates; the server's lanes are 960x760 frames at x=0 (offline) and x=1040 (online).
BOX_W, BOX_H = 240, 100
OFFLINE = {
    "fill": "#e7f5ff",
    "boxes": {
        "logs": (60, 90, "Event logs"),
        "features": (360, 90, "Feature pipeline"),
        "train": (660, 90, "Training job"),
        "store": (360, 340, "Feature store"),
        "registry": (660, 340, "Model registry"),
        "eval": (660, 590, "Offline evaluation"),
    },
    "arrows": [
        ("logs", "features"),
        ("features", "train"),
        ("features", "store"),
        ("train", "registry"),
        ("registry", "eval"),
    ],
}
ONLINE = {
    "fill": "#ebfbee",
    "boxes": {
        "request": (1100, 90, "Home page request"),
        "retrieval": (1400, 90, "Candidate retrieval"),
        "ranking": (1700, 90, "Ranking model"),
        "features": (1400, 340, "Online features"),
        "rerank": (1700, 340, "Re-rank + filters"),
        "impressions": (1100, 340, "Impression logs"),
    },
    "arrows": [
        ("request", "retrieval"),
        ("retrieval", "ranking"),
        ("features", "retrieval"),
        ("ranking", "rerank"),
        ("request", "impressions"),
    ],
}
CURSOR_AT = (1560, 250)  # where the candidate's pointer rests in the picture

CONNECTED = "() => window.mocklane && window.mocklane.status() === 'connected'"
TO_SCREEN = """([x, y]) => {
  const s = window.mocklane.excalidrawAPI.getAppState();
  const z = s.zoom.value;
  return [(x + s.scrollX) * z + s.offsetLeft, (y + s.scrollY) * z + s.offsetTop];
}"""
# Put a lane right of the tool properties panel, at a zoom where drawing is comfortable.
FOCUS_LANE = """(laneId) => {
  const api = window.mocklane.excalidrawAPI;
  const lane = api.getSceneElements().find((e) => e.id === laneId);
  const z = 0.8;
  api.updateScene({appState: {zoom: {value: z}, scrollX: 260 / z - lane.x, scrollY: 110 / z - lane.y}});
}"""
ELEMENT_COUNT = "() => window.mocklane.excalidrawAPI.getSceneElements().length"


def prepare_database(port: int) -> str:
    """Fresh SQLite database with the content and the demo accounts; returns the room path."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_content", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", port=str(port), stdout=out)
    match = re.search(r"(/interviews/\d+/room/)", out.getvalue())
    if not match:
        raise SystemExit(f"seed_demo did not print a room URL:\n{out.getvalue()}")
    return match.group(1)


def start_server(sock: socket.socket):
    import uvicorn

    from config.asgi import application

    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SystemExit("The server did not start.")
        time.sleep(0.02)
    return server, thread


def log_in(page, base: str, username: str) -> None:
    from interview.management.commands.seed_demo import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()


def pick_tool(page, name: str) -> None:
    page.locator(f'label:has([data-testid="toolbar-{name}"])').click()


def drag(page, start, end) -> None:
    (x0, y0), (x1, y1) = page.evaluate(TO_SCREEN, list(start)), page.evaluate(TO_SCREEN, list(end))
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()


def draw_box(page, x, y, label) -> None:
    count = page.evaluate(ELEMENT_COUNT)
    pick_tool(page, "rectangle")
    drag(page, (x, y), (x + BOX_W, y + BOX_H))
    page.wait_for_function(f"() => ({ELEMENT_COUNT})() === {count + 1}")
    # Enter on a selected shape edits its label.
    page.keyboard.press("Enter")
    page.wait_for_selector("textarea.excalidraw-wysiwyg")
    page.keyboard.type(label)
    page.keyboard.press("Escape")
    page.wait_for_selector("textarea.excalidraw-wysiwyg", state="detached")
    page.keyboard.press("Escape")


def anchor(box, towards):
    """Point just outside `box`, on the side facing `towards`."""
    x, y = box[0], box[1]
    tx, ty = towards[0], towards[1]
    cx, cy = x + BOX_W / 2, y + BOX_H / 2
    if abs(tx - x) >= abs(ty - y):
        return (x + BOX_W + 12, cy) if tx > x else (x - 12, cy)
    return (cx, y + BOX_H + 12) if ty > y else (cx, y - 12)


def draw_lane(page, lane_id: str, spec: dict) -> None:
    page.evaluate(FOCUS_LANE, lane_id)
    page.evaluate(
        """(fill) => window.mocklane.excalidrawAPI.updateScene({appState: {
             currentItemFontSize: 22, currentItemBackgroundColor: fill, currentItemFillStyle: "solid",
             currentItemRoughness: 0, currentItemStrokeWidth: 2}})""",
        spec["fill"],
    )
    boxes = spec["boxes"]
    for x, y, label in boxes.values():
        draw_box(page, x, y, label)
    for src, dst in spec["arrows"]:
        count = page.evaluate(ELEMENT_COUNT)
        pick_tool(page, "arrow")
        drag(page, anchor(boxes[src], boxes[dst]), anchor(boxes[dst], boxes[src]))
        page.wait_for_function(f"() => ({ELEMENT_COUNT})() === {count + 1}")
        page.keyboard.press("Escape")


def say(page, text: str) -> None:
    before = page.locator(".ml-msg:not(.ml-msg--pending)").count()
    page.fill("textarea[aria-label='Chat message']", text)
    page.locator("textarea[aria-label='Chat message']").press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('.ml-msg:not(.ml-msg--pending)').length > {before}")


def wait_for_step(page, number: int) -> None:
    page.wait_for_function(f"() => window.mocklane.room.getState().currentStep === {number}")


def run(base: str, room_path: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        pages = {}
        for username in ("demo-interviewer", "demo-candidate"):
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
            context.set_default_timeout(20_000)
            page = context.new_page()
            log_in(page, base, username)
            page.goto(base + room_path)
            page.wait_for_function(CONNECTED)
            pages[username] = page
        interviewer, candidate = pages["demo-interviewer"], pages["demo-candidate"]

        say(interviewer, "Let's start with the goal: what should the home page optimise for?")
        say(candidate, "Long-term watch time, with CTR as a guardrail: clicks alone reward clickbait.")

        draw_lane(candidate, "lane-offline", OFFLINE)
        draw_lane(candidate, "lane-online", ONLINE)

        for step in (2, 3):
            interviewer.get_by_role("button", name="Next step").click()
            wait_for_step(interviewer, step)
        say(interviewer, "Walk me through the training data. Where do the labels come from?")
        say(candidate, "Impressions joined with watch events; a view of 30 s or more is a positive.")

        # Everything is on the server and on the interviewer's board.
        candidate.wait_for_function("() => window.mocklane.unsynced() === 0")
        total = candidate.evaluate(ELEMENT_COUNT)
        interviewer.wait_for_function(f"() => ({ELEMENT_COUNT})() === {total}")

        # The candidate's cursor, resting in the online lane, nothing selected.
        candidate.keyboard.press("Escape")
        candidate.evaluate("() => window.mocklane.excalidrawAPI.updateScene({appState: {selectedElementIds: {}}})")
        candidate.mouse.move(*candidate.evaluate(TO_SCREEN, list(CURSOR_AT)))
        interviewer.wait_for_function(
            """([x, y]) => [...window.mocklane.excalidrawAPI.getAppState().collaborators.values()]
                 .some((c) => c.pointer && Math.abs(c.pointer.x - x) < 2 && Math.abs(c.pointer.y - y) < 2)""",
            arg=list(CURSOR_AT),
        )

        interviewer.evaluate(
            "() => { window.mocklane.excalidrawAPI.updateScene({appState: {selectedElementIds: {}}});"
            " window.mocklane.board.fitToContent(); }"
        )
        interviewer.mouse.move(20, 880)
        interviewer.evaluate(
            """() => {
                 document.activeElement?.blur();
                 const panel = document.querySelector('.ml-panel__scroll');
                 panel.scrollTop = document.querySelector('.ml-steps').offsetTop - panel.offsetTop;
               }"""
        )
        interviewer.wait_for_function(
            "() => document.fonts.status === 'loaded' && document.fonts.check('22px Excalifont')"
        )
        interviewer.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")

        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        interviewer.screenshot(path=str(OUTPUT))
        browser.close()


def main() -> None:
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is not installed.")
    if not (ROOT / "static" / "app" / "room.js").exists():
        raise SystemExit("static/app/room.js is missing: build the front end first (make build).")

    workdir = Path(tempfile.mkdtemp(prefix="mocklane-screenshot-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    os.environ["DEBUG"] = "on"  # static files straight from static/
    os.environ["REDIS_URL"] = ""  # in-process channel layer: one process serves everything
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    import django

    django.setup()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = thread = None
    try:
        room_path = prepare_database(port)
        server, thread = start_server(sock)
        run(f"http://127.0.0.1:{port}", room_path)
    finally:
        if server is not None:
            server.should_exit = True
            thread.join(timeout=15)
        sock.close()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"Saved {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
