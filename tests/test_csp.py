"""The Content-Security-Policy (config/csp.py) through the real middleware stack, and the templates
it depends on: no inline script or event handler anywhere."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_every_html_page_carries_the_policy(client_for, interviewer, interview):
    client = client_for(interviewer)
    for url in (reverse("problem_bank"), reverse("dashboard"), reverse("interview_room", args=[interview.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["connect-src"] == ["'self'", "ws://testserver"]
        assert policy["media-src"] == ["'self'", "blob:"]
        assert policy["img-src"] == ["'self'", "data:", "blob:"]
    # Pages signed-out people see too.
    for url in (reverse("home"), reverse("account_login")):
        assert directives(client_for(None).get(url))["script-src"] == ["'self'"]


def test_json_answers_carry_no_policy(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and "Content-Security-Policy" not in response


def test_over_https_the_socket_origin_is_wss_and_the_ice_servers_are_listed(client, settings):
    settings.TURN_URLS = ["turn:turn.example.com:3478?transport=udp", "turn:turn.example.com:3478?transport=tcp"]
    settings.STUN_URLS = ["stun:stun.example.com:3478"]
    response = client.get(reverse("home"), secure=True)
    assert directives(response)["connect-src"] == [
        "'self'",
        "wss://testserver",
        "turn.example.com:3478",
        "stun.example.com:3478",
    ]


def test_the_room_reads_the_excalidraw_asset_path_from_a_data_attribute(client_for, interviewer, interview):
    page = client_for(interviewer).get(reverse("interview_room", args=[interview.pk])).content.decode()
    assert '<script src="/static/js/excalidraw-assets.js" data-asset-path="/static/app/"></script>' in page
    assert '<script src="/static/js/site.js" defer></script>' in page
    assert "EXCALIDRAW_ASSET_PATH" not in page


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_an_inline_script_or_handler(template):
    if "email" in template.parts:  # read in mail clients, not served with the policy
        return
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "move the script into static/js/site.js"
    assert not INLINE_HANDLER.search(text), "use a data attribute handled in static/js/site.js"
    assert "javascript:" not in text
