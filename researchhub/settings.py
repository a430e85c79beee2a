"""ResearchHub settings. Every deployment-specific value comes from the environment.

With no environment at all, ResearchHub runs embedded: an SQLite file in the project,
Celery tasks run inline, media in a local folder. That is the laptop demo and the
default for tests; production sets DATABASE_URL, REDIS_URL and the storage variables.
"""

import datetime as dt
import ipaddress
import os
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from researchhub.env import env_bool, env_int, env_list, env_proxies, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
# RESEARCHHUB_EMBEDDED=false marks a real deployment and selects the production profile:
# no built-in secret, no debug pages, HTTPS only (see "Security" below).
PRODUCTION = not env_bool("RESEARCHHUB_EMBEDDED", default=True)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off outside the embedded set-up")
SECRET_KEY = env_str("SECRET_KEY")
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set outside the embedded set-up, to a random string of at "
        "least 50 characters"
    )
if not SECRET_KEY:
    # Embedded and test runs only: a fixed key keeps sessions across restarts of the demo.
    SECRET_KEY = "embedded-researchhub-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # Before studies.common, whose admin replaces axes' AccessAttempt admin.
    "axes",
    "studies.common",
    "studies.accounts",
    "studies.scheduling",
    "studies.fieldwork",
    "studies.synthesis",
    "studies.privacy",
    "studies.loop",
    "studies.demo",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "studies.common.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a sign-in refused by the lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "researchhub.urls"
WSGI_APPLICATION = "researchhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'researchhub.sqlite3'}")
# Persistent connections are checked before each request reuses them: after the database
# restarts, the first request gets a new connection instead of a dead one.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE makes concurrent writers queue on the database lock instead of failing,
        # which is what keeps round planning race-safe on the embedded database.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory: tests start threads and real worker processes that share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3"),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "common.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first, at a cost chosen for these servers (studies/accounts/hashers.py): a
# sign-in takes a fraction of the time the PBKDF2 default takes on the same cores. Hashes
# made by the others still verify and are rewritten at the next sign-in (docs/adr/0011).
PASSWORD_HASHERS = [
    "studies.accounts.hashers.SignInArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in lock-out (django-axes; docs/adr/0011) -----------------------------------------
AUTHENTICATION_BACKENDS = [
    "studies.common.lockout.SignInLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# An account is locked after this many wrong passwords within the cool-off, whatever the
# address: field teams share carrier and office NATs, and behind a proxy every client has
# the proxy's address, so locking by address would lock out whole teams and still let a
# distributed guesser through. The lock is lifted by waiting or by an administrator.
AXES_FAILURE_LIMIT = env_int("RESEARCHHUB_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("RESEARCHHUB_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Axes warns that this lets one address try a few passwords on each of many accounts; that
# is the trade above, made on purpose (ADR 0011), and each account still gets only the limit.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The cool-off runs from the last password checked, so the wait the page names is true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "studies.common.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "studies.common.client.client_address"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Times on the 24-hour clock (researchhub/formats/en/formats.py); pages hand the hour cycle
# to scripts on <html data-hour-cycle>.
FORMAT_MODULE_PATH = ["researchhub.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not an IANA time zone")

# --- Static files and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible storage (AWS, MinIO, Ceph...). The remaining AWS_* variables are read
    # by django-storages itself.
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    _media_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# `collectstatic` (run by the Dockerfile and any deployment) writes a manifest; with it,
# files get hashed names and far-future caching. Without it (a laptop, the tests) the
# files are served straight from the apps.
_STATIC_MANIFEST = (STATIC_ROOT / "staticfiles.json").exists()
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not _STATIC_MANIFEST

# --- E-mail ---------------------------------------------------------------------------------
# The embedded set-up prints e-mails (invitations, password resets, reminders) to the console;
# a deployment names Django's SMTP backend and its server. Links in e-mails start with
# RESEARCHHUB_SITE_URL (below), never with the Host a request happened to carry.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ResearchHub <researchhub@localhost>")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
# Seconds to wait for the SMTP server: a page that sends an invitation must not hang.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# A password-reset link works once, for this long.
PASSWORD_RESET_TIMEOUT = env_int("RESEARCHHUB_PASSWORD_RESET_HOURS", 24) * 3600
# Requests for a reset e-mail, per address and per client address (the API rate format):
# past either, no e-mail is sent.
RESEARCHHUB_PASSWORD_RESET_RATE_EMAIL = env_rate("RESEARCHHUB_PASSWORD_RESET_RATE_EMAIL", "3/hour")
RESEARCHHUB_PASSWORD_RESET_RATE_IP = env_rate("RESEARCHHUB_PASSWORD_RESET_RATE_IP", "20/hour")

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL) or None
# No broker configured: the embedded set-up runs every task inline, in the calling process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Cache ----------------------------------------------------------------------------------
# API throttling counts requests here, so every web process must share it: Redis when there
# is one (db 1 of REDIS_URL's server unless CACHE_URL says otherwise, apart from Celery's),
# else memory, which is per process and right only for the embedded single process.
CACHE_URL = env_str("CACHE_URL") or (REDIS_URL and urlsplit(REDIS_URL)._replace(path="/1").geturl())
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "researchhub",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- ResearchHub ----------------------------------------------------------------------------
RESEARCHHUB_PLANNING_LEAD_DAYS = env_int("RESEARCHHUB_PLANNING_LEAD_DAYS", 21)
RESEARCHHUB_REMINDER_HOUR = env_int("RESEARCHHUB_REMINDER_HOUR", 18)
RESEARCHHUB_SITE_URL = env_str("RESEARCHHUB_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Private networks that requests to user-supplied addresses (webhooks) may reach, for
# receivers on the premises: CIDRs, comma-separated ("10.20.0.0/16,192.168.7.0/24"). Empty,
# only public addresses are reached (ADR 0017).
RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS = env_list("RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS")
for _network in RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS must list networks such as 10.20.0.0/16, "
            f"got {_network!r}"
        ) from exc

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with a WWW-Authenticate header naming
    # the scheme to use, instead of the bare 403 that session authentication answers.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "studies.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "studies.common.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "studies.common.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # DRF reads JSON from the raw stream, past Django's body limit: this parser applies it.
    "DEFAULT_PARSER_CLASSES": [
        "studies.common.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "studies.common.api.throttling.AnonClientRateThrottle",
        "studies.common.api.throttling.UserClientRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("RESEARCHHUB_API_RATE_ANON", "60/minute"),
        "user": env_rate("RESEARCHHUB_API_RATE_USER", "600/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ResearchHub API",
    "DESCRIPTION": "Studies, household panels, rounds and visits of recurring in-home research.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "studies.common.api.schema.document_framework_errors",
        "studies.common.api.schema.document_json_bodies",
    ],
}

# --- Security -------------------------------------------------------------------------------
# The production profile (RESEARCHHUB_EMBEDDED=false) is HTTPS only and passes
# `manage.py check --deploy`; each part can still be turned off, e.g. to try it on a laptop.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# Container and load-balancer health checks call /healthz over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Preloading binds the whole domain to HTTPS in browsers for months, and anyone may
    # submit a domain whose header asks for it: only the operator can choose it. Off is
    # that choice, not an oversight, so the deploy check's reminder is silenced.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# BEHIND_PROXY: how many proxies of our own stand in front of ResearchHub ("true" means
# one). Only then are their X-Forwarded-Proto and X-Forwarded-For believed, and only the
# hops they wrote (studies.common.client, docs/adr/0017).
RESEARCHHUB_TRUSTED_PROXIES = env_proxies("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if RESEARCHHUB_TRUSTED_PROXIES else None
)

# Only our own files run, style and connect. Tag colours are SVG fill attributes, not
# inline styles; photos waiting in the outbox are previewed from blob: URLs; the PWA needs
# its service worker and manifest. Nothing may frame the site or be framed by it.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if DEBUG:
    # Django's debug pages style and script themselves inline: in development the policy
    # only reports (in the browser's console), so they work and violations still show.
    SECURE_CSP_REPORT_ONLY, SECURE_CSP = SECURE_CSP, {}

# --- Request limits -------------------------------------------------------------------------
# The largest body read into memory: a sync batch of the app's 100 observations at their
# longest fits. Photos may be larger: they arrive in chunks through the resumable upload,
# each chunk within this limit, the whole within RESEARCHHUB_MAX_PHOTO_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("RESEARCHHUB_MAX_REQUEST_BYTES", 10 * 1024 * 1024)
# A multipart file larger than this goes to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The longest form is the synthesis selection, one field per ticked observation on a page.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Photos (field capture) -----------------------------------------------------------------
# Largest upload accepted, in bytes, and the pixel budget of one photo: past it a file is a
# decompression bomb, not a photo (50 MP covers the high-resolution modes of phones).
RESEARCHHUB_MAX_PHOTO_BYTES = env_int("RESEARCHHUB_MAX_PHOTO_BYTES", 25 * 1024 * 1024)
RESEARCHHUB_MAX_PHOTO_PIXELS = env_int("RESEARCHHUB_MAX_PHOTO_PIXELS", 50_000_000)
# Unfinished uploads one researcher may hold at once, and the bytes declared in them. The app
# sends one photo at a time, so only uploads cut off and waiting to resume stay open; a client
# opening uploads it never finishes cannot fill the disk. One idle for a day is forgotten.
RESEARCHHUB_MAX_OPEN_UPLOADS = env_int("RESEARCHHUB_MAX_OPEN_UPLOADS", 20)
RESEARCHHUB_MAX_OPEN_UPLOAD_BYTES = env_int("RESEARCHHUB_MAX_OPEN_UPLOAD_BYTES", 200 * 1024 * 1024)
# Behind nginx, photo files can be sent by the proxy once Django has checked access: the
# internal location that maps to MEDIA_ROOT, e.g. "/protected-media/". Empty: Django sends them.
RESEARCHHUB_PHOTO_ACCEL_PREFIX = env_str("RESEARCHHUB_PHOTO_ACCEL_PREFIX")
# Photo processing is slow and bursty: its own queue, so it never delays the other tasks.
CELERY_TASK_ROUTES = {"fieldwork.process_photo": {"queue": "photos"}}
# A task taken but not acknowledged within this many seconds (its worker died) is handed
# out again by Redis. Longer than any task's time limit, or a running task would be
# delivered twice; the photo sweeper catches what is lost sooner.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 3600)
}
