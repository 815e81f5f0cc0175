"""SGU settings: one module, every knob from the environment (see README, "Configuración")."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SGU_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


# The production profile (SGU_ENV=production, docs/operations.md): every value below that has
# a development default must then come from the environment and be safe, or nothing starts.
SGU_ENV = os.environ.get("SGU_ENV", "development").strip().lower()
PRODUCTION = SGU_ENV == "production"
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
_default_hosts = "" if PRODUCTION else "127.0.0.1,localhost,testserver"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", _default_hosts).split(",") if h.strip()
]
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
if PRODUCTION and not CSRF_TRUSTED_ORIGINS and SITE_URL.startswith("https://"):
    CSRF_TRUSTED_ORIGINS = [SITE_URL.rstrip("/")]

INSTALLED_APPS = [
    "sgu.core.apps.SguAdminConfig",  # django.contrib.admin, audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "template_partials",
    "ninja",  # its Swagger UI served from our static files (no CDN)
    # Before django_tasks_db: its `db_worker` command is the SGU's (core/worker.py).
    "sgu.core",
    "django_tasks",
    "sgu.core.apps.TasksDatabaseConfig",  # django_tasks_db, named in Spanish in /admin/
    "sgu.accounts",
    "sgu.catalog",
    "sgu.cases",
    "sgu.operators",
    "sgu.notifications",
    "sgu.outages",
    "sgu.service_requests",
    "sgu.reporting",
    "sgu.attention",
    "sgu.knowledge",
    "sgu.suggestions",
    "sgu.provider",
    "sgu.site",  # top floor: multi-app commands (load_demo, serve)
]

MIDDLEWARE = [
    # First: every log line of the request (and the tasks it enqueues) carries its id.
    "sgu.core.requestid.RequestIdMiddleware",
    # Counts and times every answer, those of the middleware below included (core/metrics.py).
    "sgu.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "sgu.core.security.SecurityHeadersMiddleware",
    # Outermost but one: sees the final 404/405 of an /api/ path and makes it problem+json.
    "sgu.core.middleware.ApiProblemMiddleware",
    # Before anything reads the request or the database: NUL bytes, unreadable bodies.
    "sgu.core.refusals.RefuseNulBytesMiddleware",
    # The reference data's version stamp is read at most once per request (core/reference.py).
    "sgu.core.reference.StampMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sgu.core.security.IdleSessionMiddleware",
    # After the password, staff and operator users (and citizens who chose it) must give a
    # TOTP code before reaching anything else.
    "sgu.accounts.middleware.SecondFactorMiddleware",
    "sgu.core.security.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sgu.urls"
WSGI_APPLICATION = "sgu.wsgi.application"

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

# --- database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL -----------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# DATABASE_POOL_MAX_SIZE > 0 opens PostgreSQL connections through a psycopg pool in each
# process (Django's "pool" option; sizing in docs/operations.md) instead of one persistent
# connection per thread.
DATABASE_POOL_MAX_SIZE = int(os.environ.get("DATABASE_POOL_MAX_SIZE", "0") or 0)
# The statements every request runs, prepared once per connection on PostgreSQL (core/rows.py).
# Off ("0") behind a pooler that cannot keep them: PgBouncer in transaction mode before 1.21, or
# without max_prepared_statements (docs/operations.md).
DATABASE_PREPARED_STATEMENTS = os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0"
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=0 if DATABASE_POOL_MAX_SIZE else 60
        )
    }
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        # No JIT: on ten million cases a tray page's estimated cost passes jit_above_cost and
        # PostgreSQL spent 2 s compiling a 26 ms query (docs/benchmarks.md, "Bandeja a 10
        # millones"). The SGU's queries are short; none gains from JIT.
        options["options"] = "-c jit=off"
        if DATABASE_PREPARED_STATEMENTS:
            # Only core.rows' cursors bind on the server, and they prepare a statement on its
            # third run on a connection (Django's cursors bind on the client and never do).
            options["prepare_threshold"] = 2
        if DATABASE_POOL_MAX_SIZE:
            options["pool"] = {
                "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "1")),
                "max_size": DATABASE_POOL_MAX_SIZE,
                # Seconds a request waits for a free connection before failing (then 503).
                "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
            }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "sgu.sqlite3",
            "OPTIONS": {
                # WAL lets the web server and the worker read while the other writes;
                # IMMEDIATE takes the write lock at BEGIN, so writers queue instead of failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# A streaming replica for statistics, exports, public indicators and open data
# (core/replica.py). Never migrated; in tests it mirrors the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["sgu.core.replica.ReplicaRouter"]
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# A password reset link works once (its token covers the password hash) and for this long.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3600)))

# --- locale ------------------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español")]
# Spanish for third-party apps that ship none (the task results in /admin/).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded and generated files (attachments, claim forms, bajas reports…): the file system by
# default; an S3-compatible object store when AWS_STORAGE_BUCKET_NAME is set, so that any
# number of web processes on any number of hosts see the same files.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Empty: AWS itself; otherwise MinIO, Ceph, a cloud's S3-compatible service…
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (read by boto3 itself),
            # or the host's role.
            "location": os.environ.get("AWS_LOCATION", ""),
            "default_acl": None,  # private: every download goes through the SGU's checks
            "file_overwrite": False,  # like the file system: a name taken gets a suffix
            "querystring_auth": True,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        # Production: names carry a hash of the content (cached for a year) and are served
        # compressed; needs `manage.py collectstatic` before starting.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
# Attachments up to 10 MB are checked by the service; a little slack for multipart framing.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- email: real SMTP when EMAIL_HOST is set, otherwise files under var/mail ---------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_TIMEOUT = 20
elif os.environ.get("EMAIL_BACKEND") == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SGU <no-responder@sgu.gob.pe>")

# --- background work: django-tasks with its database backend (enqueued in the same
# transaction as the change that caused it) ---------------------------------------------
TASKS = {
    "default": {
        # django_tasks_db's, with the enqueuing request's id kept on the task (core/tasks.py).
        "BACKEND": "sgu.core.tasks.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- cache: Redis when REDIS_URL (or CACHE_URL) is set, shared by every process; otherwise
# each process's memory. Rate-limit counters follow: Redis if there is one, the database if not.
CACHE_URL = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL") or ""
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "sgu"),
            "TIMEOUT": 300,
        }
    }
    RATE_LIMIT_CACHE = "default"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    RATE_LIMIT_CACHE = None

# --- security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_COOKIE_SAMESITE = "Lax"
# A web session also ends after this long without activity (sgu.core.security).
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION or env_bool("HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Probes come over plain HTTP from the balancer, behind the TLS proxy (core/health.py).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The TLS proxy (deploy/nginx.conf) sets X-Forwarded-Proto and strips the client's own.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- SGU configuration (config defaults; see DOMAIN.md) ---------------------------------
SGU = {
    # The case code prefix: SGU-YYYY-NNNNNNN.
    "CASE_CODE_PREFIX": "SGU",
    # Business calendar (America/Lima): cut-off for the received day, business hours.
    "CUTOFF": os.environ.get("SGU_CUTOFF", "17:00"),
    "BUSINESS_HOURS": (
        os.environ.get("SGU_OPENS", "08:30"),
        os.environ.get("SGU_CLOSES", "17:30"),
    ),
    "EMAIL_TOKEN_HOURS": 48,
    "API_TOKEN_HOURS": int(os.environ.get("SGU_API_TOKEN_HOURS", "12")),
    "CONSENT_VERSION": "2026-01",
    "MAX_ATTACHMENTS": 5,
    "MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
    "RATING_WINDOW_BUSINESS_DAYS": 10,
    # Claim code assignment is "de manera inmediata a la recepción del reclamo": config
    # default 1 business hour, counted from the claim's arrival in the operator's tray.
    "CLAIM_CODE_BUSINESS_HOURS": int(os.environ.get("SGU_CLAIM_CODE_BUSINESS_HOURS", "1")),
    # Point 3 of the reclamo: the case's attachments go with the claim email up to this
    # total; above it the email carries links (signed, expiring) instead.
    "CLAIM_EMAIL_ATTACHMENTS_MAX_BYTES": int(
        os.environ.get("SGU_CLAIM_EMAIL_ATTACHMENTS_MAX_BYTES", str(10 * 1024 * 1024))
    ),
    "CLAIM_DOCUMENT_LINK_DAYS": int(os.environ.get("SGU_CLAIM_DOCUMENT_LINK_DAYS", "30")),
    # Scope (instructivo point ii): bound by the SGU and the daily bajas/migraciones report
    # with more than this many subscribers, unless the regulator recorded a threshold
    # (operators.ScopeThreshold) with its own history.
    "SCOPE_MIN_SUBSCRIBERS": int(os.environ.get("SGU_SCOPE_MIN_SUBSCRIBERS", "500000")),
    # The source documents set no limit for filing a reclamo after the answer; an
    # administrator may set one (business days from the answer or the passed plazo), shown
    # on the case page beforehand. Empty: no limit.
    "CLAIM_WINDOW_BUSINESS_DAYS": int(os.environ.get("SGU_CLAIM_WINDOW_BUSINESS_DAYS") or 0)
    or None,
    # An operator's information (plans, packages, recharge channels, points of sale) not
    # replaced for longer than this is shown to the regulator as stale.
    "OPERATOR_INFO_STALE_DAYS": int(os.environ.get("SGU_OPERATOR_INFO_STALE_DAYS", "90")),
    # API clients registered as the regulator's mobile app (X-SGU-Client header): the cases
    # they file are recorded with channel APP.
    "APP_CLIENT_IDS": [c for c in os.environ.get("SGU_APP_CLIENT_IDS", "").split(",") if c],
    # How many cases the scheduler moves per transaction.
    "SCHEDULER_BATCH": 500,
    # Behind a reverse proxy that sets X-Forwarded-For, rate limits use its first hop.
    "TRUST_X_FORWARDED_FOR": env_bool("SGU_TRUST_X_FORWARDED_FOR", False),
    # Webhooks: HTTPS only, except for these hosts (the tests' local server; never in prod).
    "WEBHOOK_ALLOW_HTTP_HOSTS": [
        h for h in os.environ.get("SGU_WEBHOOK_ALLOW_HTTP_HOSTS", "").split(",") if h
    ],
    "WEBHOOK_TIMEOUT": float(os.environ.get("SGU_WEBHOOK_TIMEOUT", "5")),
    # A task RUNNING for longer than this under a worker that stopped beating was left by a
    # dead worker: it goes back to the queue (core/worker.py). Workers beat every third of it.
    "TASK_LEASE_SECONDS": int(os.environ.get("SGU_TASK_LEASE_SECONDS", "30")),
    # Purges (core/services.py, docs/scale.md «Archivo y retención»): finished tasks after
    # these many days (FAILED ones later: only the admin shows their traceback), idempotency
    # records after these hours; at most PURGE_MAX_BATCHES deletes of PURGE_BATCH rows a pass.
    "TASK_RETENTION_DAYS": int(os.environ.get("SGU_TASK_RETENTION_DAYS", "30")),
    "FAILED_TASK_RETENTION_DAYS": int(os.environ.get("SGU_FAILED_TASK_RETENTION_DAYS", "90")),
    "IDEMPOTENCY_RETENTION_HOURS": int(os.environ.get("SGU_IDEMPOTENCY_RETENTION_HOURS", "48")),
    "PURGE_BATCH": 1000,
    "PURGE_MAX_BATCHES": 10,
    # /metrics (core/metrics.py) answers a request with "Authorization: Bearer <this>";
    # outside production, also one straight from loopback. Empty in production: always 404.
    "METRICS_TOKEN": os.environ.get("SGU_METRICS_TOKEN", ""),
    # Outages open longer than this are flagged to the operator and the regulator.
    "OUTAGE_LONG_OPEN_HOURS": int(os.environ.get("SGU_OUTAGE_LONG_OPEN_HOURS", "4")),
    # (requests, seconds) per window. auth: login, registration, token, password reset (per
    # IP); public: the no-account lookups (per IP); api_ip / api_key: every API call.
    # Catalog and calendar cached in each process, checked against a stamp the admin bumps
    # (core/reference.py); 0 reads the tables on every use.
    "REFERENCE_CACHE": env_bool("SGU_REFERENCE_CACHE", True),
    # Replica reads (core/replica.py): past this lag they go to the primary; lag measured at
    # most this often per process.
    "REPLICA": {
        "MAX_LAG_SECONDS": float(os.environ.get("SGU_REPLICA_MAX_LAG", "30")),
        "LAG_CHECK_SECONDS": float(os.environ.get("SGU_REPLICA_LAG_CHECK", "5")),
    },
    "RATE_LIMITS": {
        "ENABLED": env_bool("SGU_RATE_LIMITS", True),
        "auth": (int(os.environ.get("SGU_RATE_AUTH", "30")), 60),
        "public": (int(os.environ.get("SGU_RATE_PUBLIC", "60")), 60),
        "api_ip": (int(os.environ.get("SGU_RATE_API_IP", "1200")), 60),
        "api_key": (int(os.environ.get("SGU_RATE_API_KEY", "1200")), 60),
        # The public status lookup of a case (code + document), against enumeration.
        "case_lookup": (int(os.environ.get("SGU_RATE_CASE_LOOKUP", "10")), 60),
        # The monthly open-data file (a whole month of cases per download).
        "open_data": (int(os.environ.get("SGU_RATE_OPEN_DATA", "10")), 60),
    },
    # Seconds a month's open-data file, once written, is served to the next downloads.
    "OPEN_DATA_MAX_AGE": int(os.environ.get("SGU_OPEN_DATA_MAX_AGE", "3600")),
    # Bajas y migraciones (docs/service_requests.md): biggest file accepted, what a row with
    # errors does to its report (REJECT_FILE: nothing lands; SKIP_ROWS: the valid rows
    # land), and the hour (Lima) of the next morning by which a day's report is due.
    "SERVICE_REQUESTS": {
        "MAX_UPLOAD_BYTES": int(os.environ.get("SGU_SR_MAX_UPLOAD_MB", "250")) * 1024 * 1024,
        "ON_ERROR": os.environ.get("SGU_SR_ON_ERROR", "REJECT_FILE"),
        "REPORT_DUE": os.environ.get("SGU_SR_REPORT_DUE", "08:00"),
    },
    # The regulator's own attention levels (docs/attention.md): maximum response of an
    # escalation per criticality, in business days; consulta code prefix; survey link life.
    "ATTENTION": {
        "CRITICALITY_BUSINESS_DAYS": {"ALTO": 5, "MEDIO": 4, "BAJO": 2},
        "QUERY_CODE_PREFIX": "CON",
        # The incident's solution clock at the 3rd level (manual 9.3.4: between 2 and 5
        # business days by criticality and complexity), config default.
        "SOLUTION_BUSINESS_DAYS": {
            "ALTO": {"BAJA": 3, "MEDIA": 4, "ALTA": 5, "MUY_ALTA": 5, "INDEFINIDA": 5},
            "MEDIO": {"BAJA": 2, "MEDIA": 3, "ALTA": 4, "MUY_ALTA": 5, "INDEFINIDA": 5},
            "BAJO": {"BAJA": 2, "MEDIA": 2, "ALTA": 3, "MUY_ALTA": 4, "INDEFINIDA": 5},
        },
        "SURVEY_LINK_DAYS": 30,
        # Virtual consultas (web, email, app) are answered within these hours of business
        # days; what arrives after this cut-off (Lima) or on a non-business day is received
        # the next business day. Its own cut-off: the SGU's CUTOFF (17:00) is not touched.
        "QUERY_CUTOFF": os.environ.get("SGU_ATTENTION_CUTOFF", "16:30"),
        "VIRTUAL_QUERY_HOURS": int(os.environ.get("SGU_ATTENTION_VIRTUAL_HOURS", "24")),
    },
    # Brute force: failed logins per account and per IP within LOGIN_LOCK_SECONDS.
    "LOGIN_MAX_FAILURES_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_IP": 30,
    "LOGIN_LOCK_SECONDS": 15 * 60,
}

# Logs on stdout (systemd's journal or the container's collector keeps them). LOG_FORMAT=json
# (the default in production): one JSON object per line, with the request id.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "sgu.core.logging.RedactFilter"},
        "request_id": {"()": "sgu.core.logging.RequestIdFilter"},
    },
    "formatters": {
        "json": {"()": "sgu.core.logging.JsonFormatter"},
        "text": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout" if LOG_FORMAT == "json" else "ext://sys.stderr",
            "filters": ["request_id", "redact"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}

if PRODUCTION:
    from sgu.core.profile import refuse_unsafe_production

    refuse_unsafe_production(globals())

VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
