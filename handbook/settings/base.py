"""Settings shared by every profile, read from the environment.

Environment variables: DATABASE_URL (default: SQLite in HANDBOOK_DATA_DIR), REDIS_URL (optional:
cache and sessions), SECRET_KEY, ALLOWED_HOSTS (comma-separated), DEBUG, HANDBOOK_DATA_DIR,
HANDBOOK_BASE_URL (links in emails and push messages); email: EMAIL_URL (smtp://user:password@host:587,
smtps://… for implicit TLS, console:) or EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
EMAIL_USE_TLS, EMAIL_USE_SSL, and DEFAULT_FROM_EMAIL; web push: VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY,
VAPID_SUBJECT (see `manage.py generate_vapid_keys`).
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("HANDBOOK_DATA_DIR", Path.cwd() / "data")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The development key is public on purpose; the production profile refuses to start without its own.
SECRET_KEY = os.environ.get("SECRET_KEY", "handbook-development-key-not-for-production")  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "treebeard",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "handbook.core",
    "handbook.audit",
    "handbook.organizations",
    "handbook.members",
    "handbook.accounts",
    "handbook.meetings",
    "handbook.documents",
    "handbook.notifications",
    "handbook.reports",
    "handbook.rules",
    "handbook.reviews",
    "handbook.probation",
    "handbook.badges",
    "handbook.transfers",
    "handbook.discipline",
    "handbook.admissions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "handbook.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "handbook.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "handbook.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "handbook.urls"
WSGI_APPLICATION = "handbook.wsgi.application"

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
                "handbook.core.context_processors.navigation",
                "handbook.notifications.context_processors.unread",
            ],
        },
    }
]

DATA_DIR_DEFAULT_DB = f"sqlite:///{DATA_DIR / 'handbook.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", DATA_DIR_DEFAULT_DB), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; IMMEDIATE avoids upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "HANDBOOK_DB_PREPARED_STATEMENTS", True
):
    # The few hand-written statements of meeting day's hot paths (handbook.core.db.hot_cursor) are
    # parsed once per connection, and after five runs PostgreSQL keeps a generic plan (they are all
    # key look-ups); the ORM's own queries are never prepared (Django's client-side binding cursors).
    # Set HANDBOOK_DB_PREPARED_STATEMENTS=0 behind a pooler that cannot keep prepared statements
    # (PgBouncer before 1.21 in transaction mode): docs/DEPLOYMENT.md.
    DATABASES["default"].setdefault("OPTIONS", {}).update(prepare_threshold=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Django's Redis backend, reusing one client per pool (see handbook/core/cache.py).
    CACHES = {"default": {"BACKEND": "handbook.core.cache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "handbook.accounts.backends.PhoneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "handbook.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

HANDBOOK_BASE_URL = os.environ.get("HANDBOOK_BASE_URL", "http://localhost:8000")


def email_settings(environ) -> dict:
    """Email from EMAIL_URL or the separate EMAIL_* variables; with neither, the console (development)."""
    url = environ.get("EMAIL_URL", "")
    if url:
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.scheme in ("console", "locmem", "dummy"):
            return {"EMAIL_BACKEND": f"django.core.mail.backends.{parts.scheme}.EmailBackend"}
        if parts.scheme not in ("smtp", "smtps", "submission"):
            raise ValueError(f"EMAIL_URL: unknown scheme {parts.scheme!r}")
        ssl = parts.scheme == "smtps" or query.get("ssl") in ("1", "true")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if ssl else 587),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": ssl,
            "EMAIL_USE_TLS": not ssl and query.get("tls", "1") in ("1", "true"),
        }
    if environ.get("EMAIL_HOST"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": environ["EMAIL_HOST"],
            "EMAIL_PORT": int(environ.get("EMAIL_PORT", "587")),
            "EMAIL_HOST_USER": environ.get("EMAIL_HOST_USER", ""),
            "EMAIL_HOST_PASSWORD": environ.get("EMAIL_HOST_PASSWORD", ""),
            "EMAIL_USE_TLS": environ.get("EMAIL_USE_TLS", "1").lower() in ("1", "true", "yes", "on"),
            "EMAIL_USE_SSL": environ.get("EMAIL_USE_SSL", "0").lower() in ("1", "true", "yes", "on"),
        }
    return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


globals().update(email_settings(os.environ))
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Handbook <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Web push (VAPID). Without both keys, push is off and the preferences page says so.
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:admin@localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

NINJA_PAGINATION_PER_PAGE = 50
HANDBOOK_API_TOKEN_DAYS = int(os.environ.get("HANDBOOK_API_TOKEN_DAYS", "90"))
#: A token's last use is written at most this often (a write per request would cost a commit each).
HANDBOOK_API_TOKEN_TOUCH_SECONDS = int(os.environ.get("HANDBOOK_API_TOKEN_TOUCH_SECONDS", "300"))
#: How long a bearer token's user and scope may be served from the cache (handbook.accounts.authcache);
#: changes invalidate entries at once, this is only the last line. 0 (the default) turns the cache
#: off: the one-statement token read costs the web process about as much as a cache hit and far
#: less than a miss (docs/PERFORMANCE.md, "Meeting day"); turn it on (e.g. 60, with REDIS_URL) only
#: when the primary database, not the web processes, is what runs out.
HANDBOOK_AUTH_CACHE_SECONDS = int(os.environ.get("HANDBOOK_AUTH_CACHE_SECONDS", "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # fpdf2's font subsetting (fontTools) logs every glyph at INFO.
    "loggers": {"fontTools": {"level": "WARNING"}},
}
