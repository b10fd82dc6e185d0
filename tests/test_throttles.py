"""Limits that hold across processes: the API's write throttle, and django-allauth's sign-in and
password-reset limits, counted in the cache (Redis when REDIS_URL is set)."""

import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def write_rate(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"writes": "3/minute"}}


def test_writes_beyond_the_rate_get_429_throttled_and_reads_go_on(write_rate, client_for, interviewer, candidate):
    client = client_for(interviewer)
    for _ in range(3):
        assert client.post("/api/calendar/rotate/").status_code == 200
    refused = client.post("/api/calendar/rotate/")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0 and "Expected available in" in refused.json()["message"]
    assert client.get("/api/profile/").status_code == 200  # reads are not counted
    assert client_for(candidate).post("/api/calendar/rotate/").status_code == 200  # per user


def test_the_write_rate_is_one_budget_over_every_write_endpoint(write_rate, client_for, interviewer):
    client = client_for(interviewer)
    for _ in range(3):
        assert client.post("/api/calendar/rotate/").status_code == 200
    response = client.put("/api/profile/", {"display_name": "Ivy"}, content_type="application/json")
    assert response.status_code == 429


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: without it each process counts alone")
@pytest.mark.django_db(transaction=True)
def test_sign_in_and_reset_limits_hold_in_another_process(client_for, interviewer):
    """Failed sign-ins and reset requests made here are counted in another server process."""
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    client = client_for(None)
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": "ivy", "password": "wrong password"})
        assert "The username and/or password you specified are not correct." in response.content.decode()
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": interviewer.email})

    db = connection.settings_dict
    if connection.vendor == "postgresql":
        database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        database_url = f"sqlite:///{db['NAME']}"
    script = textwrap.dedent(
        f"""
        import django
        from django.conf import settings
        settings.PASSWORD_HASHERS = {settings.PASSWORD_HASHERS!r}  # the tests' fast hasher
        django.setup()
        from django.test import Client
        client = Client()
        login = client.post("/accounts/login/", {{"login": "ivy", "password": {PASSWORD!r}}})
        print("login", login.status_code, "Too many failed login attempts" in login.content.decode())
        reset = client.post("/accounts/password/reset/", {{"email": {interviewer.email!r}}})
        print("reset", reset.status_code)
        """
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "on",
        "DATABASE_URL": database_url,
        "CHANNEL_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],  # this test's own cache keys
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # The right password, but too many failures came first (in this process): refused there too.
    assert result.stdout.split() == ["login", "200", "True", "reset", "429"], result.stdout + result.stderr
