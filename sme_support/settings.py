"""Settings for sme-support: one module, configured by environment variables.

Defaults run on a laptop with nothing but Python: SQLite and a filesystem Celery broker
under ``var/``. Production sets ``DATABASE_URL``, ``CELERY_BROKER_URL``, ``SECRET_KEY``,
``ALLOWED_HOSTS`` and turns ``DEBUG`` off; the app then refuses to start on unsafe values.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Core -----------------------------------------------------------------------------

INSECURE_SECRET_KEY = "django-insecure-sme-support-development-key-do-not-use"  # noqa: S105
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", INSECURE_SECRET_KEY)
if not DEBUG and (SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50):
    # A production instance on the published key would let anyone forge sessions.
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the development default or shorter than 50 "
        "characters. Set SECRET_KEY to a long random value."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    # Swagger UI and Redoc assets served from our own static files, never a CDN.
    "drf_spectacular_sidecar",
    # The project's apps, lowest layer first (README, "Project layout"; .importlinter). The
    # project package itself has state of its own (Idempotency-Key answers).
    "sme_support",
    "notifications",
    "firms",
    "programs",
    "applications",
    "reviews",
    "portal",
    "demo",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view's database or broker outage becomes a 503 with Retry-After (sme_support/outage.py).
    "sme_support.outage.ServiceUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]
# How long the answer to an API write made with an Idempotency-Key is kept for retries.
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24)
# Seconds a client is asked to wait (Retry-After) when a 503 says the database or broker is away.
OUTAGE_RETRY_AFTER_SECONDS = env_int("OUTAGE_RETRY_AFTER_SECONDS", 10)

ROOT_URLCONF = "sme_support.urls"
WSGI_APPLICATION = "sme_support.wsgi.application"
ASGI_APPLICATION = "sme_support.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves web, worker and beat from one file; WAL and a busy
    # timeout keep the three processes from tripping over each other's locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_JIT", False):
    # PostgreSQL compiles a query with LLVM once its estimated cost passes jit_above_cost. The
    # statistics aggregates over a million applications pass it, and compiling cost more than
    # it saved on every one measured (0.1–2 s, bench/RESULTS.md). DB_JIT=true turns it back on.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "home"

# --- Internationalisation ---------------------------------------------------------------

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ko")
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads live outside the static root and are never served by URL: the portal streams
# them after a permission check.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "uploads")))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

# --- Email ------------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sme-support <no-reply@localhost>")
# For django.core.mail.backends.filebased.EmailBackend (the worker tests count mails with it).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Seconds an SMTP conversation may take; must stay well below REMINDER_STUCK_AFTER, or a slow
# send could be taken for a dead one and sent again.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (strict whenever DEBUG is off) ----------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading promises HTTPS forever for the whole domain and every subdomain; only
        # the domain's owner can make that promise, so it stays opt-in and `check --deploy`
        # need not remind every deployment about it.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- REST framework -----------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "sme_support.api.filters.ApiFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's per-user throttle, letting requests through while its cache (Redis) is away.
    "DEFAULT_THROTTLE_CLASSES": ["sme_support.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("API_THROTTLE_USER", "2000/hour")},
    # Every error as {"error": {"code", "message", "fields"}}, domain refusals included.
    "EXCEPTION_HANDLER": "sme_support.api.base.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "sme-support API",
    "DESCRIPTION": "Programs, applications, firms and statistics of the export-support agency.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and response components, so read-only fields never appear as input.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "applications.workflow.Status",
        "OutcomeReportStatusEnum": "applications.models.OutcomeReport.ReportStatus",
        "SectorEnum": "firms.models.Sector",
        "ProgramKindEnum": "programs.models.ProgramKind",
        "PriorityFactorEnum": "programs.models.PriorityFactor",
    },
}

# --- Cache ----------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A hung Redis must not hang requests: the cache is only a counter and a speed-up
            # (the API throttle lets requests through without it, sme_support/throttling.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Celery -----------------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files under var/broker, so web, worker and beat
    # share a queue with no server running.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Must exceed the longest task's run time, or Redis re-delivers a task that is still
    # running to a second worker (acks_late).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 60 * 60 * 2),
        # A hung Redis (accepting connections, answering nothing) would otherwise block a
        # submission's publish forever; with these a publish gives up within ~2 s and the
        # sweeper re-enqueues later. Must stay above kombu's 1 s BRPOP timeout.
        "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 2),
        "socket_connect_timeout": env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 1),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker outlives its broker: it reconnects for as long as the broker is away (Celery's
# default gives up after 100 attempts, about 50 minutes, and exits). kombu spaces the attempts
# 2, 4, 6 … at most 30 s apart, so it consumes again within 30 s of Redis returning.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Tasks running when the connection drops finish; their acknowledgement cannot reach the broker,
# so the message is delivered again and the task, idempotent, runs once more as a no-op. Killing
# them instead (Celery 6's default) could cut a mail off mid-send and send it twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Publishing from a web request must fail fast when the broker is down (the callers catch it
# and the sweepers re-enqueue): one quick retry covers a pooled connection gone stale after a
# broker restart, no more.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 1)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# The test suite gives every run its own queue so that stale messages never reach its workers.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The stock persistent scheduler, which first creates the schedule file's folder (a fresh clone has no var/).
CELERY_BEAT_SCHEDULER = "sme_support.beat:Scheduler"
# How often the screening sweeper looks for submissions nobody is screening (see SCREENING_STUCK_AFTER).
SCREENING_SWEEP_SECONDS = env_int("SCREENING_SWEEP_SECONDS", 30)
# Every periodic job, in one place.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Often, so that submissions made while the broker was away are screened within a minute
    # of its return; a run that finds nothing costs one indexed query.
    "requeue-stuck-screening": {
        "task": "applications.tasks.requeue_stuck_screening",
        "schedule": timedelta(seconds=SCREENING_SWEEP_SECONDS),
        "options": {"expires": SCREENING_SWEEP_SECONDS},
    },
    "requeue-stale-rechecks": {
        "task": "applications.tasks.requeue_stale_rechecks",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 14 * 60},
    },
    # A missed run is simply superseded by the next one, so none may pile up while workers are away.
    "reminders-sweep": {
        "task": "notifications.tasks.reminders_sweep",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 14 * 60},
    },
    "officer-digest": {
        "task": "notifications.tasks.officer_digest",
        "schedule": crontab(hour=8, minute=0),  # CELERY_TIMEZONE, i.e. 08:00 Asia/Seoul
        "options": {"expires": 60 * 60 * 4},
    },
    "requeue-stuck-reminders": {
        "task": "notifications.tasks.requeue_stuck_reminders",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 4 * 60},
    },
    # Waitlist offers past their deadline pass to the next in line; free capacity is offered.
    "waitlist-sweep": {
        "task": "applications.tasks.waitlist_sweep",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 9 * 60},
    },
    "prune-idempotency-keys": {
        "task": "sme_support.tasks.prune_idempotency_keys",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 60 * 60 * 4},
    },
    # First come, first served applications made eligible by an override or a rules re-check.
    "fcfs-decide-backlog": {
        "task": "applications.tasks.fcfs_decide_backlog",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 4 * 60},
    },
}
# How long an application may sit in `submitted`/`screening` before the sweeper re-enqueues it.
# Short, so a submission whose publish failed (broker away) waits little once the broker is back.
# Under a backlog the sweeper enqueues a second message for an application still waiting its turn;
# that message expires after SCREENING_STUCK_AFTER unread, and screening twice is a no-op anyway.
SCREENING_STUCK_AFTER = timedelta(seconds=env_int("SCREENING_STUCK_AFTER_SECONDS", 60))
# How long after a rules change open applications may still be judged under the old rules
# before the sweeper re-enqueues the program's re-check (a big program's re-check takes time).
RECHECK_STALE_AFTER = timedelta(minutes=env_int("RECHECK_STALE_AFTER_MINUTES", 30))

# Days a firm gets to answer an information request when the officer sets no date.
INFO_REQUEST_DEFAULT_DAYS = env_int("INFO_REQUEST_DEFAULT_DAYS", 7)

# --- Decisions (applications.decisions) --------------------------------------------------------
# Defaults for programs whose DecisionPolicy leaves them empty. An approval worth more than the
# threshold (KRW) waits for a manager's sign-off; a booth or seat with no value of its own is
# worth DECISION_DEFAULT_UNIT_VALUE_KRW; a firm has WAITLIST_OFFER_DAYS to accept a freed place.
DECISION_SIGN_OFF_THRESHOLD_KRW = env_int("DECISION_SIGN_OFF_THRESHOLD_KRW", 30_000_000)
DECISION_DEFAULT_UNIT_VALUE_KRW = env_int("DECISION_DEFAULT_UNIT_VALUE_KRW", 3_000_000)
WAITLIST_OFFER_DAYS = env_int("WAITLIST_OFFER_DAYS", 5)
# Seconds before a promotion that passed over a busy application is run again.
WAITLIST_RETRY_SECONDS = env_int("WAITLIST_RETRY_SECONDS", 5)
if DECISION_SIGN_OFF_THRESHOLD_KRW < 0 or DECISION_DEFAULT_UNIT_VALUE_KRW < 0 or WAITLIST_OFFER_DAYS < 1:
    raise ImproperlyConfigured(
        "DECISION_SIGN_OFF_THRESHOLD_KRW and DECISION_DEFAULT_UNIT_VALUE_KRW must be 0 or more, "
        "WAITLIST_OFFER_DAYS 1 or more."
    )

# --- Reminders ------------------------------------------------------------------------------


def env_days(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """A comma-separated list of whole days, e.g. ``REMINDER_CALL_CLOSING_DAYS=7,3,1``."""
    raw = env_list(name, [str(d) for d in default])
    try:
        days = tuple(sorted({int(item) for item in raw}, reverse=True))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be comma-separated whole days, got {raw!r}") from exc
    if any(d < 1 for d in days):
        raise ImproperlyConfigured(f"{name} must list days of 1 or more, got {raw!r}")
    return days


# Days before a deadline on which a reminder goes out (calendar days, agency time zone).
REMINDER_CALL_CLOSING_DAYS = env_days("REMINDER_CALL_CLOSING_DAYS", (7, 3, 1))
REMINDER_INFO_DUE_DAYS = env_days("REMINDER_INFO_DUE_DAYS", (2,))
REMINDER_OUTCOME_DUE_DAYS = env_days("REMINDER_OUTCOME_DUE_DAYS", (14,))
# An overdue notice goes out once per deadline; with N > 0 it is repeated every N days while
# the item stays overdue.
REMINDER_OVERDUE_REPEAT_DAYS = env_int("REMINDER_OVERDUE_REPEAT_DAYS", 0)
# What counts as waiting for an officer in the daily digest.
REMINDER_DIGEST_STATUSES = tuple(env_list("REMINDER_DIGEST_STATUSES", ["eligible", "under_review"]))
# Sending: attempts before a reminder is marked failed, and the backoff between them
# (base seconds, doubled per attempt, capped).
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5)
REMINDER_RETRY_BACKOFF_SECONDS = env_int("REMINDER_RETRY_BACKOFF_SECONDS", 60)
REMINDER_RETRY_BACKOFF_MAX_SECONDS = env_int("REMINDER_RETRY_BACKOFF_MAX_SECONDS", 60 * 60)
# A reminder queued (or claimed by a worker) this long ago without being sent is stuck: the
# requeue sweeper enqueues it again and a new worker may take over a stale claim.
REMINDER_STUCK_AFTER = timedelta(seconds=env_int("REMINDER_STUCK_AFTER_SECONDS", 10 * 60))
if REMINDER_STUCK_AFTER.total_seconds() <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured("REMINDER_STUCK_AFTER_SECONDS must exceed EMAIL_TIMEOUT.")

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Portal: accounts, lockout, uploads -----------------------------------------------------

# django-axes refuses authentication while a username+IP pair is locked out; it must come
# first so a locked-out user never reaches the password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
# Lock the pair, not the address alone: one office behind a NAT must not lock out colleagues.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Sign-up verification and password-reset links share Django's PASSWORD_RESET_TIMEOUT (3 days).
# How long a firm invitation stays valid.
PORTAL_INVITATION_DAYS = env_int("PORTAL_INVITATION_DAYS", 14)
# What a session-expired form post may keep in a signed cookie until the user signs in again.
PORTAL_STASH_MAX_AGE = timedelta(hours=12)

# Uploaded application documents: content-checked and capped; stored under MEDIA_ROOT.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640

# Outcome reports fall due this many days after the event ends.
OUTCOME_REPORT_DUE_DAYS = env_int("OUTCOME_REPORT_DUE_DAYS", 30)
