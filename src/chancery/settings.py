"""Django settings, all read from the environment (see docs/operations.md for the list)."""

from __future__ import annotations

from pathlib import Path

from chancery.env import (
    data_dir,
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_rate,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

DEBUG = env_bool("CHANCERY_DEBUG", False)
SECRET_KEY = env_str("CHANCERY_SECRET_KEY", "")
if not SECRET_KEY:
    # A per-installation secret kept in the data folder, made on first start.
    _secret_file = DATA_DIR / "secret-key"
    if _secret_file.exists():
        SECRET_KEY = _secret_file.read_text().strip()
    else:
        import secrets

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = secrets.token_urlsafe(50)
        _secret_file.write_text(SECRET_KEY)
        _secret_file.chmod(0o600)

ALLOWED_HOSTS = env_list(
    "CHANCERY_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CHANCERY_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files (no CDN: the docs work offline)
    "chancery.accounts",
    "chancery.directory",
    "chancery.ledger",
    "chancery.correspondence",
    "chancery.calls",
    "chancery.records",
    "chancery.web",
    "chancery.demo",
    "django_filters",
    "django_tables2",
]

MIDDLEWARE = [
    # Outermost: a lost database is a 503 with Retry-After (JSON on /api/), not an HTML 500,
    # whichever layer below meets it (web/outage.py).
    "chancery.web.outage.DatabaseUnavailableMiddleware",
    "chancery.web.health.HealthMiddleware",  # /healthz, /readyz: before the host check
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "chancery.urls"
WSGI_APPLICATION = "chancery.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chancery.web.context.chancery",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL", "sqlite://"), data=DATA_DIR),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("CHANCERY_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing STATIC_ROOT
# Static files are served by WhiteNoise straight from the apps (no collectstatic step needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# Request limits: the API refuses larger bodies with a 413 naming the limit.
CHANCERY_MAX_BODY_CHARS = env_int("CHANCERY_MAX_BODY_CHARS", 100_000, minimum=1)
CHANCERY_MAX_ATTACHMENT_BYTES = env_int(
    "CHANCERY_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024, minimum=1
)
CHANCERY_MAX_ATTACHMENTS = env_int("CHANCERY_MAX_ATTACHMENTS", 10, minimum=0)
DATA_UPLOAD_MAX_MEMORY_SIZE = (CHANCERY_MAX_ATTACHMENT_BYTES * 2) + 1024 * 1024

# Per-process caches on the intake path (seconds; 0 turns them off). Directory rows (principal,
# office) and a token's user, roles and profile; a token's revocation applies at once.
CHANCERY_REFERENCE_CACHE_SECONDS = env_float("CHANCERY_REFERENCE_CACHE_SECONDS", 5.0, minimum=0)
CHANCERY_IDENTITY_CACHE_SECONDS = env_float("CHANCERY_IDENTITY_CACHE_SECONDS", 10.0, minimum=0)

# Caches. "default" is the database (table chancery_cache, made by `chancery migrate`), shared
# by every process: the login limit counts there. "throttle" holds the API's request counters:
# each process's memory unless CHANCERY_API_THROTTLE_SHARED (exact across processes, about
# 0.5 ms of CPU more per request). See accounts/throttling.py.
CACHES: dict[str, dict[str, object]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "chancery_cache",
    },
    "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
if env_bool("CHANCERY_API_THROTTLE_SHARED", False):
    CACHES["throttle"] = CACHES["default"]

# Rate limits ("COUNT/PERIOD", e.g. 120/min or 10/15min; "off" for none). API requests per
# authenticated user, and per client address for requests without credentials (the answer over
# the limit is a JSON 429 with Retry-After); sign-in attempts per username and address (failed
# ones: a success clears the count).
CHANCERY_API_RATE_USER = env_rate("CHANCERY_API_RATE_USER", "6000/min")
CHANCERY_API_RATE_ANON = env_rate("CHANCERY_API_RATE_ANON", "120/min")
CHANCERY_LOGIN_RATE = env_rate("CHANCERY_LOGIN_RATE", "10/15min")
# Proxies in front of Chancery that append to X-Forwarded-For (0: use the connection's address).
NINJA_NUM_PROXIES = env_int("CHANCERY_NUM_PROXIES", 0, minimum=0)

# No-silent-withholding rules (hours).
CHANCERY_HOLD_LAPSE_HOURS = env_float("CHANCERY_HOLD_LAPSE_HOURS", 24.0, minimum=0.01)
CHANCERY_HOLD_MAX_HOURS = env_float("CHANCERY_HOLD_MAX_HOURS", 72.0, minimum=0.01)
CHANCERY_DELIVERY_TARGET_HOURS = env_float("CHANCERY_DELIVERY_TARGET_HOURS", 4.0, minimum=0.01)
CHANCERY_WORKER_INTERVAL = env_float("CHANCERY_WORKER_INTERVAL", 2.0, minimum=0.05)
# While the database is unreachable every request is answered 503 with this Retry-After (s).
CHANCERY_UNAVAILABLE_RETRY_AFTER = env_int("CHANCERY_UNAVAILABLE_RETRY_AFTER", 30, minimum=1)
# A background process (worker, sequencer) is "silent" once its last heartbeat is older than
# this many seconds; 0 (the default): five of its intervals, and at least 60 s.
CHANCERY_SILENT_AFTER = env_float("CHANCERY_SILENT_AFTER", 0.0, minimum=0)
# Work the worker should have done (lapse a hold, escalate, release after the gate opened, send
# a mail) counts as "overdue action" on the pages once it is this many seconds late.
CHANCERY_OVERDUE_ACTION_GRACE = env_float("CHANCERY_OVERDUE_ACTION_GRACE", 60.0, minimum=0)

# lingua: "low" accuracy loads ~25 MB of models for the demo's languages and labels sentences
# correctly; "high" takes ~400 MB and helps only with one- or two-word texts.
CHANCERY_LANGUAGE_ACCURACY = env_str("CHANCERY_LANGUAGE_ACCURACY", "low")
if CHANCERY_LANGUAGE_ACCURACY not in {"low", "high"}:
    raise ValueError(
        f"CHANCERY_LANGUAGE_ACCURACY={CHANCERY_LANGUAGE_ACCURACY!r}: use 'low' or 'high'"
    )

# The clock offset (seconds) lets the demo run "in November 2020" while time still flows.
CHANCERY_CLOCK_OFFSET = env_float("CHANCERY_CLOCK_OFFSET", 0.0)

EMAIL_BACKEND = env_str(
    "CHANCERY_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("CHANCERY_FROM_EMAIL", "opscenter@chancery.invalid")
# The ORGANIZER of call invitations (calls/ical.py); empty: the From address above.
CHANCERY_CALLS_ORGANIZER = env_str("CHANCERY_CALLS_ORGANIZER", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CHANCERY_LOG_LEVEL", "WARNING")},
}

# Transparency log (ledger/). The origin names the log in every checkpoint; the signing key is
# made on the sequencer's first start in the data folder (mode 0600).
CHANCERY_LOG_ORIGIN = env_str("CHANCERY_LOG_ORIGIN", "chancery.example/log")
CHANCERY_LOG_KEY_FILE = DATA_DIR / "log-signing.key"
CHANCERY_LOG_BATCH = env_int("CHANCERY_LOG_BATCH", 8192, minimum=1)
# How far an event's time may run back behind an earlier entry of the log before `chancery
# verify` reports it (concurrent transactions take their times before they commit).
CHANCERY_VERIFY_CLOCK_SKEW = env_float("CHANCERY_VERIFY_CLOCK_SKEW", 5.0, minimum=0)
# The worker's comparison of changed rows (ledger/integrity.py): queued rows per transaction,
# and batches per pass (the rest waits for the next pass).
CHANCERY_INTEGRITY_BATCH = env_int("CHANCERY_INTEGRITY_BATCH", 500, minimum=1)
CHANCERY_INTEGRITY_BATCHES = env_int("CHANCERY_INTEGRITY_BATCHES", 20, minimum=1)
CHANCERY_LOG_INTERVAL = env_float("CHANCERY_LOG_INTERVAL", 0.5, minimum=0.01)
if CHANCERY_LOG_INTERVAL > 1:
    raise ValueError("CHANCERY_LOG_INTERVAL must be at most 1 second (batches at most 1 s apart)")
# The sequencer re-stamps the current checkpoint (a timestamped cosignature by this
# installation's witness key) when its stamp is older than this, even if nothing new arrived, so
# that a stale log can be told from an idle one.
CHANCERY_LOG_STAMP_INTERVAL = env_float("CHANCERY_LOG_STAMP_INTERVAL", 60.0, minimum=0.01)
# The latency promised to senders: an event not in the public log after this long is "late" on
# its receipt page and in the API's receipt answer.
CHANCERY_LOG_PROMISED_LATENCY = env_float("CHANCERY_LOG_PROMISED_LATENCY", 60.0, minimum=1)
# The age of the checkpoint's stamp past which the pages call the log's checkpoint stale.
CHANCERY_LOG_STALE_AFTER = env_float("CHANCERY_LOG_STALE_AFTER", 300.0, minimum=1)
# Witnesses we submit our checkpoints to: "URL VKEY" pairs, comma-separated; URL is the
# witness's tlog-witness prefix (e.g. https://other.example/log/witness).
CHANCERY_WITNESSES = env_list("CHANCERY_WITNESSES", [])
# Logs we witness for (their verifier keys, comma-separated), and our own witness key.
CHANCERY_WITNESS_LOGS = env_list("CHANCERY_WITNESS_LOGS", [])
CHANCERY_WITNESS_NAME = env_str("CHANCERY_WITNESS_NAME", "")
CHANCERY_WITNESS_KEY_FILE = DATA_DIR / "witness-signing.key"
