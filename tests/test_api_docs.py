"""/api/schema/ and /api/docs/ describe every endpoint: signed-in users only when DEBUG is off
(pytest-django runs with DEBUG off, as production does)."""

import pytest

pytestmark = pytest.mark.django_db


def test_signed_out_visitors_get_no_schema_and_are_sent_to_sign_in_for_the_docs(client):
    assert client.get("/api/schema/").status_code == 403
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 403 and schema.json()["code"] == "not_authenticated"
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"] == "/accounts/login/?next=/api/docs/"
    assert client.get("/api/docs/?script=").status_code == 302


def test_signed_in_users_read_the_schema_and_the_docs(client_for, outsider):
    client = client_for(outsider)
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200 and "Content-Security-Policy" in page
    html = page.content.decode()
    # Swagger UI's start-up script is a file of its own, so the policy's script-src 'self' allows it.
    assert '<script src="/api/docs/?script="></script>' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_with_debug_on_anyone_reads_them(client, settings):
    settings.DEBUG = True
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
