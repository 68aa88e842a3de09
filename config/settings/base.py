"""Settings shared by every mode; each value comes from the environment (django-environ).

The embedded default (SQLite, a Celery worker on files under var/celery, console e-mail, local-memory
cache) needs no service at all; ``DATABASE_URL``, ``CELERY_BROKER_URL`` and ``CACHE_URL`` switch to PostgreSQL and
Redis without a code change.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# GENERAL
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me-0123456789abcdefghijklmnop")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
# Strasbourg keeps Paris time; "Europe/Strasbourg" is not an IANA zone name.
TIME_ZONE = env("TIME_ZONE", default="Europe/Paris")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
SITE_ID = 1
DEMO_MODE = env.bool("DEMO_MODE", default=False)
PLATFORM_NAME = "Lanzarote Consultations"
# Base of the links in e-mails; unset: the host of the request that sends the mail (accounts.selectors.links).
PLATFORM_BASE_URL = env("PLATFORM_BASE_URL", default="")
ADMIN_URL = env("ADMIN_URL", default="admin/")

# DATABASES
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent autosaves from colleagues must wait for the write lock, not fail at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHES (allauth's rate limits need a real cache: local memory here, Redis when configured)
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://lanzarote")}

# APPS
DJANGO_APPS = [
    "modeltranslation",  # before admin, so the admin shows the EN/FR columns
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "import_export",
    "simple_history",
    "django_htmx",
    "csp",
]
LOCAL_APPS = ["accounts", "consultation", "reports", "monitoring", "publication", "stakeholders", "followup"]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# AUTHENTICATION
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# MIDDLEWARE
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionSecurityMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# TEMPLATES
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
                "accounts.context_processors.platform",
            ],
        },
    }
]

# STATIC AND MEDIA (uploads live outside the static root and are served only through views)
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# UPLOADS: answers are saved per item, so no request needs more than Django's default field count.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# SESSIONS: idle timeout (renewed on each request) and an absolute cap kept in the session.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=8 * 60 * 60)
# Renewed at most once a minute by accounts.middleware.SessionActivityMiddleware, not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = env.int("SESSION_RENEW_SECONDS", default=60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=24 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# CONTENT SECURITY POLICY (django-csp): everything is served from the platform itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# EMAIL
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Lanzarote Committee Secretariat <lanzarote.committee@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ALLAUTH: e-mail login, no usernames, no open sign-up (accounts come from invitations).
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    # Not an allauth action: the invitation link page (accounts.views.invitation_accept), per IP.
    "invitation_accept": "20/m/ip",
}
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=14)
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# Security keys need https; plain http is accepted only for local development (http://127.0.0.1) with DEBUG on.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=DEBUG)
MFA_TOTP_ISSUER = "Lanzarote Consultations"
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"
USERSESSIONS_TRACK_ACTIVITY = True

# CELERY: tasks never run inside a request. Without CELERY_BROKER_URL, messages travel as files under
# var/celery/ (kombu's filesystem transport), so the embedded default runs a real worker without any server:
# `make run` starts it next to the web server (config/launcher.py). Only the test settings run tasks eagerly.
# (The host is ignored by the files; naming one spares kombu's "No hostname was supplied" warning.)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or "filesystem://localhost/"
CELERY_TASK_ALWAYS_EAGER = False
# The folder of the filesystem broker (messages, exchange bindings) and of beat's schedule file.
TASK_STATE_DIR = Path(env("TASK_STATE_DIR", default=str(BASE_DIR / "var" / "celery")))
CELERY_BEAT_SCHEDULE_FILENAME = str(TASK_STATE_DIR / "beat-schedule")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # users see state in the platform's own models (ReportRun, ExportJob)
CELERY_TASK_ACKS_LATE = True  # every task is idempotent, so redelivery after a crash is safe
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
# Redelivery of a task whose worker died: visibility timeout above the longest task, and an
# unacked-restore sweep every few seconds instead of kombu's ~100 s default.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=16 * 60),
    "unacked_restore_interval": env.float("CELERY_UNACKED_RESTORE_INTERVAL", default=5.0),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=1),
    # Opening a connection to publish: one immediate retry, never kombu's default 2-s sleep, so a request
    # that queues a task while Redis is down answers at once (tests/reliability/test_broker_outage.py).
    "max_retries": 1,
    "interval_start": 0,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Publisher and worker share one queue folder (in = out). A fetched message is moved out of it at once and
    # deleted; one the worker holds unacknowledged (running, or waiting for its countdown) is written back when the
    # worker stops, and a build lost to a killed worker is resent by the stale-report sweep.
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {
            "data_folder_in": str(TASK_STATE_DIR / "queue"),
            "data_folder_out": str(TASK_STATE_DIR / "queue"),
            "store_processed": False,
            "control_folder": str(TASK_STATE_DIR / "control"),
            "polling_interval": 0.5,
        }
    )
    # Remote control and the event broadcasts bind a queue per worker to fanout exchanges; on files, the queue of a
    # stopped worker would keep receiving (and piling up) every broadcast. None of them is needed here.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
    CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {}  # filled by config.settings.schedule
# Reports are rebuilt this long after the last submission or reopening, so bursts cost one build.
REPORTS_REBUILD_DEBOUNCE_SECONDS = env.int("REPORTS_REBUILD_DEBOUNCE_SECONDS", default=60)
# Reminders to Parties that have not submitted: days before their deadline (and the day after it).
REMINDER_OFFSETS_DAYS = [int(n) for n in env.list("REMINDER_OFFSETS_DAYS", default=["14", "7", "1"])]
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
# Answer exports above this many rows are built by a Celery job instead of downloaded at once.
EXPORT_DIRECT_MAX_ROWS = env.int("EXPORT_DIRECT_MAX_ROWS", default=20_000)
# A report build that keeps dying (worker killed, poison data) is marked failed after this many attempts.
REPORTS_BUILD_MAX_ATTEMPTS = env.int("REPORTS_BUILD_MAX_ATTEMPTS", default=3)
# A queued build not picked up after this long (lost message, broker was down) is sent again by the sweep.
REPORTS_REQUEUE_AFTER_SECONDS = env.int("REPORTS_REQUEUE_AFTER_SECONDS", default=300)
# Batch report builds (build all, refresh) are split into this many tasks: set it to the worker concurrency.
REPORTS_BUILD_PARALLELISM = env.int("REPORTS_BUILD_PARALLELISM", default=2)

# IMPORT-EXPORT
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# MODELTRANSLATION: item texts in English and French; an empty French text falls back to English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "fr")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "fr"), "fr": ("en",), "en": ("fr",)}

# LOGGING
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

from .schedule import *  # noqa: E402,F403
