"""HTTPS through the real middleware: plain HTTP is redirected, HSTS is sent over HTTPS, and a
client's own X-Forwarded-Proto is believed only when a setting says a proxy sets that header."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = None


def test_plain_http_is_redirected_except_the_health_check(client, production_https):
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code == 200


def test_hsts_goes_out_over_https(client, production_https):
    response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_a_forwarded_proto_header_is_not_believed_by_default(client, production_https):
    response = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301


def test_it_is_believed_when_the_setting_names_the_proxys_header(client, production_https, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/accounts/login/", headers={"X-Forwarded-Proto": "http"}).status_code == 301
