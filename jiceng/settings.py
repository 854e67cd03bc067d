"""Settings for Jiceng.

Everything that differs between installations comes from environment variables. The defaults give
the embedded mode: SQLite in ``var/``, local-memory cache, the database task queue. A production
installation sets ``JICENG_MODE=production`` and must then provide its own ``SECRET_KEY``.
"""

import hashlib
import os
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JICENG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Mode and secrets -------------------------------------------------------------------------
MODE = os.environ.get("JICENG_MODE", "embedded")
if MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured("JICENG_MODE must be 'embedded' or 'production'.")

DEFAULT_SECRET_KEY = "jiceng-insecure-default-key-change-me-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)

if MODE == "production":
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "Refusing to start in production mode with the default or a short SECRET_KEY: "
            "set SECRET_KEY to a random string of at least 32 characters."
        )
    if DEBUG:
        raise ImproperlyConfigured("Refusing to start in production mode with DEBUG on.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# HTTPS: behind a TLS-terminating proxy set HTTPS=1 so cookies are only sent over TLS.
HTTPS = env_bool("HTTPS", MODE == "production")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# Plain-HTTP requests are sent to HTTPS, except the health checks a load balancer makes to the
# application server directly.
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
# The host's subdomains too, and consent to the browsers' preload list (a domain is listed only once
# its owner submits it at hstspreload.org); turn off for a domain whose subdomains still serve HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = HTTPS and env_bool("HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
REFERRER_POLICY = "same-origin"

# Behind a reverse proxy (nginx) that sets X-Forwarded-For, the client address comes from it.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
AXES_IPWARE_PROXY_COUNT = 1 if BEHIND_PROXY else None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if BEHIND_PROXY else ["REMOTE_ADDR"]

# Sessions expire after a working day without activity, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
# The expiry moves on with activity: core.middleware.SessionRefreshMiddleware saves a signed-in user's
# session at most every SESSION_REFRESH_SECONDS (not on every request).
SESSION_REFRESH_SECONDS = int(os.environ.get("SESSION_REFRESH_SECONDS", 300))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Applications -----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "auditlog",
    "axes",
    "core",  # before django_tasks_db: its db_worker command (with a heartbeat) replaces theirs
    "django_tasks",
    "django_tasks_db",
    "places",
    "accounts",
    "cases",
    "notifications",
    "open311",
    "people",
    "care",
    "disputes",
    "petitions",
    "stability",
    "legal",
    "points",
    "volunteers",
    "wishes",
    "participation",
    "portal",
    "safety",
    "assessment",
    "reports",
    "taskload",
    "dashboard",
    "intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.SessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.AuditMiddleware",
    # Axes must be last: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

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
                "django.template.context_processors.i18n",
                "core.context_processors.shell",
                "notifications.context_processors.header",
            ],
        },
    },
]
FORM_RENDERER = "core.widgets.Renderer"

# --- Database ---------------------------------------------------------------------------------
# One switch: DATABASE_URL (postgres://… in production). Without it, the embedded SQLite file in var/,
# tuned for concurrent writers (WAL, busy timeout, IMMEDIATE transactions so a writer takes the lock up
# front instead of failing half-way); a sqlite:/// URL gets the same tuning.
DATABASE_URL = os.environ.get("DATABASE_URL", "") or f"sqlite:///{VAR_DIR / 'jiceng.sqlite3'}"
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA case_sensitive_like=ON;"
    ),
}


def database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Tests use a file too, not SQLite's shared in-memory database: there the live server's threads
        # share one connection, and Python's SQLite functions called back under its lock can deadlock
        # with a thread waiting for that lock (a browser test hung CI). pytest-xdist adds the worker's
        # name to the file name.
        config.update(OPTIONS=SQLITE_OPTIONS, CONN_MAX_AGE=0, TEST={"NAME": str(VAR_DIR / "test.sqlite3")})
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: it pays off for long analytical queries, not for pages answered in tens of
        # milliseconds, where compiling a big-looking plan cost more than running it (ten million cases:
        # the late-cases console 139 ms with JIT, 82 ms without).
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return config


DATABASES = {"default": database(DATABASE_URL)}
# Read-heavy figures (dashboards, statistics, reports) may come from a streaming replica: set
# DATABASE_REPLICA_URL and jiceng.replica.ReplicaRouter sends the reads of code marked with reading_replica
# there; everything else, and every write, stays on the primary. In tests the replica mirrors the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**database(DATABASE_REPLICA_URL), "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["jiceng.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Embedded mode: a file cache in the data directory, shared by the web workers and the background
    # workers on this machine (so a changed grid polygon or holiday reaches every process).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}

# --- Background tasks -------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Each db_worker writes a heartbeat; the deadline worker gives the job of a worker silent for
# JOBS_LOST_AFTER_SECONDS back to the queue, at most JOBS_MAX_ATTEMPTS tries per job (core/jobs.py).
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", 10))
JOBS_LOST_AFTER_SECONDS = float(os.environ.get("JOBS_LOST_AFTER_SECONDS", 60))
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", 3))

# --- Personal data ----------------------------------------------------------------------------
# Fields that identify a person (phone numbers, ID numbers, addresses of people) are encrypted at
# rest with Fernet keys derived from SECRET_KEY and this salt (django-fernet-encrypted-fields).
# Rotating: put the old secret into SECRET_KEY_FALLBACKS.
SALT_KEY = os.environ.get("FIELD_ENCRYPTION_SALT", "jiceng-field-encryption-salt")
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]
# Exact search by ID number uses a keyed hash (HMAC-SHA256) stored beside the encrypted number.
ID_HASH_KEY = os.environ.get("ID_HASH_KEY") or hashlib.sha256(f"id-hash:{SECRET_KEY}".encode()).hexdigest()

# --- Cases: working time, deadlines, notifications ---------------------------------------------
# Office hours on a working day, as "HH:MM-HH:MM" spans; step limits in working hours count these.
OFFICE_HOURS = os.environ.get("OFFICE_HOURS", "09:00-12:00,13:30-17:30")
# A case is flagged "approaching" once this share of its step limit has passed.
CASE_WARNING_RATIO = float(os.environ.get("CASE_WARNING_RATIO", 0.8))
# How often the deadline worker looks for due rows (seconds).
DEADLINE_SWEEP_SECONDS = float(os.environ.get("DEADLINE_SWEEP_SECONDS", 30))
# The wall display (大屏) fetches fresh figures this often (seconds).
DASHBOARD_REFRESH_SECONDS = int(os.environ.get("DASHBOARD_REFRESH_SECONDS", 60))
# The figures of a place and period are built once for everyone who counts all of its cases and shared
# through the cache for this long (seconds; 0: built for every request). Each page says when they were built.
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", 15))
# The deadline worker folds the cases into the daily roll-up at most this often (seconds): each pass
# recomputes the days touched (today, mostly). The dashboards count cases reported since the last pass
# live; a change to an earlier case (registered, closed) shows in them after the next pass.
ROLLUP_SWEEP_SECONDS = int(os.environ.get("ROLLUP_SWEEP_SECONDS", 60))
# The burden register flags a community whose admitted items cost more hours per month than this.
TASKLOAD_HOURS_ALERT = float(os.environ.get("TASKLOAD_HOURS_ALERT", 40))

# --- Smart intake (issue 8) ---------------------------------------------------------------------
# A new report is compared with the open cases reported within this many days and metres (the same grid
# when it has no point); a pair counts as the same matter from this character-bigram cosine similarity
# (measured on labelled pairs: bench/duplicates.py). Residents may ask this many times an hour.
INTAKE_DUPLICATE_DAYS = int(os.environ.get("INTAKE_DUPLICATE_DAYS", 30))
INTAKE_DUPLICATE_METERS = float(os.environ.get("INTAKE_DUPLICATE_METERS", 100))
INTAKE_DUPLICATE_SIMILARITY = float(os.environ.get("INTAKE_DUPLICATE_SIMILARITY", 0.26))
INTAKE_SIMILAR_LOOKUPS_PER_HOUR = int(os.environ.get("INTAKE_SIMILAR_LOOKUPS_PER_HOUR", 300))
# Where notifications go besides the in-app inbox: dotted paths of backends in notifications.backends.
NOTIFICATION_BACKENDS = [b for b in os.environ.get(
    "NOTIFICATION_BACKENDS", "notifications.backends.InAppBackend").split(",") if b]
NOTIFICATION_WEBHOOK_URL = os.environ.get("NOTIFICATION_WEBHOOK_URL", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jiceng@localhost")
# Largest photo accepted (bytes) and the longest side it is stored at (pixels).
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", 15 * 1024 * 1024))
PHOTO_MAX_SIDE = int(os.environ.get("PHOTO_MAX_SIDE", 1600))
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: five failures for the same account from the same address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", 0.5))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
# Third-party front-end libraries come from npm (package.json + package-lock.json) and are served
# from node_modules; nothing of theirs is copied into the repository.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/leaflet-heat", NODE_MODULES / "leaflet.heat" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["jiceng.api.filters.FilterBackend"],
    # JSON in: a form encoding cannot say null or nest a list. Endpoints that take files add multipart.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "jiceng.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "jiceng.api.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    # Endpoints open to anyone (case tracking, Open311) are throttled per client address.
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "open311": "300/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jiceng API",
    "DESCRIPTION": "Grassroots social governance platform (基层治理). Version 1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "jiceng.api.errors.document_errors",
                             "jiceng.api.schema.document_empty_filters"],
    # Several apps have a "status", "kind" or "level": name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Status",
        "CategoryKindEnum": "cases.models.CategoryKind",
        "PlaceLevelEnum": "places.models.Level",
        "ResidentStatusEnum": "people.models.ResidentStatus",
        "UnitKindEnum": "people.models.UnitKind",
        "CareKindEnum": "care.models.CareKind",
        "CareLevelEnum": "care.models.Level",
        "CareStatusEnum": "care.models.CareStatus",
        "NotificationKindEnum": "notifications.models.Kind",
        "CaseSourceEnum": "cases.models.Source",
        "CaseSatisfactionEnum": "cases.models.Satisfaction",
        "DisputeStatusEnum": "disputes.models.Status",
        "DisputeSourceEnum": "disputes.models.Source",
        "DisputeKindEnum": "disputes.models.DisputeKind",
        "PetitionStatusEnum": "petitions.models.Status",
        "PetitionSatisfactionEnum": "petitions.models.Satisfaction",
        "DecisionKindEnum": "stability.models.DecisionKind",
        "DecisionStatusEnum": "stability.models.DecisionStatus",
        "LegalServiceKindEnum": "legal.models.ServiceKind",
        "AidStatusEnum": "legal.models.AidStatus",
    },
}

# --- Map --------------------------------------------------------------------------------------
# No tile server is needed: grids are drawn on a plain background. Set MAP_TILE_URL (for example a
# Tianditu or an internal tile service URL template) to draw a base map under them.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

# --- Content Security Policy (django-csp) ----------------------------------------------------------
# Scripts only from this site, or inline with the request's nonce (``{{ request.csp_nonce }}``): an
# injected <script> or event handler does not run. Styles may be inline (the templates' style
# attributes, Leaflet's and ECharts' own); images also from the tile server, if one is configured.


def tile_sources(url: str) -> list[str]:
    """The CSP source of a tile URL template: its scheme and host, a subdomain placeholder widened to
    ``*.`` (``https://t{s}.tianditu.gov.cn/...`` gives ``https://*.tianditu.gov.cn``)."""
    if not url:
        return []
    parts = urlparse(url)
    first, _dot, rest = parts.netloc.partition(".")
    return [f"{parts.scheme}://{'*.' + rest if '{' in first else parts.netloc}"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *tile_sources(MAP_TILE_URL)],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
