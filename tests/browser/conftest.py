"""Browser fixtures: headless Chromium (Playwright) against the full ASGI app.

`live_asgi_server` serves `config.asgi.application` (HTTP and WebSockets) with uvicorn in a
thread of the test process, so the browser talks to the same test database. Use it with
`@pytest.mark.django_db(transaction=True)`: the server thread only sees committed data.
"""

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

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
ROOM_JS = Path(settings.BASE_DIR) / "static" / "app" / "room.js"
SERVER_START_TIMEOUT = 20
BROWSER_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last.

    Playwright's sync API keeps its event loop marked as running on the main thread for as
    long as the session-scoped browser lives. Tests collected after it that start their own
    event loop (pytest-asyncio) or rely on Django's async-safety checks would break, so the
    browser tests go to the end of the run (a stable sort keeps every other order as is).
    """
    items.sort(key=lambda item: Path(str(item.path)).resolve().is_relative_to(BROWSER_TESTS))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed: browser tests need Chromium."
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running on this thread; Django would then
    # refuse the ORM calls that fixtures and tests make between browser steps. The browser
    # tests run last (see above), so this only covers them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _close_server_db_connections():
    """Close the connections the app opened on asgiref's shared sync thread (Postgres keeps them)."""
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


@pytest.fixture
def live_asgi_server(transactional_db):
    """Base URL of the whole app (HTTP + WebSockets) served by uvicorn in a background thread."""
    if not ROOM_JS.exists():
        pytest.fail(
            f"{ROOM_JS.relative_to(settings.BASE_DIR)} is missing: build the front end first "
            "(`make build`, or `cd frontend && npm ci && npm run build`)."
        )
    import uvicorn

    from config.asgi import application

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]

    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-asgi-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            sock.close()
            pytest.fail("The ASGI test server stopped while starting.")
        if time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"The ASGI test server did not start within {SERVER_START_TIMEOUT} s.")
        time.sleep(0.02)

    yield f"http://127.0.0.1:{port}"

    server.should_exit = True
    thread.join(timeout=15)
    sock.close()
    _close_server_db_connections()


@pytest.fixture
def new_page(browser):
    """new_page() -> a page in a fresh browser context (own cookies); closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(viewport={"width": 1440, "height": 900}, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
