"""Puente's one settings module.

Every value an operator may change comes from the environment through the small
typed helpers below, which fail loudly on a value they cannot read: a hotline
that silently falls back to a default it did not choose is a hotline with a
hole in it. `.env.example` lists every variable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is None and file_name:
        # Secrets may be mounted as files (Docker/Kubernetes secrets, systemd credentials).
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name} cannot be read: {exc}") from exc
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}")
    return value


def env_date(name: str, default: str) -> date:
    raw = os.environ.get(name) or default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a date (use YYYY-MM-DD)") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# --- The hotline this deployment runs -------------------------------------------------

PUENTE_COUNTRY = env("PUENTE_COUNTRY", "US").upper()
if PUENTE_COUNTRY not in {"US", "MX"}:
    raise ImproperlyConfigured(f"PUENTE_COUNTRY={PUENTE_COUNTRY!r}: choose US or MX")
PUENTE_HOTLINE_NAME = env(
    "PUENTE_HOTLINE_NAME",
    "Línea Nacional contra la Trata de Personas"
    if PUENTE_COUNTRY == "MX"
    else "National Human Trafficking Hotline",
)
# The first day this hotline took contacts: a contact dated earlier is a typo (a wrong
# year) and is refused. The default is the U.S. hotline's first day under Polaris
# (7 December 2007), the older of the two modelled hotlines, so no real contact of
# either is refused; set your own hotline's first day.
PUENTE_HOTLINE_FOUNDED = env_date("PUENTE_HOTLINE_FOUNDED", "2007-12-07")
# `puente demo` sets this; it relaxes only what a laptop demo cannot have (HTTPS, MFA
# enrolment for the printed demo logins). `serve` refuses to run with it.
PUENTE_DEMO = env_bool("PUENTE_DEMO", False)

DEBUG = env_bool("DEBUG", False)
INSECURE_SECRET_PREFIX = "insecure-"
SECRET_KEY = env("SECRET_KEY", f"{INSECURE_SECRET_PREFIX}set-SECRET_KEY-in-the-environment")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Applications ------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    # Puente's apps from the bottom of the layout up: each imports only apps listed
    # before it (tests/test_layering.py keeps it so).
    "puente.core",
    "puente.audit",
    "puente.accounts",
    "puente.cases",
    "puente.intake",
    "puente.screening",
    "puente.search",
    "puente.directory",
    "puente.referrals",
    "puente.federation",
    "puente.channels",
    "puente.public",
    "puente.insights",
    "puente.sharing",
    "puente.networks",
    "puente.training",
    "puente.retention",
    "puente.sampledata",
]

MIDDLEWARE = [
    "puente.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "puente.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "puente.core.middleware.SessionActivityMiddleware",
    "puente.core.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "puente.accounts.middleware.MFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and MFA: a practice call's requests run in the sandbox database.
    "puente.training.middleware.PracticeMiddleware",
    # After CSRF and auth: keeps a form sent after the session ended (accounts/kept.py).
    "puente.accounts.middleware.KeptTypingMiddleware",
    "puente.cases.middleware.RestrictedCaseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "puente.urls"
WSGI_APPLICATION = "puente.wsgi.application"
# `puente serve` and `puente demo` run the ASGI application (uvicorn workers under
# gunicorn): the live pages hold a server-sent-events stream open per advocate.
ASGI_APPLICATION = "puente.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

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
                "puente.core.context_processors.hotline",
                "puente.accounts.context_processors.permissions",
            ],
        },
    },
]
FORM_RENDERER = "puente.core.forms.FormRenderer"  # one template for every form field

# --- Database ----------------------------------------------------------------------------

DATA_DIR = Path(env("PUENTE_DATA_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'puente.sqlite3'}")
# Each server thread keeps its database connection for this long: opening one costs
# more than the whole phone lookup, and with a short age every thread paid it every minute.
PUENTE_DB_CONN_MAX_AGE = env_int("PUENTE_DB_CONN_MAX_AGE", 600, minimum=0)


def database_from_url(url: str) -> dj_database_url.DBConfig:
    """One DATABASES entry from a URL, with the options Puente needs on each engine."""
    database = dj_database_url.parse(url, conn_max_age=PUENTE_DB_CONN_MAX_AGE)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets advocates read while one writes; IMMEDIATE takes the write lock at the
        # start of a transaction so two writers queue instead of failing half-way. Each
        # thread keeps its connection too: a new one reads the whole schema again and
        # registers Django's functions (1.1 ms on every request, measured at 2,000,000
        # contacts), and one left idle between requests holds no snapshot, so it never
        # stops a checkpoint.
        database["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif database["ENGINE"].startswith("django.db.backends.postgresql"):
        # Puente's queries are short; PostgreSQL's JIT compiler spends ~20 ms compiling any
        # query whose *estimated* cost is high (a search for a word that does not exist).
        database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return database


DATABASES = {"default": database_from_url(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": env("PUENTE_TEST_SQLITE_NAME", "") or None}


# The sandbox where practice calls are recorded (puente/core/sandbox.py): a database of its
# own, so nothing a trainee types can reach real cases. By default a file beside the main
# SQLite database ("puente-practice.sqlite3"), or a database named "<main>_practice" on
# the same PostgreSQL server.
def practice_database_url(main_url: str) -> str:
    parsed = dj_database_url.parse(main_url)
    if parsed["ENGINE"] == "django.db.backends.sqlite3":
        main = Path(parsed["NAME"])
        return f"sqlite:///{main.with_name(main.stem + '-practice' + main.suffix)}"
    head, _, name = main_url.partition("?")[0].rpartition("/")
    query = main_url.partition("?")[2]
    return f"{head}/{name}_practice" + (f"?{query}" if query else "")


PUENTE_PRACTICE_DATABASE_URL = env(
    "PUENTE_PRACTICE_DATABASE_URL", practice_database_url(DATABASE_URL)
)
DATABASES["practice"] = database_from_url(PUENTE_PRACTICE_DATABASE_URL)


def _same_database(one: Mapping[str, object], other: Mapping[str, object]) -> bool:
    return all(one.get(key) == other.get(key) for key in ("ENGINE", "NAME", "HOST", "PORT"))


if _same_database(DATABASES["practice"], DATABASES["default"]):
    raise ImproperlyConfigured(
        "PUENTE_PRACTICE_DATABASE_URL names the hotline's own database: practice calls "
        "would be recorded among real cases. Give the sandbox a database of its own."
    )
if DATABASES["practice"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file test database when the main one is a file (the browser tests' server threads),
    # in memory otherwise.
    _main_test_name = DATABASES["default"].get("TEST", {}).get("NAME")
    DATABASES["practice"]["TEST"] = {
        "NAME": f"{_main_test_name}-practice" if _main_test_name else None
    }
# A read-only copy of the database (a PostgreSQL streaming replica) that dashboards and
# the periodic reports read from, so a year of aggregates never slows the phones. Writes
# (a report's progress, the audit trail) still go to the main database.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url(DATABASE_REPLICA_URL)
    # In tests the replica is the test database itself (Django's convention for replicas).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# The alias analysis reads use (puente/core/analysis_db.py): the replica when there is
# one; "default" puts analysis back on the main database (a replica being rebuilt).
PUENTE_ANALYSIS_DATABASE = env(
    "PUENTE_ANALYSIS_DATABASE", "replica" if DATABASE_REPLICA_URL else "default"
)
if PUENTE_ANALYSIS_DATABASE not in DATABASES:
    raise ImproperlyConfigured(
        f"PUENTE_ANALYSIS_DATABASE={PUENTE_ANALYSIS_DATABASE!r}: choose default"
        + (" or replica" if DATABASE_REPLICA_URL else " (or set DATABASE_REPLICA_URL first)")
    )
# Threads per server process running pages and the API (puente/asgi.py); each keeps one
# database connection, so workers × (this + 2) must stay under PostgreSQL's max_connections.
PUENTE_SERVER_THREADS = env_int("PUENTE_SERVER_THREADS", 4, minimum=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Security ------------------------------------------------------------------------------

PUENTE_MFA_REQUIRED = env_bool("PUENTE_MFA_REQUIRED", not PUENTE_DEMO)
PUENTE_SESSION_IDLE_MINUTES = env_int("PUENTE_SESSION_IDLE_MINUTES", 15, minimum=1)
# How long before the idle timeout the page warns, counting down, with a "Stay signed in"
# button (puente/core/static/puente/session.js); at most half the idle window.
PUENTE_SESSION_WARNING_SECONDS = min(
    env_int("PUENTE_SESSION_WARNING_SECONDS", 120, minimum=10), PUENTE_SESSION_IDLE_MINUTES * 30
)
# How long what was typed but not saved is kept: an unfinished intake (its autosave) and
# a form sent after the session had ended, kept for its author to put back after signing
# in. Past this it is neither offered nor kept (the worker deletes it every hour). The
# Retention page's rule for drafts still applies when it is shorter.
PUENTE_DRAFT_HOURS = env_int("PUENTE_DRAFT_HOURS", 72, minimum=1)
PUENTE_LOCKOUT_ATTEMPTS = env_int("PUENTE_LOCKOUT_ATTEMPTS", 5, minimum=1)
PUENTE_LOCKOUT_MINUTES = env_int("PUENTE_LOCKOUT_MINUTES", 15, minimum=1)
# Failed sign-ins (any account, known or not) from one network address within
# PUENTE_LOCKOUT_MINUTES before that address is paused: stops password spraying (a few
# tries at many accounts) while a call centre behind one address still has room for typos.
PUENTE_LOCKOUT_ADDRESS_ATTEMPTS = env_int("PUENTE_LOCKOUT_ADDRESS_ATTEMPTS", 20, minimum=1)

# The audit trail's HMAC key (puente/audit/keys.py): whoever can write to the database
# but does not hold it cannot rewrite the trail unseen. Never stored in the database.
# Retired keys stay readable to `puente audit verify`: PUENTE_AUDIT_OLD_KEYS(_FILE), one
# per line (or comma-separated).
PUENTE_AUDIT_KEY = env("PUENTE_AUDIT_KEY")
PUENTE_AUDIT_OLD_KEYS = [
    key.strip() for key in env("PUENTE_AUDIT_OLD_KEYS").replace(",", "\n").split() if key.strip()
]
if not PUENTE_AUDIT_KEY and PUENTE_DEMO:
    # A demo (and each side of `demo --pair`) signs with a key of its own, made once in
    # its data folder like the demo's SECRET_KEY; `serve` refuses to run without a real one.
    _demo_audit_key = DATA_DIR / "demo-audit-key"
    if not _demo_audit_key.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _demo_audit_key.write_text(secrets.token_urlsafe(48))
        _demo_audit_key.chmod(0o600)
    PUENTE_AUDIT_KEY = _demo_audit_key.read_text().strip()

# Idle timeout: a session lives for the idle window and activity renews it (at most once a
# minute: puente.core.middleware.SessionActivityMiddleware), so a workstation left
# unattended on a call floor logs itself out.
SESSION_COOKIE_AGE = PUENTE_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A form refused for its missing or stale security token explains itself in Puente's layout.
CSRF_FAILURE_VIEW = "puente.core.views.csrf_failure"
SECURE_COOKIES = env_bool("PUENTE_SECURE_COOKIES", not (PUENTE_DEMO or DEBUG))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("PUENTE_SSL_REDIRECT", False)
PUENTE_BEHIND_PROXY = env_bool("PUENTE_BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PUENTE_BEHIND_PROXY else None
SECURE_HSTS_SECONDS = env_int("PUENTE_HSTS_SECONDS", 0 if PUENTE_DEMO else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
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
OTP_TOTP_ISSUER = PUENTE_HOTLINE_NAME

# --- Languages and time --------------------------------------------------------------------

LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LANGUAGE_CODE = env("PUENTE_DEFAULT_LANGUAGE", "es" if PUENTE_COUNTRY == "MX" else "en")
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"PUENTE_DEFAULT_LANGUAGE={LANGUAGE_CODE!r}: choose en or es")
# Each app ships its own catalog in <app>/locale (found automatically).
LOCALE_PATHS: list = []
LANGUAGE_COOKIE_NAME = "puente_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env(
    "PUENTE_TIME_ZONE", "America/Mexico_City" if PUENTE_COUNTRY == "MX" else "America/Chicago"
)
USE_I18N = True
USE_TZ = True
# One date format per language, everywhere (puente/core/formats/<language>/formats.py):
# U.S. month-first with a.m./p.m., Mexican day-first on a 24-hour clock.
FORMAT_MODULE_PATH = ["puente.core.formats"]

# --- Static files (shipped with the project, served by the app: no CDN) --------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("PUENTE_MANIFEST_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not env_bool("PUENTE_MANIFEST_STATIC", False)

# --- Partner hotlines: signing, delivery, the worker (docs/federation.md) ----------------

# This deployment's Ed25519 private key (PEM): from the environment or, better, a file
# (PUENTE_SIGNING_KEY_FILE) made by `puente keys new`. Never in the database or the repo.
PUENTE_SIGNING_KEY = env("PUENTE_SIGNING_KEY")
# A supervisor approves, before anything leaves the hotline, a report to the authorities
# made without the person's consent and a referral sent across the border (the
# protocols' rule). A hotline whose law or staffing says otherwise switches either off.
PUENTE_APPROVE_REPORTS = env_bool("PUENTE_APPROVE_REPORTS", True)
PUENTE_APPROVE_CROSS_BORDER = env_bool("PUENTE_APPROVE_CROSS_BORDER", True)
# How far a partner's clock (Date, signature `created`) may be from ours.
PUENTE_EXCHANGE_MAX_SKEW_SECONDS = env_int("PUENTE_EXCHANGE_MAX_SKEW_SECONDS", 300, minimum=1)
# Retries: first after BACKOFF_MS, doubling to at most BACKOFF_MAX_MS, MAX_ATTEMPTS in all
# (the defaults keep trying for about two days before a message is marked failed).
PUENTE_EXCHANGE_BACKOFF_MS = env_int("PUENTE_EXCHANGE_BACKOFF_MS", 30_000, minimum=1)
PUENTE_EXCHANGE_BACKOFF_MAX_MS = env_int("PUENTE_EXCHANGE_BACKOFF_MAX_MS", 3_600_000, minimum=1)
PUENTE_EXCHANGE_MAX_ATTEMPTS = env_int("PUENTE_EXCHANGE_MAX_ATTEMPTS", 60, minimum=1)
PUENTE_EXCHANGE_TIMEOUT_SECONDS = env_int("PUENTE_EXCHANGE_TIMEOUT_SECONDS", 10, minimum=1)
# A worker that dies mid-delivery holds a partner's lease this long at most.
PUENTE_EXCHANGE_LEASE_SECONDS = env_int("PUENTE_EXCHANGE_LEASE_SECONDS", 60, minimum=1)
# How often the worker looks for deliveries a dead worker left behind.
PUENTE_WORKER_SWEEP_SECONDS = env_int("PUENTE_WORKER_SWEEP_SECONDS", 15, minimum=1)
# The inbox's limits (docs/federation.md §2.4): requests a minute from one address and
# from one partner key (beyond them: 429 with Retry-After), and the largest body accepted.
PUENTE_EXCHANGE_RATE_PER_SOURCE = env_int("PUENTE_EXCHANGE_RATE_PER_SOURCE", 300, minimum=1)
PUENTE_EXCHANGE_RATE_PER_KEY = env_int("PUENTE_EXCHANGE_RATE_PER_KEY", 300, minimum=1)
PUENTE_EXCHANGE_MAX_BODY_BYTES = env_int("PUENTE_EXCHANGE_MAX_BODY_BYTES", 1_048_576, minimum=1024)

# --- Channels: calls, texts, WhatsApp and e-mail arriving as contacts (docs/channels.md) --

# Which telephony/messaging provider this deployment uses: "twilio" or "none" (webhooks
# answer 404 and nothing is sent). The demo uses "twilio" with a demo token of its own so
# `puente simulate` can stand in for the telephone network.
PUENTE_CHANNEL_PROVIDER = env("PUENTE_CHANNEL_PROVIDER", "twilio" if PUENTE_DEMO else "none")
if PUENTE_CHANNEL_PROVIDER not in {"twilio", "none"}:
    raise ImproperlyConfigured(
        f"PUENTE_CHANNEL_PROVIDER={PUENTE_CHANNEL_PROVIDER!r}: choose twilio or none"
    )
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", "AC" + "0" * 32 if PUENTE_DEMO else "")
# Signs every webhook Twilio sends us and authenticates what we send. Never in the repo:
# TWILIO_AUTH_TOKEN_FILE in production.
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN")
if not TWILIO_AUTH_TOKEN and PUENTE_DEMO:
    # Made once in the demo's data folder, like its SECRET_KEY; `puente simulate` reads it.
    _demo_twilio_token = DATA_DIR / "demo-twilio-token"
    if not _demo_twilio_token.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _demo_twilio_token.write_text(secrets.token_hex(16))
        _demo_twilio_token.chmod(0o600)
    TWILIO_AUTH_TOKEN = _demo_twilio_token.read_text().strip()
# Where the provider's REST API is (a stand-in in tests; the real one otherwise).
TWILIO_API_URL = env("TWILIO_API_URL", "https://api.twilio.com")
# The address the provider calls us at (https://hotline.example.org): webhook signatures
# cover the URL as the provider saw it, which a reverse proxy hides from us. Without it,
# the request's own scheme and host are used (X-Forwarded-* only with PUENTE_BEHIND_PROXY).
PUENTE_PUBLIC_URL = env("PUENTE_PUBLIC_URL").rstrip("/")
# The hotline's own numbers, as the public dials and texts them (E.164 or as printed):
# the U.S. hotline 1-888-373-7888 (text 233733), Mexico's Línea Nacional 800 5533 000.
PUENTE_HOTLINE_PHONE = env(
    "PUENTE_HOTLINE_PHONE", "+528005533000" if PUENTE_COUNTRY == "MX" else "+18883737888"
)
PUENTE_HOTLINE_SMS = env(
    "PUENTE_HOTLINE_SMS", "+528005533000" if PUENTE_COUNTRY == "MX" else "233733"
)
PUENTE_HOTLINE_WHATSAPP = env(
    "PUENTE_HOTLINE_WHATSAPP", "+528005533000" if PUENTE_COUNTRY == "MX" else ""
)
# The queue Twilio holds callers in until an advocate takes the call (<Enqueue>).
PUENTE_VOICE_QUEUE = env("PUENTE_VOICE_QUEUE", "advocates")
# The live-page event bus (puente/channels/events.py): "postgres" (LISTEN/NOTIFY) on
# PostgreSQL, "database" (a table each server process polls) on SQLite, so that several
# server processes share events either way; "memory" reaches one process only (tests).
PUENTE_EVENTS_BACKEND = env(
    "PUENTE_EVENTS_BACKEND",
    "postgres"
    if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
    else "database",
)
if PUENTE_EVENTS_BACKEND not in {"memory", "database", "postgres"}:
    raise ImproperlyConfigured(
        f"PUENTE_EVENTS_BACKEND={PUENTE_EVENTS_BACKEND!r}: memory, database or postgres"
    )
# How often each server process reads new events from the table ("database" backend): the
# most a screen-pop waits in another process.
PUENTE_EVENTS_POLL_MS = env_int("PUENTE_EVENTS_POLL_MS", 200, minimum=20)
# Inbound e-mail: the inbound-mail webhook's signing key (Mailgun's HMAC-SHA-256 scheme),
# and an IMAP mailbox `puente fetchmail` polls.
PUENTE_INBOUND_EMAIL_SECRET = env("PUENTE_INBOUND_EMAIL_SECRET")
PUENTE_IMAP_HOST = env("PUENTE_IMAP_HOST")
PUENTE_IMAP_PORT = env_int("PUENTE_IMAP_PORT", 993, minimum=1)
PUENTE_IMAP_SSL = env_bool("PUENTE_IMAP_SSL", True)
PUENTE_IMAP_USER = env("PUENTE_IMAP_USER")
PUENTE_IMAP_PASSWORD = env("PUENTE_IMAP_PASSWORD")
PUENTE_IMAP_FOLDER = env("PUENTE_IMAP_FOLDER", "INBOX")
# Attachments of inbound e-mail: the largest kept, and where (outside the web root).
PUENTE_ATTACHMENT_MAX_BYTES = env_int("PUENTE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
PUENTE_ATTACHMENT_DIR = Path(env("PUENTE_ATTACHMENT_DIR", str(DATA_DIR / "attachments")))
# Outgoing texts: tries before a message is marked failed (backoff as the exchange's).
PUENTE_CHANNEL_MAX_ATTEMPTS = env_int("PUENTE_CHANNEL_MAX_ATTEMPTS", 20, minimum=1)
PUENTE_CHANNEL_TIMEOUT_SECONDS = env_int("PUENTE_CHANNEL_TIMEOUT_SECONDS", 10, minimum=1)

# Live pages: seconds between the comments that keep an idle server-sent-events stream
# open through proxies (most close a silent connection after 60 s).
PUENTE_LIVE_HEARTBEAT_SECONDS = env_int("PUENTE_LIVE_HEARTBEAT_SECONDS", 20, minimum=1)

# --- The public site (puente/public) and where staff work ------------------------------------

# The public pages live at the site root; the staff workspace's home moves here (a path
# without a leading slash; /staff/ is staff administration).
PUENTE_STAFF_PATH = env("PUENTE_STAFF_PATH", "workspace/").strip("/") + "/"
if PUENTE_STAFF_PATH == "/":
    raise ImproperlyConfigured(
        "PUENTE_STAFF_PATH cannot be the site root: the public site is there"
    )
# The other country's hotline, shown on the public site beside this one's ("which hotline
# to contact from where"): the U.S. hotline for a Mexican deployment and the other way round.
PUENTE_OTHER_HOTLINE_NAME = env(
    "PUENTE_OTHER_HOTLINE_NAME",
    "National Human Trafficking Hotline (United States)"
    if PUENTE_COUNTRY == "MX"
    else "Línea Nacional contra la Trata de Personas (México)",
)
PUENTE_OTHER_HOTLINE_PHONE = env(
    "PUENTE_OTHER_HOTLINE_PHONE", "+18883737888" if PUENTE_COUNTRY == "MX" else "+528005533000"
)
PUENTE_OTHER_HOTLINE_SMS = env(
    "PUENTE_OTHER_HOTLINE_SMS", "233733" if PUENTE_COUNTRY == "MX" else ""
)
# Where the quick exit sends a visitor: a neutral page that explains nothing.
PUENTE_QUICK_EXIT_URL = env("PUENTE_QUICK_EXIT_URL", "https://weather.com/")
# The anonymous tip form: tips one network address may send per hour (counted in the cache
# only, never in the database), and the longest account accepted.
PUENTE_TIP_RATE_PER_HOUR = env_int("PUENTE_TIP_RATE_PER_HOUR", 5, minimum=1)
PUENTE_TIP_MAX_CHARS = env_int("PUENTE_TIP_MAX_CHARS", 10_000, minimum=100)
# Web chat: messages one chat may send per minute (a flood is refused, kept in the cache).
PUENTE_CHAT_RATE_PER_MINUTE = env_int("PUENTE_CHAT_RATE_PER_MINUTE", 30, minimum=1)

# The cache holds only short-lived counters (the tip form's and chat's rate limits): an
# in-process memory cache by default; with several server processes point it at Redis so
# they share one count (PUENTE_CACHE_URL=redis://127.0.0.1:6379/1, needs the `redis`
# package).
PUENTE_CACHE_URL = env("PUENTE_CACHE_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": PUENTE_CACHE_URL,
    }
    if PUENTE_CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "puente"}
}

# --- Insights: the periodic indicator reports (puente/insights/reports) ---------------------

# Which records each row of the monthly, semi-annual and annual reports counts: a JSON
# file in the shipped file's form (puente/insights/reports/indicators.json). Empty: the
# shipped one. Checked at start-up: `puente serve` names a row that counts an unknown code.
PUENTE_REPORT_DEFINITIONS = env("PUENTE_REPORT_DEFINITIONS")

# Privacy-protected releases (puente/sharing/releases.py): no published count describes
# fewer than PUENTE_RELEASE_K people (CTDC publishes with k = 11); a release with
# differential privacy picks its epsilon between the two bounds, and each recipient (a
# partner hotline, or the public) may receive at most PUENTE_RELEASE_EPSILON_BUDGET of
# epsilon per calendar year.
PUENTE_RELEASE_K = env_int("PUENTE_RELEASE_K", 11, minimum=2)
PUENTE_RELEASE_EPSILON_MIN = env_float("PUENTE_RELEASE_EPSILON_MIN", 0.1, minimum=0.001)
PUENTE_RELEASE_EPSILON_MAX = env_float("PUENTE_RELEASE_EPSILON_MAX", 2.0, minimum=0.001)
PUENTE_RELEASE_EPSILON_BUDGET = env_float("PUENTE_RELEASE_EPSILON_BUDGET", 5.0, minimum=0.001)
if PUENTE_RELEASE_EPSILON_MIN > PUENTE_RELEASE_EPSILON_MAX:
    raise ImproperlyConfigured("PUENTE_RELEASE_EPSILON_MIN is above PUENTE_RELEASE_EPSILON_MAX")

# Trends across the border (puente/sharing/trends.py): the tables sent to every active
# partner hotline each month (codes of puente.sharing.releases.TABLES; empty sends none),
# and how many full months each monthly release covers, so its month or quarter column
# shows the trend.
PUENTE_TREND_TABLES = env_list("PUENTE_TREND_TABLES", "cases_state_type_quarter,cases_type_month")
PUENTE_TREND_MONTHS = env_int("PUENTE_TREND_MONTHS", 12, minimum=1)
# Where generated reports (XLSX, PDF) are kept until downloaded; outside the web root.
PUENTE_REPORTS_DIR = Path(env("PUENTE_REPORTS_DIR", str(DATA_DIR / "reports")))

# Networks — recurrence (puente/networks/recurrence.py)
# The network view ranks the components of cases that share identifiers and lists this
# many; the one opened is drawn with at most this many nodes (the best-connected first).
PUENTE_NETWORK_COMPONENTS_SHOWN = env_int("PUENTE_NETWORK_COMPONENTS_SHOWN", 25, minimum=1)
PUENTE_NETWORK_GRAPH_MAX_NODES = env_int("PUENTE_NETWORK_GRAPH_MAX_NODES", 300, minimum=10)

# Networks — linkage (puente/networks/linkage.py)
# A pair of persons is proposed as one when Splink's match probability reaches this.
PUENTE_LINK_THRESHOLD = env_float("PUENTE_LINK_THRESHOLD", 0.9, minimum=0.0)
# How many other records of the same person a record has on average: the prior that two
# random persons are one is this / (persons − 1).
PUENTE_LINK_EXPECTED_DUPLICATES = env_float("PUENTE_LINK_EXPECTED_DUPLICATES", 0.2, minimum=0.0)
# Random pairs sampled to measure how often non-matches agree (the u probabilities).
PUENTE_LINK_U_PAIRS = env_int("PUENTE_LINK_U_PAIRS", 2_000_000, minimum=1000)
# An identifier on more persons than this (a shelter's switchboard, a hotline's own
# number) does not make its persons candidates for matching; it is still compared.
PUENTE_LINK_MAX_IDENTIFIER_PERSONS = env_int("PUENTE_LINK_MAX_IDENTIFIER_PERSONS", 50, minimum=2)
# Hours between scheduled matching runs (puente.networks.linkage_tasks.link_persons_nightly);
# 0: only when someone asks ("Run matching now", `puente networks link`).
PUENTE_LINK_HOURS = env_int("PUENTE_LINK_HOURS", 24, minimum=0)

# Networks — psi (puente/networks/psi.py)
# The chance that one identifier-match request reports one identifier as shared that is
# not (the compressed set's size depends on it).
PUENTE_PSI_FPR = env_float("PUENTE_PSI_FPR", 1e-9, minimum=1e-15)
if not PUENTE_PSI_FPR < 0.01:
    raise ImproperlyConfigured(f"PUENTE_PSI_FPR={PUENTE_PSI_FPR}: use a rate below 0.01")
# Hours a run waits for the partner's answer before its secret key is thrown away.
PUENTE_PSI_RUN_EXPIRY_HOURS = env_int("PUENTE_PSI_RUN_EXPIRY_HOURS", 72, minimum=1)
# Minutes a set blinded ahead of a partner's next request stays usable; 0 blinds the set
# only when a request arrives (slower answers; always today's identifiers).
PUENTE_PSI_PREPARED_MINUTES = env_int("PUENTE_PSI_PREPARED_MINUTES", 60, minimum=0)


# --- Periodic jobs (puente/core/schedule.py) ------------------------------------------------

# Hours between runs of the retention purge (the rules are set by administrators on the
# Retention page); 0 runs it only by hand (`puente purge`).
PUENTE_RETENTION_PURGE_HOURS = env_int("PUENTE_RETENTION_PURGE_HOURS", 24, minimum=0)
# Everything `puente worker` queues on its own, in one place: a task's dotted path →
# seconds between runs (0: never).
PUENTE_SCHEDULE: dict[str, int] = {
    "puente.retention.tasks.purge_due_records": PUENTE_RETENTION_PURGE_HOURS * 3600,
    # What was typed but not saved, past PUENTE_DRAFT_HOURS (intake drafts, held forms).
    "puente.intake.tasks.purge_expired_drafts": 3600,
    # Outgoing texts a provider outage (or a killed worker) left queued.
    "puente.channels.tasks.send_due_messages": 60,
    "puente.channels.tasks.purge_old_refusals": 24 * 3600,
    # Trends across the border: checked daily, sends only what is due (once per partner,
    # table and month).
    "puente.sharing.tasks.send_monthly_trends": 24 * 3600,
    # Persons who may be the same, matched again each night for the review queue.
    "puente.networks.linkage_tasks.link_persons_nightly": PUENTE_LINK_HOURS * 3600,
    # Identifier matching across the border: runs that failed or were never answered
    # expire, stuck requests are queued again, the blinded set is kept fresh.
    "puente.networks.psi_tasks.expire_match_runs": 3600,
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "exchange"],
    }
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("PUENTE_LOG_LEVEL", "WARNING")},
}
