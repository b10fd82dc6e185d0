"""Which pages may open the site's WebSockets: the Origin header, compared whole.

Browsers send the Origin of the page that opens a WebSocket and, unlike a fetch, apply no
same-origin rule to it, so the server must: a page elsewhere could otherwise open a socket with
the visitor's session cookie. An origin passes when its scheme, host and port are exactly those of

- the site's configured address (SITE_URL) or one of CSRF_TRUSTED_ORIGINS (`https://*.example.com`
  covers the subdomains of example.com, as it does for CSRF), or
- the socket's own address (ws -> http, wss -> https, with the Host header), when that host is
  one of ALLOWED_HOSTS: the page and its socket are on one server.

A missing or malformed Origin is refused. Refusals are the handshake's 403.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
PAGE_SCHEME_OF_SOCKET = {"ws": "http", "wss": "https"}

Origin = tuple[str, str, int]


def parse_origin(value: str) -> Origin | None:
    """(scheme, host, port) of an http(s) origin, with the scheme's default port filled in."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def _matches(origin: Origin, trusted: str) -> bool:
    pattern = parse_origin(trusted)
    if pattern is None:
        return False
    scheme, host, port = pattern
    if host.startswith("*."):
        return origin[0] == scheme and origin[2] == port and origin[1].endswith(host[1:])
    return origin == pattern


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def origin_allowed(origin: str | None, scope) -> bool:
    parsed = parse_origin(origin) if origin else None
    if parsed is None:
        return False
    if any(_matches(parsed, trusted) for trusted in [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS]):
        return True
    host = _header(scope, b"host")
    page_scheme = PAGE_SCHEME_OF_SOCKET.get(scope.get("scheme", "ws"))
    if not host or page_scheme is None:
        return False
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    return parsed == parse_origin(f"{page_scheme}://{host}")


class OriginValidator:
    """ASGI middleware for the websocket protocol: the handshake goes on only for an allowed origin."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if origin_allowed(_header(scope, b"origin"), scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
