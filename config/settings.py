"""PageShare settings: every deploy-time value comes from the environment.

Variables are parsed strictly by ``config.env.Env``; a bad or missing value
stops the process at startup with one line per variable (see CONTRACT.md,
Operations). A ``.env`` file in the project folder is read in development.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from csp import constants as csp

from config.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent

if (BASE_DIR / ".env").is_file():
    # Values already in the environment win over the file.
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

env = Env()

DEV_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"

DEBUG = env.bool("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", DEV_SECRET_KEY)
# manage.py's commands that sign nothing (makemigrations, showmigrations, sqlmigrate) run without
# a key; a key that is set must still be a good one.
_KEYLESS = os.environ.get("PAGESHARE_KEYLESS_COMMAND") == "1" and "SECRET_KEY" not in os.environ
if not DEBUG and not _KEYLESS and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    env.errors.append("SECRET_KEY: must be set to a random value of 32+ characters when DEBUG is false")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    # Domain apps, in dependency order: each may import only from those above it.
    "accounts",
    "social",
    "polls",
    "markets",
    "content",
    "notifications",
    "streaming",
    "moderation",
    "metrics",
    "demo",
]

MIDDLEWARE = [
    "core.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "core.http_cache.HTTPCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.activity.ActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ProblemDetailsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

# Database: SQLite by default so a newcomer needs no server; PostgreSQL in production.
DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL and a busy timeout let the dev server and a seeding command share the file.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PgBouncer in transaction mode cannot keep a server-side cursor (iterator()) across transactions.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False)

# A connection pool in each process (psycopg_pool through Django; README, "Connection pooling").
DATABASE_POOL = env.bool("DATABASE_POOL", False)
DATABASE_POOL_OPTIONS = {
    "min_size": env.int("DATABASE_POOL_MIN_SIZE", 1),
    "max_size": env.int("DATABASE_POOL_MAX_SIZE", 4, minimum=1),
    # Seconds a request waits for a free connection before it fails.
    "timeout": env.float("DATABASE_POOL_TIMEOUT", 10.0),
}
if DATABASE_POOL_OPTIONS["max_size"] < DATABASE_POOL_OPTIONS["min_size"]:
    env.errors.append("DATABASE_POOL_MAX_SIZE: must be at least DATABASE_POOL_MIN_SIZE")
if DATABASE_POOL_OPTIONS["timeout"] <= 0:
    env.errors.append("DATABASE_POOL_TIMEOUT: must be a number of seconds above 0")
if DATABASE_POOL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        env.errors.append("DATABASE_POOL: needs a postgres:// DATABASE_URL")
    elif DATABASES["default"]["CONN_MAX_AGE"]:
        # The pool keeps the connections; Django refuses persistent ones on top of it.
        if env.raw("DATABASE_CONN_MAX_AGE"):
            env.errors.append("DATABASE_CONN_MAX_AGE: must be 0 or unset with DATABASE_POOL=true")
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = DATABASE_POOL_OPTIONS
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, rate limits and anything else shared between processes.
REDIS_URL = env.url("REDIS_URL", ("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", "pageshare"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pageshare"}}

# The streaming API's channel layer (Channels): Redis pub/sub between processes when REDIS_URL is set
# (each ASGI process subscribes to the groups its sockets joined), else one process's memory.
STREAMING_CHANNEL_PREFIX = env.str("STREAMING_CHANNEL_PREFIX", "pageshare")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": STREAMING_CHANNEL_PREFIX},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Seconds a socket's presence (its user is connected somewhere) lasts unless renewed, and how often
# each socket renews it: the fan-out sends a user's home-feed events only to users present.
STREAMING_PRESENCE_TTL = env.int("STREAMING_PRESENCE_TTL", 90, minimum=10)
STREAMING_PRESENCE_RENEW = env.int("STREAMING_PRESENCE_RENEW", 30, minimum=1)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# Argon2id at OWASP's parameters (accounts.hashers); the others verify older hashes, which
# Django rewrites as Argon2id at the user's next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.OWASPArgon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.NotBlankPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24, minimum=60)
FRONTEND_URL = env.str("FRONTEND_URL", "http://localhost:3000").rstrip("/")
# This API's public base URL, for links in emails that must reach the API itself (the digest's unsubscribe).
API_URL = (env.url("API_URL", ("http", "https")) or "http://127.0.0.1:8000").rstrip("/")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files are served by the app itself (WhiteNoise), so /admin/ and
# /api/docs work under gunicorn with DEBUG=false and no web server in front.
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = env.str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(BASE_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _s3_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", "") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", "") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", "") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", "") or None,
        "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", "") or None,
        "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", False),
        "file_overwrite": False,
        "default_acl": None,
    }
    _media_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# The app serves local uploads itself unless told not to; S3 serves its own.
SERVE_MEDIA = env.bool("SERVE_MEDIA", not AWS_STORAGE_BUCKET_NAME)
STORAGES: dict[str, dict[str, Any]] = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: images are read into memory once for validation, so cap the request.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
IMAGE_MAX_BYTES = 5 * 1024 * 1024
# Pixels are checked from the headers before anything is decoded (see core/images.py).
# 24 MP per image: a 6000x4000 camera photo; phones save 12 MP (some 24).
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", 24_000_000, minimum=1)
# Pixels decoded per upload request, all files together (a JPEG counts at the reduced scale it is
# decoded at): four 12 MP phone photos fit, two PNGs at the per-image maximum about do.
IMAGE_UPLOAD_MAX_PIXELS = env.int("IMAGE_UPLOAD_MAX_PIXELS", 50_000_000, minimum=1)
PROFILE_PICTURE_SIZE = 512
# Soft-deleted posts and comments are kept this many days, then `purge_deleted_content` removes them.
CONTENT_RETENTION_DAYS = env.int("CONTENT_RETENTION_DAYS", 30, minimum=1)
# Precomputed home timelines (content.timelines): the following feed read from a per-user table
# written by the fan-out, instead of merged from three sources on every read.
HOME_TIMELINES = env.bool("HOME_TIMELINES", True)
HOME_TIMELINE_SIZE = env.int("HOME_TIMELINE_SIZE", 800, minimum=20)
HOME_TIMELINE_INACTIVE_DAYS = env.int("HOME_TIMELINE_INACTIVE_DAYS", 14, minimum=1)
# A symbol not on the reference list (`load_tickers`) shows in search and trending only once this many
# distinct active, unsuspended members have visible posts mentioning it (content.services.tickers).
TICKER_MIN_AUTHORS = env.int("TICKER_MIN_AUTHORS", 5, minimum=1)
# Market data (README "Prices"): where `fetch_prices` and the scheduled refresh read daily bars.
# `none` reads nothing, `csv` only takes the files given to `import_prices`, `tiingo` is the HTTP provider.
MARKET_DATA_PROVIDER = env.choice("MARKET_DATA_PROVIDER", "none", ("none", "csv", "tiingo"))
MARKET_DATA_URL = env.url("MARKET_DATA_URL", ("http", "https"))
MARKET_DATA_API_KEY = env.str("MARKET_DATA_API_KEY", "")

# Security headers; `check --deploy` is clean with DEBUG=false and a real key.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health(/ready)?/?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp, core/csp.py). Pages: the admin and the offline Swagger UI
# load everything from here; inline <style> blocks carry the request's nonce. Style attributes stay
# allowed (the dashboard shades its retention cells with them; with img-src 'self' they load nothing).
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [csp.NONE],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.NONCE],
        "style-src-attr": [csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
    },
}
# Everything else (JSON, problem details, the schema): nothing may load or frame it.
CONTENT_SECURITY_POLICY_NON_HTML = {"default-src": [csp.NONE], "frame-ancestors": [csp.NONE]}
CSRF_TRUSTED_ORIGINS = env.origins("CSRF_TRUSTED_ORIGINS")

# Under DEBUG with no origins set, a frontend's dev server on port 3000 (Next.js, Vite with --port 3000)
# may call the API from the browser; production allows only the origins it names.
DEV_CORS_ALLOWED_ORIGINS = ["http://localhost:3000", "http://127.0.0.1:3000"]
CORS_ALLOWED_ORIGINS = env.origins("CORS_ALLOWED_ORIGINS", DEV_CORS_ALLOWED_ORIGINS if DEBUG else [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = [
    "X-Request-ID",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
]

# HTTP caching (core.http_cache): the longest a browser or shared cache may keep an anonymous answer
# that a view declares public (ticker pages, trending, public profiles); 0 turns public caching off.
HTTP_CACHE_MAX_AGE = env.int("HTTP_CACHE_MAX_AGE", 60)

# Client IP: X-Forwarded-For is read only when that many trusted proxies sit in front.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0)
# IPs are never stored: only HMAC-SHA-256(IP_HASH_KEY, ip).
IP_HASH_KEY = env.str("IP_HASH_KEY", "") or SECRET_KEY
GEOIP_PROVIDER = env.str("GEOIP_PROVIDER", "geoip2fast")
if GEOIP_PROVIDER not in {"geoip2fast", "http", "none"}:
    env.errors.append(f"GEOIP_PROVIDER: expected geoip2fast, http or none, got {GEOIP_PROVIDER!r}")
GEOIP_HTTP_URL = env.str("GEOIP_HTTP_URL", "http://ip-api.com/json/{ip}?fields=status,countryCode")
GEOIP_HTTP_TIMEOUT = env.float("GEOIP_HTTP_TIMEOUT", 1.5)

# REST API. Responses are rendered by orjson (drf-orjson-renderer): the same JSON as DRF's renderer
# for everything the serializers return, in a tenth of the time.
_renderers = ["drf_orjson_renderer.renderers.ORJSONRenderer"]
if DEBUG:
    _renderers.append("rest_framework.renderers.BrowsableAPIRenderer")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": _renderers,
    # JSON only: a form body is a 415. The two upload endpoints set their own multipart parser.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.CursorPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.AnonWriteThrottle", "core.throttling.UserWriteThrottle"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", 15, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", 30, minimum=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # Tokens carry a stamp of the password hash: a password change or reset ends their sessions
    # (the changing one is kept, see accounts.tokens).
    "CHECK_REVOKE_TOKEN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", "") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# Tokens from an external identity provider (Supabase-style; `sub` names the user).
EXTERNAL_JWT_SECRET = env.str("EXTERNAL_JWT_SECRET", "")
EXTERNAL_JWT_JWKS_URL = env.url("EXTERNAL_JWT_JWKS_URL", ("http", "https")) or ""
EXTERNAL_JWT_AUDIENCE = env.str("EXTERNAL_JWT_AUDIENCE", "")
EXTERNAL_JWT_ISSUER = env.str("EXTERNAL_JWT_ISSUER", "")
if EXTERNAL_JWT_SECRET and EXTERNAL_JWT_JWKS_URL:
    env.errors.append("EXTERNAL_JWT_JWKS_URL: set either EXTERNAL_JWT_SECRET or EXTERNAL_JWT_JWKS_URL, not both")

SPECTACULAR_SETTINGS = {
    "TITLE": "PageShare API",
    "DESCRIPTION": (
        "The REST API of PageShare, a social network for retail investors. "
        "Errors are RFC 9457 problem details (application/problem+json). "
        "Lists are cursor-paginated with `limit` (default 20, max 100) and an opaque `cursor`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from validator.swagger.io: the schema stays here, and the CSP loads nothing from elsewhere.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Posts' sentiment and calls' direction are one choice set.
    "ENUM_NAME_OVERRIDES": {"SentimentEnum": "content.models.Sentiment"},
    # Ids in paths are strings, as everywhere else in the API (``<id:...>`` routes, ``core.ids``).
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "string", "pattern": "^[1-9][0-9]{0,18}$", "example": "42"}},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.schema.postprocess"],
}

# Rate limits ("rate" is requests/period, period in s, m, h or d).
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", True)
RATE_LIMITS = {
    "login": env.rate("RATE_LIMIT_LOGIN", "10/m"),
    "register": env.rate("RATE_LIMIT_REGISTER", "5/h"),
    "password_reset": env.rate("RATE_LIMIT_PASSWORD_RESET", "5/h"),
    "anon_write": env.rate("RATE_LIMIT_ANON_WRITE", "30/m"),
    "media_upload": env.rate("RATE_LIMIT_MEDIA_UPLOAD", "30/h"),
    "reports": env.rate("RATE_LIMIT_REPORTS", "20/h"),
    "error_log": env.rate("RATE_LIMIT_ERROR_LOG", "60/m"),
    # Also per signed-in user and writes only (core.throttling.UserWriteThrottle, like the two above);
    # README explains each default.
    "posts": env.rate("RATE_LIMIT_POSTS", "30/h"),
    "comments": env.rate("RATE_LIMIT_COMMENTS", "60/h"),
    "reactions": env.rate("RATE_LIMIT_REACTIONS", "300/h"),
    "reposts": env.rate("RATE_LIMIT_REPOSTS", "60/h"),
    "follows": env.rate("RATE_LIMIT_FOLLOWS", "100/h"),
    "mutes_blocks": env.rate("RATE_LIMIT_MUTES_BLOCKS", "200/h"),
    "profile_picture": env.rate("RATE_LIMIT_PROFILE_PICTURE", "10/h"),
    "export": env.rate("RATE_LIMIT_EXPORT", "5/h"),  # per user, a read: GET users/me/export (ExportThrottle)
    # Failed attempts only (core.ratelimit.failures_limited): per account email, and per user.
    "login_failures": env.rate("RATE_LIMIT_LOGIN_FAILURES", "10/h"),
    "password_change_failures": env.rate("RATE_LIMIT_PASSWORD_CHANGE_FAILURES", "5/h"),
}

# Email.
_email = env.email("EMAIL_URL")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "PageShare <no-reply@pageshare.local>")

# Logging: structured JSON in production, readable lines in development.
LOG_FORMAT = env.str("LOG_FORMAT", "text" if DEBUG else "json")
LOG_LEVEL = env.str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.logging.RequestIDFilter"},
        "access_token": {"()": "core.logging.AccessTokenFilter"},
    },
    "formatters": {
        "json": {"()": "core.logging.JSONFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "access_token"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's defaults give "django" a console handler of its own under DEBUG (every line twice
        # with the root's) and runserver's access lines their own format: one handler for all.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # uvicorn (the ASGI server) logs through the same handler, whose AccessTokenFilter blanks a
        # WebSocket's ?access_token=... in its access and connection lines.
        "uvicorn": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "uvicorn.error": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "uvicorn.access": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

# Task queue (Celery 5): RabbitMQ (amqp://) or Redis as the broker. Unset, every task runs
# eagerly in-process when it is enqueued (after the commit of the transaction that enqueued it).
CELERY_BROKER_URL = env.url("CELERY_BROKER_URL", ("amqp", "amqps", "pyamqp", "redis", "rediss")) or "memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
# The queue tasks go to and workers read; another name keeps a second deployment (or a benchmark) on
# the same broker apart.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
# Nothing reads task results: no result backend, and tasks say so (core.tasks.task).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when it has run, so a worker killed mid-task leaves it for another
# (tasks are idempotent); one task prefetched at a time keeps long ones from starving short ones.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that sends a task while the broker is unreachable waits this long per try (not Celery's 4 s),
# then core.tasks.enqueue logs the failure and the request goes on.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Periodic tasks, sent by celery beat (`celery -A config beat`): one schedule for the whole project.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "refresh-metrics": {"task": "metrics.tasks.refresh_metrics", "schedule": timedelta(minutes=10)},
    "purge-deleted-content": {"task": "content.tasks.purge_deleted_content", "schedule": timedelta(days=1)},
    "purge-unattached-media": {"task": "content.tasks.purge_unattached_media", "schedule": timedelta(hours=1)},
    "trim-home-timelines": {"task": "content.tasks.trim_home_timelines", "schedule": timedelta(minutes=10)},
    "drop-idle-home-timelines": {"task": "content.tasks.drop_idle_home_timelines", "schedule": timedelta(days=1)},
    "notify-ended-polls": {"task": "notifications.tasks.notify_ended_polls", "schedule": timedelta(minutes=1)},
    "send-digests": {"task": "notifications.tasks.send_digests", "schedule": timedelta(hours=1)},
    # Cheap when no price changed (the scorer reads only the calls of changed bars).
    "score-calls": {"task": "content.tasks.score_calls", "schedule": timedelta(minutes=30)},
}

# Error log: how many new frontend error groups anonymous reports may open, all
# clients together, per period (`count/period`); past it they count on one overflow group.
ERROR_LOG_ANONYMOUS_NEW_GROUPS = env.str("ERROR_LOG_ANONYMOUS_NEW_GROUPS", "100/h")

# Sentry: on when SENTRY_DSN is set; no personal data unless asked for.
SENTRY_DSN = env.str("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production")
SENTRY_SEND_PII = env.bool("SENTRY_SEND_PII", False)
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", 0.0)

env.check()

if SENTRY_DSN:
    from core.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        send_default_pii=SENTRY_SEND_PII,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
