"""Content-Security-Policy on every HTML (and SVG) response.

Scripts come from this site only: no inline script, no inline event handler, no eval. The pages'
small behaviours live in static/js/site.js, configured by data attributes, and
static/js/excalidraw-assets.js sets Excalidraw's asset path from its script tag's data attribute. Styles allow inline
`style` attributes and injected `<style>` elements, which Excalidraw and Swagger UI set.
"""

from urllib.parse import urlsplit

from django.conf import settings

POLICY_TYPES = ("text/html", "image/svg+xml")


def ice_hosts(urls: list[str]) -> list[str]:
    """host:port of each STUN/TURN URL (`turn:turn.example.com:3478?transport=udp`)."""
    hosts = []
    for url in urls:
        rest = url.split(":", 1)[1] if ":" in url else url
        hostport = urlsplit("//" + rest.split("?", 1)[0]).netloc
        if hostport and hostport not in hosts:
            hosts.append(hostport)
    return hosts


def policy_for(request) -> str:
    scheme = "wss" if request.is_secure() else "ws"
    # 'self' covers the page's own ws: origin only in newer browsers: name the socket origin.
    connect = ["'self'", f"{scheme}://{request.get_host()}"]
    # The call's STUN/TURN servers. Browsers do not check WebRTC's own traffic against connect-src
    # today; naming them keeps the policy a complete list of where a page connects.
    connect += ice_hosts(settings.TURN_URLS + settings.STUN_URLS)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        # Excalidraw's image export embeds the fonts as data: URLs and subsets them in a worker.
        "font-src": ["'self'", "data:"],
        "connect-src": connect,
        # Recorded audio is played back from blob: URLs.
        "media-src": ["'self'", "blob:"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if content_type in POLICY_TYPES and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request)
        return response
