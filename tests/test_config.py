"""The settings: each unsafe production value stops start-up with a sentence saying what to fix.

The server's entry point (config.asgi) or the settings are imported in a subprocess with the
environment under test (nothing of this test process leaks in): production values come from
.env.example, so the file and the checks agree.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.security import DEVELOPMENT_SECRET_KEY, ENV_EXAMPLE_SECRET_KEY, ENV_EXAMPLE_TURN_SECRET

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"
OURS = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "CHANNEL_PREFIX", "ALLOWED_HOSTS", "TURN_SECRET"}


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def production(**overrides) -> dict[str, str]:
    """The documented production values, with secrets of this test's own in place of the placeholders."""
    return {**env_example(), "SECRET_KEY": secrets.token_urlsafe(50), "TURN_SECRET": secrets.token_hex(32), **overrides}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OURS and k not in env_example()}
    return subprocess.run(args, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60, check=False)


def load_settings(code: str = "print(s.CHANNEL_LAYERS['default']['BACKEND'])", **env) -> subprocess.CompletedProcess:
    """Import config.settings with `env` (DEBUG=on unless given) and run `code` with it as `s`."""
    return run([sys.executable, "-c", f"import config.settings as s; {code}"], {"DEBUG": "on", **env})


def start_server(**env) -> subprocess.CompletedProcess:
    """Import the ASGI entry point, as uvicorn does, with `env` (DEBUG=on unless given)."""
    return run([sys.executable, "-c", "import config.asgi"], {"DEBUG": "on", **env})


def refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    return last.partition(": ")[2]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "off"}, "SECRET_KEY must be set"),
        ({"DEBUG": "off", "SECRET_KEY": secrets.token_urlsafe(50)}, "ALLOWED_HOSTS must be set"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL must start with redis://"),
        ({"BOARD_MAX_ELEMENTS": "lots"}, "BOARD_MAX_ELEMENTS must be a whole number"),
        ({"BOARD_MAX_MESSAGE_BYTES": "10"}, "BOARD_MAX_MESSAGE_BYTES must be at least 1024"),
        ({"API_WRITE_RATE": "fast"}, "API_WRITE_RATE must be requests per period"),
        ({"SECURE_HSTS_SECONDS": "-1"}, "SECURE_HSTS_SECONDS must be at least 0"),
        ({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}, "SECURE_PROXY_SSL_HEADER must be the name"),
    ],
)
def test_bad_settings_fail_at_start_with_a_clear_message(env, message):
    assert message in refusal(start_server(**env))


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "SECRET_KEY must be set when DEBUG is off; generate one with"),
        (secrets.token_urlsafe(30), "SECRET_KEY is 40 characters long; use at least 50"),
        ("ab12" * 20, "SECRET_KEY uses fewer than 5 different characters"),
        (ENV_EXAMPLE_SECRET_KEY, "SECRET_KEY is a published value"),
        (DEVELOPMENT_SECRET_KEY, "SECRET_KEY is a published value"),
        ("django-insecure-" + secrets.token_urlsafe(50), "SECRET_KEY is a published value"),
    ],
    ids=["missing", "short", "low-variety", "env-example", "development-default", "django-insecure"],
)
def test_production_refuses_an_unsafe_secret_key(key, message):
    assert message in refusal(start_server(**production(SECRET_KEY=key)))


def test_production_refuses_the_example_turn_secret():
    assert "TURN_SECRET must be a secret of your own" in refusal(
        start_server(**production(TURN_SECRET=ENV_EXAMPLE_TURN_SECRET))
    )


def test_env_example_as_it_stands_is_refused_until_its_secret_is_replaced():
    assert "SECRET_KEY is a published value" in refusal(start_server(**env_example()))
    assert env_example()["SECRET_KEY"] == ENV_EXAMPLE_SECRET_KEY


def test_the_wsgi_entry_point_and_the_celery_worker_refuse_the_same():
    wsgi = run([sys.executable, "-c", "import config.wsgi"], {"DEBUG": "off", "ALLOWED_HOSTS": "mocklane.example.com"})
    assert "SECRET_KEY must be set" in refusal(wsgi)
    worker = run(
        [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "--pool=solo", "--concurrency=1"],
        {"DEBUG": "off", "SECRET_KEY": ENV_EXAMPLE_SECRET_KEY, "ALLOWED_HOSTS": "mocklane.example.com"},
    )
    assert worker.returncode != 0 and "ImproperlyConfigured: SECRET_KEY is a published value" in worker.stderr


def test_commands_that_serve_nothing_run_in_a_bare_checkout():
    """No DEBUG, no key: the settings load and manage.py works (migrations, checks), while a server
    started the same way is refused (above)."""
    result = run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], {})
    assert result.returncode == 0 and "No changes detected" in result.stdout, result.stderr
    bare = run([sys.executable, "-c", "import config.settings as s; print(bool(s.STARTUP_REFUSAL))"], {})
    assert bare.stdout.strip() == "True", bare.stderr


def test_debug_is_off_unless_set():
    result = load_settings(
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE)",
        DEBUG="",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="mocklane.example.com",
    )
    assert result.stdout.split() == ["False", "True", "True"], result.stderr
    env = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "mocklane.example.com"}
    unset = run([sys.executable, "-c", "import config.settings as s; print(s.DEBUG)"], env)
    assert unset.stdout.strip() == "False", unset.stderr


def test_the_development_key_is_used_only_with_debug_on():
    assert load_settings("print(s.SECRET_KEY)").stdout.strip() == DEVELOPMENT_SECRET_KEY


def test_https_settings_come_from_the_environment():
    code = (
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
        " s.SECURE_PROXY_SSL_HEADER)"
    )
    assert load_settings(code, **production()).stdout.strip() == (
        "31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    )
    # Without a setting naming the proxy's header, no header is trusted.
    assert load_settings(code, **production(SECURE_PROXY_SSL_HEADER="")).stdout.strip().endswith(" None")


def test_check_deploy_is_clean_with_the_documented_values():
    check = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    clean = run(check, production())
    assert clean.returncode == 0 and "System check identified no issues" in clean.stdout, clean.stdout + clean.stderr
    # The check can fail: without HSTS it warns.
    warned = run(check, production(SECURE_HSTS_SECONDS="0"))
    assert warned.returncode != 0 and "security.W004" in warned.stdout + warned.stderr


def test_env_example_names_every_variable_the_settings_read():
    source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))
    read |= set(re.findall(r"""_env_(?:int|rate)\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))
    assert {"SECRET_KEY", "DEBUG", "SECURE_HSTS_SECONDS", "CHANNEL_PREFIX"} <= read
    assert read - set(env_example()) == set()


def test_redis_url_switches_to_the_pubsub_layer_and_the_redis_cache():
    code = (
        "print(s.CHANNEL_LAYERS['default']['BACKEND'], s.CACHES['default']['BACKEND'],"
        " s.CACHES['default']['KEY_PREFIX'])"
    )
    assert load_settings(code, REDIS_URL="redis://127.0.0.1:6379/0", CHANNEL_PREFIX="staging").stdout.split() == [
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "django.core.cache.backends.redis.RedisCache",
        "staging",
    ]
    assert load_settings().stdout.strip() == "channels.layers.InMemoryChannelLayer"
