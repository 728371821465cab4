"""Settings for Safer Derbyshire, all read from the environment (or a local .env file).

Defaults are safe for production (DEBUG off, secure cookies, HSTS); `make run` writes a .env
that turns on development conveniences. Every variable is described in .env.example.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from .database import database

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The test runner sets DJANGO_IGNORE_DOTENV so a developer's .env cannot change what tests see.
if not env.bool("DJANGO_IGNORE_DOTENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "django_tasks_db",
    "django_otp",
    "axes",
    "safer_derbyshire",
    "referrals",
    "staff",
]

# Marks the public intake deployment (see also the sealing keys below): it serves guidance and
# the referral form only, so it runs none of the staff machinery. Without sessions, sign-in,
# two-factor and lockout middleware, no cookie a visitor sends can make it read a staff table.
SEALING_PUBLIC_ONLY = env.bool("SEALING_PUBLIC_ONLY", default=False)

STAFF_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "staff.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]
MIDDLEWARE = [
    # Answers /healthz before host validation so the container's probe needs no Host header.
    "safer_derbyshire.middleware.HealthCheckMiddleware",
    "safer_derbyshire.logs.RequestIdMiddleware",
    "safer_derbyshire.errors.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "safer_derbyshire.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "staff.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
if SEALING_PUBLIC_ONLY:
    MIDDLEWARE = [name for name in MIDDLEWARE if name not in STAFF_MIDDLEWARE]
    # The admin and django-axes check for middleware this deployment leaves out on purpose:
    # it routes no staff page.
    SILENCED_SYSTEM_CHECKS = [
        *("admin.E402", "admin.E404", "admin.E408", "admin.E409", "admin.E410"),
        "axes.W002",
    ]

ROOT_URLCONF = "safer_derbyshire.urls"
WSGI_APPLICATION = "safer_derbyshire.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safer_derbyshire.context_processors.service",
            ],
        },
    },
]
if SEALING_PUBLIC_ONLY:
    TEMPLATES[0]["OPTIONS"]["context_processors"] = [
        name
        for name in TEMPLATES[0]["OPTIONS"]["context_processors"]
        if not name.startswith(("django.contrib.auth.", "django.contrib.messages."))
    ]

# One server or a Patroni cluster's members (safer_derbyshire/database.py, docs/operations.md).
DATABASES = {
    "default": database(env, env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A connection left from before a failover is checked before reuse and replaced, not failed on.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Triage only: the Patroni REST addresses of the database members, for /healthz?cluster.
PATRONI_REST_URLS = env.list("PATRONI_REST_URLS", default=[])
# Least-privilege roles (safer_derbyshire/db_roles.py): `manage.py db_roles`, run by the owner
# that runs migrations, grants each exactly what GRANTS says. The public intake deployment
# connects as DB_INTAKE_ROLE, the staff site and the worker as DB_TRIAGE_ROLE.
DB_INTAKE_ROLE = env("DB_INTAKE_ROLE", default="safer_intake")
DB_TRIAGE_ROLE = env("DB_TRIAGE_ROLE", default="safer_triage")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out accounts and clients first
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Only to read hashes made before Argon2; they are upgraded at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files: our own images plus the compiled GOV.UK Frontend build in static/dist.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "safer_derbyshire.storage.StaticStorage"
    },
}

# --- Security headers and cookies -------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Only trust X-Forwarded-Proto when a TLS-terminating proxy in front of us always sets it.
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), browsing-topics=()"
)

SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# The __Host- prefix makes the browser refuse these cookies unless Secure, host-only, path /.
SESSION_COOKIE_NAME = "__Host-session" if SECURE_COOKIES else "session"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Database sessions keyed by a digest of the cookie's value: a dump holds no live session.
SESSION_ENGINE = "staff.sessions"
# Staff sessions end at browser close, after STAFF_SESSION_IDLE_MINUTES without a request,
# and STAFF_SESSION_MAX_HOURS after signing in, whichever comes first (staff/middleware.py).
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The idle limit is checked (and audited) by the middleware; the stored session lasts at most
# the maximum length.
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_HOURS * 3600

# --- Staff sign-in protection (django-axes, django-otp) ----------------------------------------
# Lock after this many failed passwords or codes, per account and per client address.
AXES_FAILURE_LIMIT = env.int("STAFF_LOCKOUT_ATTEMPTS", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("STAFF_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "staff.views.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # the audit trail records sign-ins, with addresses hashed
AXES_CLIENT_IP_CALLABLE = "referrals.clients.client_address"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Safer Derbyshire"
# Keys sealing staff authenticator secrets at rest ("id:base64url", newest first; docs/keys.md).
# Only on the triage deployment: with them and a database dump one could make valid codes.
STAFF_SECRETS_KEYS = env.list("STAFF_SECRETS_KEYS", default=[])
# A new staff member's set-password link works once, for this many hours.
PASSWORD_RESET_TIMEOUT = env.int("STAFF_LINK_HOURS", default=24) * 3600
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=256 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
# Every uploaded file is sealed as it arrives and checked by its content, never written to a
# temporary file in clear: only officers attach files (referrals/attachments); anywhere else
# an upload is sealed and thrown away unread.
FILE_UPLOAD_HANDLERS = ["referrals.attachments.uploads.SealingUploadHandler"]

# --- Forms ------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# --- Email and background tasks ------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example:587 (console output by default).
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": "EMAIL_HOST",
    "port": "EMAIL_PORT",
    "username": "EMAIL_HOST_USER",
    "password": "EMAIL_HOST_PASSWORD",
    "use_tls": "EMAIL_USE_TLS",
    "use_ssl": "EMAIL_USE_SSL",
}
_mail_options = {}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _mail_options = {opt: _email[key] for opt, key in _smtp_options.items() if _email.get(key)}
    # A mail server that stops answering must not hold the worker for ever.
    _mail_options["timeout"] = env.int("EMAIL_TIMEOUT", default=30)
elif _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
    _mail_options = {"file_path": _email["EMAIL_FILE_PATH"]}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mail_options}}
# The Prevent team's shared inbox, told only that a referral arrived (reference and priority).
PREVENT_TEAM_EMAIL = env("PREVENT_TEAM_EMAIL", default="prevent-team@saferderbyshire.invalid")
# The staff site (triage queue, accounts, audit log), deliberately not at /admin/.
STAFF_ADMIN_PATH = env("STAFF_ADMIN_PATH", default="staff/")
# --- Staff sign-in through the force's identity provider (OpenID Connect; staff/oidc.py) ---------
# Off unless OIDC_ENABLED: then the staff sign-in page offers the provider. Accounts are still
# made by account administrators; a sign-in matches an active account by its verified email.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", default="")
# The claim holding the email that names the staff account, and the `amr` values that mean
# the person used a second factor at the provider (then our TOTP step is not asked again).
OIDC_EMAIL_CLAIM = env("OIDC_EMAIL_CLAIM", default="email")
# The claim that must be true for the email to be trusted; empty where the organisation's own
# directory issues the claim (Entra ID's preferred_username), see docs/deployment.md.
OIDC_EMAIL_VERIFIED_CLAIM = env("OIDC_EMAIL_VERIFIED_CLAIM", default="email_verified")
OIDC_SECOND_FACTOR_AMR = env.list("OIDC_SECOND_FACTOR_AMR", default=["mfa", "otp", "hwk"])
# Or the `acr` values that mean the same (a provider that reports the level, not the method).
OIDC_SECOND_FACTOR_ACR = env.list("OIDC_SECOND_FACTOR_ACR", default=[])
# Fixed for this service: RS256 ID tokens checked against the provider's keys, PKCE, a nonce,
# never an account made from a sign-in.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True  # for signing out of the provider too
OIDC_AUTHENTICATION_CALLBACK_URL = "staff:oidc_callback"
OIDC_CLOCK_SKEW_SECONDS = 60
# Seconds the sign-in waits for the provider's token, keys and userinfo endpoints (the
# library waits for ever by default, holding a worker while a provider hangs).
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10)
# Plain-http provider addresses are refused (referrals.E013) except for a test provider.
OIDC_ALLOW_HTTP = env.bool("OIDC_ALLOW_HTTP", default=False)
# With OIDC on, the sign-in names that may still use a password (a break-glass account
# administrator); empty means everyone may.
PASSWORD_SIGN_IN_ONLY_FOR = env.list("PASSWORD_SIGN_IN_ONLY_FOR", default=[])
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("staff.oidc.StaffOIDCBackend")

# Years after closure before a referral's details are deleted (purge_expired), by outcome.
RETENTION_YEARS = {
    "closed_nfa": env.int("RETENTION_YEARS_NO_FURTHER_ACTION", default=3),
    "referred_other_services": env.int("RETENTION_YEARS_REFERRED_ELSEWHERE", default=3),
    "default": env.int("RETENTION_YEARS_OTHER_OUTCOMES", default=6),
}
# Backups (deploy/pgbackrest): kept this many days (repo1-retention-full), with a full backup
# this often. A purged referral is in no backup once both have passed: the daily job logs that
# date, and the privacy notice says how long.
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=35)
BACKUP_FULL_EVERY_DAYS = env.int("BACKUP_FULL_EVERY_DAYS", default=7)
# Working days from arrival to when triage is due (Monday to Friday).
TRIAGE_DUE_WORKING_DAYS = env.int("TRIAGE_DUE_WORKING_DAYS", default=1)
# Where the notification's link points: the triage queue on the triage deployment.
TRIAGE_QUEUE_URL = env(
    "TRIAGE_QUEUE_URL", default=f"http://127.0.0.1:8000/{STAFF_ADMIN_PATH}referrals/referral/"
)
# A task "running" this long has lost its worker and goes back in the queue (maintenance.py).
TASK_STALE_MINUTES = env.float("TASK_STALE_MINUTES", default=10)
# No worker heartbeat for this long: the staff site and /healthz?worker say notifications are
# delayed (referrals/worker.py). A running worker beats six times in this period.
WORKER_STALE_SECONDS = env.int("WORKER_STALE_SECONDS", default=120)
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@saferderbyshire.invalid")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- The service ------------------------------------------------------------------------------
DATA_CONTROLLER_NAME = env("DATA_CONTROLLER_NAME", default="Derbyshire Constabulary")
DATA_PROTECTION_CONTACT = env(
    "DATA_PROTECTION_CONTACT",
    default="the Data Protection Officer at Derbyshire Constabulary",
)
PHASE = env("PHASE", default="Beta")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "safer_derbyshire.logs.RequestIdFilter"},
        "database_outage": {"()": "safer_derbyshire.logs.DatabaseOutageFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "safer_derbyshire.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain" if DEBUG else "json"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) would print every line a second time,
        # unformatted: its records reach the root handler above.
        "django": {"level": "INFO"},
        # Request bodies never reach the log; 4xx noise from scanners is kept at WARNING.
        "django.request": {"level": "WARNING", "filters": ["database_outage"]},
        "django.security.DisallowedHost": {"level": "ERROR"},
        # django-axes narrates every sign-in at INFO; failures and lockouts are audited anyway.
        "axes": {"level": "WARNING"},
        # WeasyPrint narrates every step of every disclosure bundle at INFO, page by page.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

CSRF_FAILURE_VIEW = "safer_derbyshire.errors.csrf_failure"

# --- Sealing keys (referrals/sealing.py; docs/keys.md) -----------------------------------------
# "key-id:base64url" entries, newest first: the first public key seals new envelopes.
SEALING_PUBLIC_KEYS = env.list("SEALING_PUBLIC_KEYS", default=[])
# Private keys, only on the triage deployment. The public intake site must have none.
SEALING_PRIVATE_KEYS = env.list("SEALING_PRIVATE_KEYS", default=[])
# SEALING_PUBLIC_ONLY (above) marks the public intake deployment: a system check warns if
# private keys are present there.

# --- The referral journey ----------------------------------------------------------------------
# Seconds a half-finished referral stays readable before it is deleted (referrals/journey_state.py).
JOURNEY_STATE_MAX_AGE = env.int("JOURNEY_STATE_MAX_AGE", default=3 * 60 * 60)
# Seconds the confirmation page (reference and reply code) survives a refresh in the browser
# that sent the referral. Short: someone else may pick up the device.
SENT_PAGE_MAX_AGE = env.int("SENT_PAGE_MAX_AGE", default=30 * 60)
# Seconds a send keeps trying on a new connection when the database goes away under it (a
# switchover or failover): within this, the reporter sees a slower send, not a failed one.
SEND_RETRY_SECONDS = env.float("SEND_RETRY_SECONDS", default=12)
# The online form takes referrals only when the triage side is ready to read them. Until then
# the start page gives the phone routes instead. `make run` turns it on for development.
REFERRALS_OPEN = env.bool("REFERRALS_OPEN", default=False)
# Per-client limits on the public journey: action -> (attempts, window in seconds).
RATE_LIMITS = {
    "send": (env.int("RATE_LIMIT_SENDS", default=5), 3600),
    "start": (env.int("RATE_LIMIT_JOURNEYS", default=30), 3600),
    # Tries of a reply code (mailbox.py): from one connection, and at one reference whoever
    # tries. Each try costs an Argon2 derivation, so both are low; at 80 bits a guess is hopeless.
    "reply-code": (env.int("RATE_LIMIT_REPLY_CODE", default=20), 3600),
    "reply-code-reference": (env.int("RATE_LIMIT_REPLY_CODE_REFERENCE", default=10), 3600),
}
# Argon2id cost for deriving a reply code's keys: (memory in KiB, passes). Opening a mailbox
# with ten messages stays under 300 ms on a small server (benchmarks/mailbox.py).
REPLY_CODE_ARGON2 = (
    env.int("REPLY_CODE_ARGON2_MEMORY_KIB", default=32768),
    env.int("REPLY_CODE_ARGON2_PASSES", default=3),
)
# Number of proxies in front of the app that append to X-Forwarded-For (0: use the socket).
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)
