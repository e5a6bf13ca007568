"""Django settings for Borgerservice.

Every setting comes from an environment variable; each one is documented in the
README's configuration table. Defaults are safe for a developer machine: the
embedded SQLite database in WAL mode and no demo data unless ``DEMO=1``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from borgerservice.core.storage import storage_settings

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEMO = env_bool("DEMO", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DEMO or env_bool("BORGERSERVICE_TESTING"):
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set unless DEBUG=1 or DEMO=1")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Københavns Kommune")
SUPPORT_PHONE = os.environ.get("SUPPORT_PHONE", "33 66 33 66")
# Min side's contact details for citizens (header and footer).
CITIZEN_PHONE = os.environ.get("CITIZEN_PHONE", "33 66 33 66")
CITIZEN_EMAIL = os.environ.get("CITIZEN_EMAIL", "borgerservice@kk.dk")
CITIZEN_ADDRESS = os.environ.get(
    "CITIZEN_ADDRESS", "Københavns Rådhus, Rådhuspladsen 1, 1550 København V"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "ninja",
    "template_partials",
    "borgerservice.core",
    "borgerservice.accounts",
    "borgerservice.catalogue",
    "borgerservice.citizens",
    "borgerservice.contacts",
    "borgerservice.cases",
    "borgerservice.outbox",
    "borgerservice.queueing",
    "borgerservice.booking",
    "borgerservice.decisions",
    "borgerservice.selfservice",
    "borgerservice.portal",
    "borgerservice.workspace",
    "borgerservice.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "borgerservice.core.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "borgerservice.core.middleware.ApiLanguageMiddleware",
    "borgerservice.core.middleware.HtmxMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "borgerservice.core.middleware.SessionIdleTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "borgerservice.urls"
WSGI_APPLICATION = "borgerservice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "borgerservice.core.context_processors.site",
                "borgerservice.portal.context_processors.portal",
            ],
        },
    }
]

# Database: SQLite (WAL) by default, PostgreSQL when DATABASE_URL points to one.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "var" / "borgerservice.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        SQLITE_PATH = Path(DATABASES["default"]["NAME"])
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers and one writer work at the same time from several
            # processes; IMMEDIATE transactions avoid lock upgrades that deadlock.
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind a load balancer the client address is in X-Forwarded-For; say how many proxies.
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0) or None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Staff are logged out after this many minutes without a request (shared counters, kiosks).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
# Min side: a citizen is logged out after this many idle minutes, warned this many
# seconds before.
# Min side's public address for links in notices, e.g. https://borgerservice.kk.dk (empty: the
# address of the request that sends the link).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "").rstrip("/")
PORTAL_SESSION_IDLE_MINUTES = env_int("PORTAL_SESSION_IDLE_MINUTES", 15)
PORTAL_SESSION_WARNING_SECONDS = env_int("PORTAL_SESSION_WARNING_SECONDS", 120)
# Citizen login through an OpenID Connect broker for MitID / NemLog-in
# (mozilla-django-oidc). Empty OIDC_RP_CLIENT_ID: OIDC login is off.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid")
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_AUTHENTICATION_CALLBACK_URL = "portal:oidc_callback"
# The claim holding the citizen's CPR number (NemLog-in's OIDC broker: cpr_number).
PORTAL_OIDC_CPR_CLAIM = os.environ.get(
    "PORTAL_OIDC_CPR_CLAIM", "https://data.gov.dk/model/core/eid/cprNumber"
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)

# Content Security Policy (django-csp): only our own scripts, styles, fonts and images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Internationalisation: Danish first, English everywhere.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True

STATIC_URL = "/static/"
TESTING = env_bool("BORGERSERVICE_TESTING")
# Tests serve static files straight from the source tree (WhiteNoise finders).
STATIC_ROOT = None if TESTING else Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Uploaded case documents: local files under MEDIA_ROOT (never served directly) or an
# S3-compatible bucket (STORAGE_BACKEND=s3, see core/storage.py); the size limit per file
# and the malware scanner (dotted path of a cases.scanning.Scanner; unset = not scanned).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
DOCUMENT_SCANNER = os.environ.get("DOCUMENT_SCANNER", "")
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
STORAGES = {
    "default": storage_settings(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Background tasks: "immediate" (after commit, in-process) or "database" (run_tasks workers).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
if TASKS_BACKEND not in {"immediate", "database"}:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'immediate' or 'database'")
# Letters to citizens: "local" (kept in the outbox for staff to read; demo), "email", or the
# dotted path of a sender class (a Digital Post adapter).
OUTBOX_SENDER = os.environ.get("OUTBOX_SENDER", "local")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "borgerservice@kk.dk")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)

# Deadlines in working days: days closed besides weekends and public holidays ("MM-DD").
DEADLINE_CLOSED_DAYS = env_list("DEADLINE_CLOSED_DAYS", "06-05,12-24,12-31")

# Appointments: check-in window, when a booking counts as a no-show, when reminders go.
BOOKING_CHECK_IN_BEFORE_MINUTES = env_int("BOOKING_CHECK_IN_BEFORE_MINUTES", 30)
BOOKING_NO_SHOW_AFTER_MINUTES = env_int("BOOKING_NO_SHOW_AFTER_MINUTES", 15)
BOOKING_REMINDER_HOURS_BEFORE = env_int("BOOKING_REMINDER_HOURS_BEFORE", 24)
# How many working days ahead slots are generated from the slot templates.
BOOKING_HORIZON_DAYS = env_int("BOOKING_HORIZON_DAYS", 20)

# Walk-in queues: the turn-near message goes when at most this many are ahead; the
# scheduled day close runs this long after closing time; SMS gateway class (dotted path,
# empty: a logging backend that sends nothing).
QUEUE_NOTIFY_AHEAD = env_int("QUEUE_NOTIFY_AHEAD", 3)
QUEUE_DAY_CLOSE_AFTER_MINUTES = env_int("QUEUE_DAY_CLOSE_AFTER_MINUTES", 60)
SMS_BACKEND = os.environ.get("SMS_BACKEND", "")

# Work-item routing (contact-centre work that is not real time).
WORK_WIP_LIMIT = env_int("WORK_WIP_LIMIT", 3)
WORK_OFFER_SECONDS = env_int("WORK_OFFER_SECONDS", 120)
WORK_PRESENCE_TIMEOUT_SECONDS = env_int("WORK_PRESENCE_TIMEOUT_SECONDS", 300)
WORK_ABSENT_MINUTES = env_int("WORK_ABSENT_MINUTES", 15)
WORK_OFFER_BATCH = env_int("WORK_OFFER_BATCH", 200)
# Triage of free text: the default confidence for automatic routing (per department in admin).
TRIAGE_AUTO_ROUTE_THRESHOLD = os.environ.get("TRIAGE_AUTO_ROUTE_THRESHOLD", "0.80")

# Catalogue search.
SEARCH_MAX_QUERY_LENGTH = env_int("SEARCH_MAX_QUERY_LENGTH", 200)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
