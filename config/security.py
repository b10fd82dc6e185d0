"""Start-up checks that keep a production deployment from running with unsafe settings.

Each check raises `ImproperlyConfigured` with a sentence that says what to fix. They run only with
DEBUG off, and only where the app starts to serve or to work: the ASGI and WSGI entry points and the
Celery worker and beat (`refuse_unsafe_settings`). Settings alone still load, so `manage.py`
commands that sign nothing (migrations, checks) work in a fresh checkout. Development (`make run`,
the tests) sets DEBUG=on and uses the development key.
"""

import re

from django.core.exceptions import ImproperlyConfigured

# Signs sessions, password-reset links and calendar feed tokens in development only.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ENV_EXAMPLE_SECRET_KEY = "replace-me-with-the-output-of-python3-secrets-token-urlsafe-50"  # noqa: S105
# Keys anyone can read: the development key and the placeholder in .env.example (a test keeps this
# list in step with that file). A deployment that copied one of them signs with a public secret.
PUBLISHED_SECRET_KEYS = frozenset(
    {
        DEVELOPMENT_SECRET_KEY,
        ENV_EXAMPLE_SECRET_KEY,
    }
)

ENV_EXAMPLE_TURN_SECRET = "replace-with-the-output-of-openssl-rand-hex-32"  # noqa: S105
TURN_SECRET_MIN_LENGTH = 32

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
GENERATE_HINT = "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"

# RFC 7230 token characters, as a header name in SECURE_PROXY_SSL_HEADER must be.
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


def check_secret_key(key: str) -> None:
    """Refuse a key that is missing, short, repetitive or published. Django's own check
    (security.W009) only warns, and only when someone runs `check --deploy`."""
    if not key:
        raise ImproperlyConfigured(f"SECRET_KEY must be set when DEBUG is off; {GENERATE_HINT}")
    if key in PUBLISHED_SECRET_KEYS or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "SECRET_KEY is a published value (the .env.example placeholder, the development default or a "
            f"django-insecure- key from startproject), so anyone could sign sessions with it; {GENERATE_HINT}"
        )
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY is {len(key)} characters long; use at least {SECRET_KEY_MIN_LENGTH}: {GENERATE_HINT}"
        )
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        raise ImproperlyConfigured(
            f"SECRET_KEY uses fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different characters, so it is easy "
            f"to guess; {GENERATE_HINT}"
        )


def check_turn_secret(secret: str) -> None:
    """With the TURN secret anyone can mint credentials and relay through the TURN server."""
    if secret and (secret == ENV_EXAMPLE_TURN_SECRET or len(secret) < TURN_SECRET_MIN_LENGTH):
        raise ImproperlyConfigured(
            f"TURN_SECRET must be a secret of your own, at least {TURN_SECRET_MIN_LENGTH} characters, not the "
            ".env.example placeholder; generate one with: openssl rand -hex 32 (and give coturn the same)"
        )


def proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """SECURE_PROXY_SSL_HEADER from the name of the header the proxy sets (e.g. X-Forwarded-Proto).

    Trusting the header is right only when a proxy in front of the app always sets it (and strips a
    client's own copy); otherwise any client could claim its plain-HTTP request came over HTTPS."""
    name = name.strip()
    if not name:
        return None
    if not HEADER_NAME.match(name):
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER must be the name of the header your proxy sets, e.g. X-Forwarded-Proto; "
            f"got {name!r}"
        )
    return ("HTTP_" + name.upper().replace("-", "_"), "https")


def startup_refusal(*, debug: bool, secret_key: str, allowed_hosts: list[str], turn_secret: str) -> str | None:
    """Why a process must not start with these settings (None when they are safe, or DEBUG is on).
    The settings module keeps the answer as STARTUP_REFUSAL, so loading settings never fails on it."""
    if debug:
        return None
    try:
        check_secret_key(secret_key)
        if not allowed_hosts:
            raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
        check_turn_secret(turn_secret)
    except ImproperlyConfigured as refusal:
        return str(refusal)
    return None


def refuse_unsafe_settings(settings) -> None:
    """Stop a process that serves requests or runs tasks when the settings are unsafe
    (`STARTUP_REFUSAL`, computed with the settings by `startup_refusal`)."""
    if settings.STARTUP_REFUSAL:
        raise ImproperlyConfigured(settings.STARTUP_REFUSAL)
