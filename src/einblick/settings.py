"""Einblick settings — read from environment variables only.

Every variable is documented in README.md ("Settings"). Defaults give a working single-machine installation on
SQLite with the in-memory channel layer; production sets DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("EINBLICK_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    """SECRET_KEY from the environment; otherwise one generated once and kept in VAR_DIR (single machine only)."""
    if env("SECRET_KEY"):
        return env("SECRET_KEY")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "einblick.core",
    "einblick.accounts",
    "einblick.catalog",
    "einblick.orientation",
    "einblick.fair",
    "einblick.live",
    "einblick.talks",
    "einblick.events",
    "einblick.duels",
    "einblick.tandem",
    "einblick.insights",
    "ninja",  # django-ninja: its Swagger UI files are served from here (no CDN)
    "einblick.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "einblick.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "einblick.accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "einblick.urls"
ASGI_APPLICATION = "einblick.asgi.application"
WSGI_APPLICATION = "einblick.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "einblick.core.context_processors.site",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'einblick.sqlite3'}"),
        conn_max_age=0,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Server and task worker share the file: WAL, a busy timeout and IMMEDIATE transactions make concurrent
    # writers wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env("EINBLICK_TEST_DB", "") or None}
elif int(env("EINBLICK_DB_POOL", "0")):
    # PostgreSQL: each process keeps up to this many open connections (psycopg's pool) instead of connecting for
    # every request; with CONN_HEALTH_CHECKS Django has the pool check a connection before use, so a restarted
    # database is reconnected on its own.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(env("EINBLICK_DB_POOL")),
        "timeout": 3,  # waiting longer for a free connection: the database is away, answer 503 instead
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channel layer, tasks --------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # Fails soft (core/cache.py): while Redis restarts a read is a miss and pages keep working.
    CACHES = {
        "default": {
            "BACKEND": "einblick.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1, "retry_on_timeout": False},
        }
    }
    # Two redis-py 8 defaults do not suit the channel layer (docs/live.md, "Scaling"):
    # - the asyncio pool refuses (instead of waiting) past max_connections, 100 by default: a class of 150 pupils
    #   connecting to a live session at once would be turned away. Each process opens at most this many;
    # - socket_timeout became 5 s, exactly channels_redis's blocking-pop time (BZPOPMIN, 5 s): idle WebSockets were
    #   torn down every few seconds (close 1011). 15 s still detects a dead Redis connection.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": int(env("EINBLICK_REDIS_MAX_CONNECTIONS", "1000")),
                        "socket_timeout": 15,
                    }
                ]
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

TASKS = {"default": {"BACKEND": env("EINBLICK_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Public pages (programme, session, booth, exhibitors, profession) served from the cache to visitors without a
# session, at most this many seconds (core/pagecache.py; 0 = off). Counts are written in batches this often
# (core/counts.py; 0 = at once).
# Only with Redis by default: the in-process cache of a single machine is not shared with the worker or other
# processes, whose edits would not reach it.
EINBLICK_PAGE_CACHE_SECONDS = int(env("EINBLICK_PAGE_CACHE_SECONDS", "300" if REDIS_URL else "0"))
EINBLICK_COUNT_FLUSH_SECONDS = float(env("EINBLICK_COUNT_FLUSH_SECONDS", "5"))
# The task worker (core/worker.py): a running task whose worker has not been seen for this long runs again,
# at most this many times in all.
EINBLICK_WORKER_LEASE_SECONDS = float(env("EINBLICK_WORKER_LEASE_SECONDS", "30"))
EINBLICK_WORKER_MAX_ATTEMPTS = int(env("EINBLICK_WORKER_MAX_ATTEMPTS", "3"))

# --- Accounts ---------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["einblick.accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# --- Language and time ------------------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Berlin"
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# files only their owners may download (tandem files): never under MEDIA_URL, served by views that check access
PRIVATE_MEDIA_ROOT = Path(env("EINBLICK_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads (logos, photos, booth PDFs) on local disk (MEDIA_ROOT) by default; EINBLICK_MEDIA_STORAGE=s3 puts them
# on S3-compatible storage (needs the extra: pip install "einblick[s3]"; docs/operations.md, "Media"). Private
# files (PRIVATE_MEDIA_ROOT) always stay on disk.
EINBLICK_MEDIA_STORAGE = env("EINBLICK_MEDIA_STORAGE", "local").strip().lower()
if EINBLICK_MEDIA_STORAGE == "s3":
    if not env("AWS_STORAGE_BUCKET_NAME"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("EINBLICK_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
    _s3_options = {
        "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
        "location": env("AWS_LOCATION", "media"),
        # public files (logos, booth PDFs) get plain, cacheable URLs: the bucket (or AWS_S3_CUSTOM_DOMAIN) must
        # allow anonymous reads of them; 1 = signed URLs that expire after AWS_QUERYSTRING_EXPIRE seconds
        "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
        "querystring_expire": int(env("AWS_QUERYSTRING_EXPIRE", "3600")),
        "file_overwrite": False,
        "object_parameters": {"CacheControl": env("AWS_S3_CACHE_CONTROL", "public, max-age=86400")},
    }
    for _option, _variable in [
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),  # MinIO, Ceph, Hetzner, IONOS …; empty = AWS
        ("region_name", "AWS_S3_REGION_NAME"),
        ("access_key", "AWS_ACCESS_KEY_ID"),  # empty = boto3's own chain (instance role, ~/.aws)
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
        ("custom_domain", "AWS_S3_CUSTOM_DOMAIN"),  # e.g. a CDN in front of the bucket
        ("addressing_style", "AWS_S3_ADDRESSING_STYLE"),  # "path" for most self-hosted S3 servers
        ("signature_version", "AWS_S3_SIGNATURE_VERSION"),
    ]:
        if env(_variable):
            _s3_options[_option] = env(_variable)
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
elif EINBLICK_MEDIA_STORAGE != "local":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("EINBLICK_MEDIA_STORAGE must be 'local' or 's3'")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
EINBLICK_MAX_LOGO_BYTES = int(env("EINBLICK_MAX_LOGO_BYTES", str(5 * 1024 * 1024)))
EINBLICK_MAX_PDF_BYTES = int(env("EINBLICK_MAX_PDF_BYTES", str(10 * 1024 * 1024)))  # booth material
EINBLICK_MAX_FILE_BYTES = int(env("EINBLICK_MAX_FILE_BYTES", str(10 * 1024 * 1024)))  # tandem files
EINBLICK_JITSI_BASE_URL = env("EINBLICK_JITSI_BASE_URL", "https://meet.jit.si")

# --- E-mail -----------------------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Einblick <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    # Without an SMTP server every e-mail is written to var/mail/ so it can be read on the machine.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = Path(env("EINBLICK_MAIL_DIR", str(VAR_DIR / "mail")))
# Another backend (dotted path), e.g. for a test of the task worker; it keeps EMAIL_FILE_PATH.
EMAIL_BACKEND = env("EINBLICK_EMAIL_BACKEND", EMAIL_BACKEND)

# --- Security ---------------------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("EINBLICK_BEHIND_PROXY") else None
HTTPS = env_bool("EINBLICK_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# health checks go straight to a process (no proxy, plain http): answer them instead of redirecting to https
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Logging ----------------------------------------------------------------------------------------------------
# Plain text by default (`make run`); EINBLICK_LOG_FORMAT=json: one JSON object per line, uvicorn's logs included
# (core/logging.py, docs/operations.md "Logs").
from einblick.core.logging import logging_config  # noqa: E402

LOGGING = logging_config(env("EINBLICK_LOG_FORMAT", "plain"), env("LOG_LEVEL", "INFO"))

# --- Einblick: the network this installation serves -------------------------------------------------------------
EINBLICK = {
    "SITE_NAME": env("EINBLICK_SITE_NAME", "Einblick"),
    "REGION": env("EINBLICK_REGION", "Ems-Achse"),
    "NETWORK_NAME": env("EINBLICK_NETWORK_NAME", "Wachstumsregion Ems-Achse"),
    "PRIMARY_COLOR": env("EINBLICK_PRIMARY_COLOR", "#0a5c8a"),
    "ACCENT_COLOR": env("EINBLICK_ACCENT_COLOR", "#b8480b"),
    "LOGO_URL": env("EINBLICK_LOGO_URL"),
    "CONTACT_EMAIL": env("EINBLICK_CONTACT_EMAIL", "kontakt@example.org"),
    "BASE_URL": env("EINBLICK_BASE_URL", "http://127.0.0.1:8000"),
    # Age from which a pupil may consent alone (design §7).
    "CONSENT_AGE": int(env("EINBLICK_CONSENT_AGE", "16")),
    # Events (#6): a place kept for a pupil under the consent age waits this long for the parent.
    "EVENT_CONSENT_HOLD_HOURS": int(env("EINBLICK_EVENT_CONSENT_HOLD_HOURS", "72")),
    # insights: raw page views are kept this many days, then only the daily counts remain
    "INSIGHTS_RAW_DAYS": int(env("EINBLICK_INSIGHTS_RAW_DAYS", "30")),
    # privacy: pupils' data expire this many months after the end of the school year of their last activity
    "PUPIL_RETENTION_MONTHS": int(env("EINBLICK_PUPIL_RETENTION_MONTHS", "3")),
    # live Q&A: nicknames and question texts are anonymised this many days after the session
    "QA_ANONYMISE_DAYS": int(env("EINBLICK_QA_ANONYMISE_DAYS", "7")),
    # staff log in with a code of an authenticator app (TOTP) besides the password
    "STAFF_2FA_REQUIRED": env_bool("EINBLICK_STAFF_2FA_REQUIRED", True),
    # Talks (#5): e-mail reminder this many minutes before a talk.
    "TALK_REMINDER_MINUTES": int(env("EINBLICK_TALK_REMINDER_MINUTES", "30")),
    # An allocation run without progress for this long counts as stuck and may be restarted.
    "TALK_RUN_STUCK_MINUTES": int(env("EINBLICK_TALK_RUN_STUCK_MINUTES", "15")),
    # Days a parent has to answer a consent request e-mail before the pupil must send a new one.
    "CONSENT_REQUEST_DAYS": int(env("EINBLICK_CONSENT_REQUEST_DAYS", "14")),
    # Days a class code stays valid after it was issued.
    "CLASS_CODE_DAYS": int(env("EINBLICK_CLASS_CODE_DAYS", "365")),
    # PeerTube instances whose videos may be embedded (comma-separated host names); empty = any instance.
    "PEERTUBE_HOSTS": env_list("EINBLICK_PEERTUBE_HOSTS"),
    # Failed log-ins allowed per user name and per IP address within 15 minutes.
    "LOGIN_ATTEMPTS": int(env("EINBLICK_LOGIN_ATTEMPTS", "10")),
    # Days a company invitation stays valid.
    "INVITATION_DAYS": int(env("EINBLICK_INVITATION_DAYS", "14")),
}

# --- Offer import from the Bundesagentur für Arbeit (job search API, see docs/catalog.md) -----------------------
EINBLICK_BA_BASE_URL = env(
    "EINBLICK_BA_BASE_URL", "https://rest.arbeitsagentur.de/jobboerse/jobsuche-service"
)
EINBLICK_BA_API_KEY = env("EINBLICK_BA_API_KEY", "jobboerse-jobsuche")
# The region imported by default (staff page, scheduled task): centre and radius in km; pages of 50 offers.
EINBLICK_BA_WO = env("EINBLICK_BA_WO", "Papenburg")
EINBLICK_BA_UMKREIS = int(env("EINBLICK_BA_UMKREIS", "50"))
EINBLICK_BA_PAGES = int(env("EINBLICK_BA_PAGES", "20"))

# --- Live Q&A (docs/live.md) -------------------------------------------------------------------------------------
LIVE_QA = {
    # One question per visitor every N seconds; votes: at most VOTES per VOTE_WINDOW seconds ("10/10").
    "QUESTION_SECONDS": int(env("EINBLICK_QA_QUESTION_SECONDS", "20")),
    "VOTES": int(env("EINBLICK_QA_VOTES", "10/10").split("/")[0]),
    "VOTE_WINDOW": int(env("EINBLICK_QA_VOTES", "10/10").split("/")[1]),
    "REPORTS": 5,
    "REPORT_WINDOW": 60,
    # A question reported by this many different visitors is held until a moderator decides.
    "REPORT_THRESHOLD": int(env("EINBLICK_QA_REPORT_THRESHOLD", "3")),
    # Per network address (a whole class may share one): limits per minute against scripts that invent visitor ids.
    "ADDRESS_QUESTIONS_PER_MINUTE": int(env("EINBLICK_QA_ADDRESS_QUESTIONS", "40")),
    "ADDRESS_VOTES_PER_MINUTE": int(env("EINBLICK_QA_ADDRESS_VOTES", "400")),
    "ADDRESS_REPORTS_PER_MINUTE": int(env("EINBLICK_QA_ADDRESS_REPORTS", "6")),
    "MAX_QUESTION_CHARS": 300,
    "MAX_NICKNAME_CHARS": 40,
    "MAX_ANSWER_CHARS": 1000,
    # WebSocket frames: larger frames are rejected; more than FRAMES per FRAME_WINDOW seconds are rejected; a
    # connection with STRIKES rejected frames within STRIKE_WINDOW seconds is closed (only that one).
    "MAX_FRAME_BYTES": 4096,
    "FRAMES": 20,
    "FRAME_WINDOW": 10,
    "STRIKES": 10,
    "STRIKE_WINDOW": 60,
    # Viewer counts: each process adds its connections to a shared counter every VIEWER_SECONDS (0 = only when
    # asked, as in tests); a ViewerSample is stored every SAMPLE_SECONDS per session.
    "VIEWER_SECONDS": int(env("EINBLICK_QA_VIEWER_SECONDS", "10")),
    "SAMPLE_SECONDS": int(env("EINBLICK_QA_SAMPLE_SECONDS", "60")),
}

# --- API (/api/v1/) ---------------------------------------------------------------------------------------------
# Requests per client and period ("120/minute", "10/second", "5000/hour"; empty or 0 = no limit). Anonymous
# clients are counted per IP address, clients with an API key per key.
EINBLICK_API_RATE_ANON = env("EINBLICK_API_RATE_ANON", "120/minute")
EINBLICK_API_RATE_TOKEN = env("EINBLICK_API_RATE_TOKEN", "1200/minute")

# --- Fair: programme planner (docs/fair.md) ---------------------------------------------------------------------
# Seconds the solver may work on one plan, its worker threads and its random seed (same seed, same plan).
EINBLICK_PLANNER_TIME_LIMIT = float(env("EINBLICK_PLANNER_TIME_LIMIT", "20"))
EINBLICK_PLANNER_WORKERS = int(env("EINBLICK_PLANNER_WORKERS", "2"))
EINBLICK_PLANNER_SEED = int(env("EINBLICK_PLANNER_SEED", "0"))
# School hours, local time: sessions aimed at pupils during school hours are planned on these weekdays
# (1 = Monday … 7 = Sunday) between these times.
EINBLICK_SCHOOL_DAYS = [int(day) for day in env_list("EINBLICK_SCHOOL_DAYS", "1,2,3,4,5")]
EINBLICK_SCHOOL_HOURS = tuple(env("EINBLICK_SCHOOL_HOURS", "08:00-13:00").split("-", 1))
