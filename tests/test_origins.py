"""Which pages may open the sockets (core/origins.py), and paths no socket lives at, through the
full ASGI application (config.asgi).

The origin check runs before anything reads the session or the database: an allowed origin is
shown by a handshake that is accepted (on a path no socket lives at, which then closes with 4404),
a refused one by a handshake refused on the real socket paths."""

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application

from .ws import closed_with

pytestmark = pytest.mark.asyncio

SITE = "http://127.0.0.1:8000"


async def handshake(path: str, *, origin: str | None, host: str = "127.0.0.1:8000", scheme: str = "ws"):
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    communicator.scope["scheme"] = scheme
    connected, _ = await communicator.connect()
    return communicator, connected


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.mocklane.example.com"]
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "mocklane.example.com", "app.mocklane.example.com"]


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        (SITE, "127.0.0.1:8000", "ws"),  # the page and its socket on one server
        ("HTTP://127.0.0.1:8000/", "127.0.0.1:8000", "ws"),  # scheme and host are case-insensitive
        (SITE, "mocklane.internal:8000", "ws"),  # SITE_URL, whatever Host a proxy forwards
        ("https://app.mocklane.example.com", "10.0.0.5:8000", "ws"),  # a CSRF_TRUSTED_ORIGINS wildcard
        ("https://mocklane.example.com", "mocklane.example.com", "wss"),  # same origin over TLS
    ],
    ids=["same-origin", "case", "site-url", "trusted-wildcard", "same-origin-tls"],
)
async def test_the_sites_own_pages_may_connect(site, origin, host, scheme):
    socket, connected = await handshake("/ws/nowhere/", origin=origin, host=host, scheme=scheme)
    assert connected
    assert await closed_with(socket) == 4404


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://127.0.0.1:6666", "127.0.0.1:8000"),  # same host, another port
        ("https://127.0.0.1", "127.0.0.1:8000"),  # same host, another scheme
        ("http://evil.example:8000", "127.0.0.1:8000"),
        ("https://mocklane.example.com.evil.example", "mocklane.example.com"),
        ("https://evil.mocklane.example.com:8443", "127.0.0.1:8000"),  # the wildcard, another port
        ("http://attacker.example", "attacker.example"),  # same origin, but not one of ALLOWED_HOSTS
        ("null", "127.0.0.1:8000"),
        ("http://127.0.0.1:notaport", "127.0.0.1:8000"),
        (None, "127.0.0.1:8000"),  # no Origin header at all
    ],
    ids=["port", "scheme", "host", "suffix", "wildcard-port", "rebinding", "null", "malformed", "missing"],
)
async def test_other_origins_are_refused_at_the_handshake(site, origin, host):
    for path in ("/ws/interviews/1/", "/ws/boards/1/", "/ws/nowhere/"):
        _socket, connected = await handshake(path, origin=origin, host=host)
        assert not connected, path


@pytest.mark.parametrize("path", ["/ws/nowhere/", "/ws/boards/abc/", "/ws/interviews/", "/elsewhere"])
async def test_a_path_no_socket_lives_at_closes_with_4404(site, path):
    socket, connected = await handshake(path, origin=SITE)
    assert connected  # accepted, so that the client reads the close code
    assert await closed_with(socket) == 4404
