"""webclient settings: one module, driven by environment variables with local defaults.

Every variable is documented in README.md ("Configuration").
"""

from __future__ import annotations

import platform
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from webclient.env import engine_settings, env_bool, env_int, env_list, env_str, webclient_mode

BASE_DIR = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------- mode & data
WEBCLIENT_MODE = webclient_mode()
TEAM_MODE = WEBCLIENT_MODE == "team"

DATA_DIR = Path(env_str("WEBCLIENT_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else generated once into the data folder."""
    from_env = env_str("SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Older keys, newest first: sessions, signatures and stored secrets made with them stay readable
# until `manage.py reencrypt_secrets` has moved the secrets to SECRET_KEY (docs/deploy.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = env_bool("WEBCLIENT_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# ---------------------------------------------------------------- apps
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "template_partials",
    "requests_app",
]

MIDDLEWARE = [
    # Outermost: one log line per request and the X-Webclient-Node header, then the health
    # probes, answered before host checks and HTTPS redirects (a balancer asks by address).
    "webclient.observability.RequestLogMiddleware",
    "webclient.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "requests_app.middleware.ApiBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page asks for a signed-in user unless its view says login_not_required (sign-in,
    # sign-up, invitations, the echo playground, mocks); the API (DRF) authenticates in its views.
    "requests_app.web.SignInRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "requests_app.web.ServiceErrorMiddleware",
]

ROOT_URLCONF = "webclient.urls"
WSGI_APPLICATION = "webclient.wsgi.application"
ASGI_APPLICATION = "webclient.asgi.application"
# This node's name, in the X-Webclient-Node header and each request's log line.
WEBCLIENT_NODE = env_str("WEBCLIENT_NODE") or platform.node()

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
    }
]

# ---------------------------------------------------------------- database
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A persistent connection is checked before a request reuses it: after a database
        # restart the first request reconnects instead of failing on a dead socket.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page read while a background run writes results.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    # Tests use a file, not Django's shared-cache in-memory database: there, a background run's
    # writer makes readers fail at once with "database table is locked" instead of waiting.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------- auth
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Failed sign-ins (django-axes: maintained, counts in the database every web process shares,
# admin view and reset commands): after WEBCLIENT_LOGIN_FAILURE_LIMIT failures in a row for one
# username, or from one client address, sign-in is refused for WEBCLIENT_LOGIN_LOCKOUT_MINUTES.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("WEBCLIENT_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("WEBCLIENT_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counts on its own
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "requests_app/accounts/locked.html"
AXES_CLIENT_IP_CALLABLE = "requests_app.client_ip.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# open | off; team installs default to off (owners invite people).
WEBCLIENT_SIGNUPS = env_str("WEBCLIENT_SIGNUPS", "off" if TEAM_MODE else "open")

# ---------------------------------------------------------------- i18n, static
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("WEBCLIENT_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # tests and `runserver` work before collectstatic

# ---------------------------------------------------------------- security
SESSION_COOKIE_SECURE = env_bool("WEBCLIENT_SECURE_COOKIES", TEAM_MODE)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if TEAM_MODE:
    SECURE_SSL_REDIRECT = env_bool("WEBCLIENT_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("WEBCLIENT_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto (deploy/nginx-webclient.conf),
# and only then: a client reaching the app directly could otherwise claim https.
WEBCLIENT_BEHIND_PROXY = env_bool("WEBCLIENT_BEHIND_PROXY", False)
if WEBCLIENT_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every response (django-csp): scripts and styles only from our own
# static files, no inline script, no eval (htmx runs with allowEval off), never framed. Inline
# style *attributes* stay allowed (progress bars, tree indentation); they cannot run script.
# The HTML preview is an iframe sandbox without scripts, and inherits this policy too.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# ---------------------------------------------------------------- outbound
# Read in webclient/env.py: `run_collection --file` obeys them without starting Django.
_ENGINE = engine_settings()
WEBCLIENT_OUTBOUND = _ENGINE.outbound
WEBCLIENT_OUTBOUND_ALLOW = _ENGINE.outbound_allow
WEBCLIENT_OUTBOUND_DENY = _ENGINE.outbound_deny
WEBCLIENT_MAX_RESPONSE_BYTES = _ENGINE.max_response_bytes
WEBCLIENT_MAX_REQUEST_BODY_BYTES = _ENGINE.max_request_body_bytes
WEBCLIENT_SCRIPT_TIMEOUT_MS = _ENGINE.script_timeout_ms
WEBCLIENT_SCRIPT_MAX_MEMORY_MB = _ENGINE.script_max_memory_mb
WEBCLIENT_HISTORY_LIMIT = env_int("WEBCLIENT_HISTORY_LIMIT", 500)
# Bodies larger than this go to file storage instead of the history row.
WEBCLIENT_HISTORY_INLINE_BYTES = env_int("WEBCLIENT_HISTORY_INLINE_BYTES", 256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = WEBCLIENT_MAX_REQUEST_BODY_BYTES + 1024 * 1024
# Big workspaces (issue 15): items per sidebar page, items per list page (history, runs, run
# results, activity, versions; the API's `limit` may not exceed it).
WEBCLIENT_TREE_PAGE_SIZE = env_int("WEBCLIENT_TREE_PAGE_SIZE", 100)
# What a whole page's tree carries: collection rows plus preloaded items, about a screenful (the
# rest of open collections and folders loads as it scrolls into view), and collections per page.
WEBCLIENT_TREE_PAGE_BUDGET = env_int("WEBCLIENT_TREE_PAGE_BUDGET", 16)
WEBCLIENT_TREE_COLLECTIONS_PAGE = env_int("WEBCLIENT_TREE_COLLECTIONS_PAGE", 50)
WEBCLIENT_LIST_PAGE_SIZE = env_int("WEBCLIENT_LIST_PAGE_SIZE", 50)
# Quotas (services/quotas.py): refused before anything is written, the error names the setting.
WEBCLIENT_MAX_IMPORT_REQUESTS = env_int("WEBCLIENT_MAX_IMPORT_REQUESTS", 20_000)
WEBCLIENT_MAX_WORKSPACE_REQUESTS = env_int("WEBCLIENT_MAX_WORKSPACE_REQUESTS", 100_000)
WEBCLIENT_MAX_RUN_RESULTS = env_int("WEBCLIENT_MAX_RUN_RESULTS", 1_000_000)
# Deleting a collection or folder of more requests than this is a background job with progress
# (services/deletes.py); smaller ones go at once.
WEBCLIENT_DELETE_INLINE_REQUESTS = env_int("WEBCLIENT_DELETE_INLINE_REQUESTS", 2000)

# The /echo/ playground: on (anyone), signed-in (team default: anonymous visitors get 401), off (404).
WEBCLIENT_PLAYGROUND = env_str("WEBCLIENT_PLAYGROUND", "signed-in" if TEAM_MODE else "on")
if WEBCLIENT_PLAYGROUND not in ("on", "signed-in", "off"):
    raise ImproperlyConfigured("WEBCLIENT_PLAYGROUND must be on, signed-in or off")
# Its slow and large routes (delay, drip, gzip-bomb, bytes, stream…) per user or address per minute; 0 = no limit.
WEBCLIENT_PLAYGROUND_HEAVY_PER_MINUTE = env_int("WEBCLIENT_PLAYGROUND_HEAVY_PER_MINUTE", 30 if TEAM_MODE else 0)

# ---------------------------------------------------------------- background work
# No broker: runs execute in an in-process thread pool. With a broker: Celery workers.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = False
# Collection runs (services/runs/): local-mode threads, when a silent run counts as
# interrupted, and the Celery queue runs go to (workers: `celery -A webclient worker -Q <it>`).
WEBCLIENT_RUN_WORKERS = env_int("WEBCLIENT_RUN_WORKERS", 2)
WEBCLIENT_RUN_STALE_SECONDS = env_int("WEBCLIENT_RUN_STALE_SECONDS", 60)
WEBCLIENT_RUN_QUEUE = env_str("WEBCLIENT_RUN_QUEUE")
# Monitors (issue 18): the tick (Celery beat in team mode, a thread of each web process in local
# mode) starts due runs, judges finished ones, sends notifications and summarises old runs.
WEBCLIENT_MONITOR_TICK_SECONDS = env_int("WEBCLIENT_MONITOR_TICK_SECONDS", 10)
WEBCLIENT_MONITOR_SCHEDULER = env_bool("WEBCLIENT_MONITOR_SCHEDULER", True)  # local mode's thread
WEBCLIENT_MONITOR_RETENTION_DAYS = env_int("WEBCLIENT_MONITOR_RETENTION_DAYS", 30)
# Links in notifications (e-mail, webhooks) start with this.
WEBCLIENT_PUBLIC_URL = env_str("WEBCLIENT_PUBLIC_URL", "http://127.0.0.1:8000")
# E-mail (monitor notifications): Django's SMTP settings.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webclient@localhost")
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}

# ---------------------------------------------------------------- API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "requests_app.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nesting checked before parsing (a RecursionError would be a 500); forms and uploads as DRF's defaults.
    "DEFAULT_PARSER_CLASSES": [
        "requests_app.api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "requests_app.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Per person and per API token (api/throttles.py), counted in the default cache (Redis with CACHE_URL).
WEBCLIENT_API_RATES = {
    "execute": env_str("WEBCLIENT_RATE_EXECUTE", "120/min"),
    "runs": env_str("WEBCLIENT_RATE_RUNS", "30/min"),
    "import": env_str("WEBCLIENT_RATE_IMPORT", "30/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "webclient API",
    "DESCRIPTION": "Every operation of the webclient page: workspaces, collections, requests, execute, history.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: the app works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# ---------------------------------------------------------------- logging
# One line per request from webclient.observability (method, path, status, duration, user id,
# node); WEBCLIENT_LOG_FORMAT=json writes every record as one JSON object per line.
WEBCLIENT_LOG_FORMAT = env_str("WEBCLIENT_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "webclient.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json" if WEBCLIENT_LOG_FORMAT == "json" else "text"}
    },
    "root": {"handlers": ["console"], "level": env_str("WEBCLIENT_LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "INFO"}},
}

# ---------------------------------------------------------------- mock servers
# Calls per minute one mock answers (all callers together); beyond it: 429 with Retry-After.
WEBCLIENT_MOCK_RATE_PER_MINUTE = env_int("WEBCLIENT_MOCK_RATE_PER_MINUTE", 600)
