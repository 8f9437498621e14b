"""Settings shared by every environment.

Everything lives here; dev, test and production override only a few values.
Values that differ between installations come from ARCHIVE_* environment
variables (and DATABASE_URL, the convention every host understands).
"""

import datetime
import os
import tomllib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from archive.rates import parse_rate

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Where the installation keeps its own files: SQLite database, search index,
# uploaded media. Outside the code, git-ignored.
DATA_DIR = Path(os.environ.get("ARCHIVE_DATA_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("ARCHIVE_SECRET_KEY", "")

# How the archive names itself in citations, packages and exports, the
# address its pages are cited at when no request gives it (a command), and
# the version of this software (pyproject.toml), which exports record.
ARCHIVE_NAME = os.environ.get("ARCHIVE_NAME", "Eyewitness testimony archive")
ARCHIVE_SITE_URL = os.environ.get("ARCHIVE_SITE_URL", "http://127.0.0.1:8000")
with open(BASE_DIR / "pyproject.toml", "rb") as _pyproject:
    ARCHIVE_VERSION = tomllib.load(_pyproject)["project"]["version"]
DEBUG = False
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ARCHIVE_ALLOWED_HOSTS", "").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "archive.apps.ArchiveAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # Before haystack: its rebuild_index command is the one manage.py runs.
    "search",
    "haystack",
    "archive",
    "testimonies",
    "research",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response.
    "archive.security_headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Moves a signed-in session's idle expiry on (saved at most once a minute).
    "archive.session_expiry.SessionIdleExpiryMiddleware",
    # The language from the URL for pages, negotiated for the API.
    "archive.languages.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed a second factor?
    "django_otp.middleware.OTPMiddleware",
    # Times shown in the account's time zone (default Asia/Damascus), and
    # dates in Arabic with its month names (Syrian by default).
    "archive.time_zones.ReadingPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into our page.
    "axes.middleware.AxesMiddleware",
]

# Response headers in every environment (production adds HTTPS-only ones).
# Pages never tell other sites which page a link was followed from: its
# address may carry a search for a witness's name. The identity reveal page
# sends no referrer at all.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie (forms carry the token).
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"
ASGI_APPLICATION = "archive.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "archive.context_processors.role",
                "archive.context_processors.language_alternates",
                "archive.context_processors.month_names_in_force",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'archive.sqlite3'}",
        conn_max_age=60,
    )
}
# Streaming replicas of a PostgreSQL primary that searches on PostgreSQL's
# full-text search read from (ARCHIVE_SEARCH_REPLICA_URLS, comma-separated):
# search.postgres.routers sends the search index's reads there; every write,
# and every check of what a reader may see, stays on the primary.
ARCHIVE_SEARCH_REPLICAS = []
for _number, _url in enumerate(
    filter(None, os.environ.get("ARCHIVE_SEARCH_REPLICA_URLS", "").split(",")), 1
):
    DATABASES[f"search_replica_{_number}"] = dj_database_url.parse(
        _url, conn_max_age=60
    )
    ARCHIVE_SEARCH_REPLICAS.append(f"search_replica_{_number}")
DATABASE_ROUTERS = ["search.postgres.routers.SearchReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every transaction takes the write lock when it begins, not at its first
    # write: the audit chain reads its head and appends under that lock.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, loading a request's account with its role.
    "archive.authentication.AccountBackend",
]

# Sessions end after 30 minutes without a request (a request moves the
# expiry on, written at most once a minute: archive.session_expiry) and when
# the browser closes: archive computers are often shared.
SESSION_COOKIE_AGE = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes). Failures count per username *and* address:
# counting per username alone would let anyone lock a moderator out.
AXES_FAILURE_LIMIT = int(os.environ.get("ARCHIVE_LOGIN_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
# A failure during the lockout starts the wait again, so guessing never pays.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "archive.views.lockout"
# Failures are kept in the database, which every server process shares (and
# which survives a restart); the lockout list and unlocking read it there.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "archive.client_address.client_ip"
# Masked wherever axes stores or logs request data (it always masks
# "password"); the username is stored in its own column.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# How many reverse proxies stand in front of the site, each appending the
# address it saw to X-Forwarded-For. 0: use the connection's own address.
ARCHIVE_PROXY_COUNT = int(os.environ.get("ARCHIVE_PROXY_COUNT", "0"))


def cache_config(environ=os.environ):
    """The default cache, chosen by settings alone.

    It holds the request counters (archive.ratelimit) and the reveal page's
    wrong-password counts, so every server process must share it.
    ARCHIVE_CACHE_BACKEND is "file" (default: a folder on this machine,
    ARCHIVE_CACHE_LOCATION or DATA_DIR/cache, shared by all the gunicorn
    workers on it), "redis" or "memcached" (ARCHIVE_CACHE_LOCATION the
    server's address: needed once the site runs on several machines; install
    the redis or pymemcache package), or "locmem" (one process only: each
    worker would count apart, multiplying every limit).
    """
    backend = environ.get("ARCHIVE_CACHE_BACKEND", "file")
    location = environ.get("ARCHIVE_CACHE_LOCATION", "")
    if backend == "file":
        return {
            # Django's own file cache counts racily across processes.
            "BACKEND": "archive.cache.LockingFileBasedCache",
            "LOCATION": location or str(DATA_DIR / "cache"),
            # Room for one counter per client in the current window; old
            # windows' counters are culled first once it is full.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    backends = {
        "redis": "django.core.cache.backends.redis.RedisCache",
        "memcached": "django.core.cache.backends.memcached.PyMemcacheCache",
        "locmem": "django.core.cache.backends.locmem.LocMemCache",
    }
    if backend not in backends:
        raise ImproperlyConfigured(
            "ARCHIVE_CACHE_BACKEND must be file, redis, memcached or locmem."
        )
    if backend != "locmem" and not location:
        raise ImproperlyConfigured(f"ARCHIVE_CACHE_LOCATION is needed for {backend}.")
    return {"BACKEND": backends[backend], "LOCATION": location}


CACHES = {"default": cache_config()}


def rate_setting(name, default, environ=os.environ) -> str:
    """A request budget such as "60/minute" from the environment, checked."""
    value = environ.get(name, default)
    try:
        parse_rate(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None
    return value


# Request budgets (archive.ratelimit) for search, the search API, exports
# and the testimony page. Anonymous visitors: per client address, all those
# pages together. Signed-in users (every role, moderators included): per
# account, apart from the anonymous budget of their address. Exports: per
# account, smaller, as each one may hold ARCHIVE_EXPORT_MAX_ROWS testimonies.
ARCHIVE_RATE_ANON = rate_setting("ARCHIVE_RATE_ANON", "60/minute")
ARCHIVE_RATE_USER = rate_setting("ARCHIVE_RATE_USER", "600/minute")
ARCHIVE_RATE_EXPORT = rate_setting("ARCHIVE_RATE_EXPORT", "30/hour")
ARCHIVE_RATE_LOGIN = rate_setting("ARCHIVE_RATE_LOGIN", "20/minute")
# Attachment files (photos, documents), per address or account.
ARCHIVE_RATE_MEDIA = rate_setting("ARCHIVE_RATE_MEDIA", "300/minute")
# Password reset requests, per address (each may send a mail).
ARCHIVE_RATE_PASSWORD_RESET = rate_setting("ARCHIVE_RATE_PASSWORD_RESET", "10/hour")

# Re-entering the password to reveal a witness's identity: after this many
# wrong passwords the reveal page refuses the account until the cool-off has
# passed since the last wrong one (testimonies.vault.reveal_throttle). The counter
# lives in the default cache: with several server processes, configure a
# shared cache (CACHES) so that they count together.
ARCHIVE_REVEAL_FAILURE_LIMIT = 5
ARCHIVE_REVEAL_COOL_OFF = datetime.timedelta(minutes=15)

# Mail (invitations, password resets): SMTP, configured from the
# environment (docs/production.md, Mail). dev writes mail to the console;
# tests keep it in memory. A mail server that does not answer must not hold
# a server process for long.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("ARCHIVE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ARCHIVE_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("ARCHIVE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ARCHIVE_EMAIL_PASSWORD", "")
_email_security = os.environ.get("ARCHIVE_EMAIL_SECURITY", "starttls")
if _email_security not in {"starttls", "tls", "none"}:
    raise ImproperlyConfigured("ARCHIVE_EMAIL_SECURITY must be starttls, tls or none.")
EMAIL_USE_TLS = _email_security == "starttls"
EMAIL_USE_SSL = _email_security == "tls"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("ARCHIVE_DEFAULT_FROM_EMAIL", "archive@localhost")
# A password reset link lasts two hours (Django's default is three days):
# a mailbox read by someone else should not open the account for long.
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60

# Second factor (django-otp, TOTP). The admin never shows a device's key.
OTP_TOTP_ISSUER = "Testimony archive"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The archive's own date and number formats for each language (day-first
# dates in English, Western digits in Arabic: see archive/formats/ar).
FORMAT_MODULE_PATH = ["archive.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"

# Uploaded media are never served from a public folder (issue: media view).
MEDIA_ROOT = DATA_DIR / "media"


def positive_int(name, default, environ=os.environ) -> int:
    """A whole number above zero from the environment, or a loud failure."""
    raw = environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number above 0.")
    return value


SEARCH_ENGINES = {
    "whoosh": "search.whoosh.backends.LockingWhooshEngine",
    "opensearch": "search.cluster.opensearch.ArchiveOpenSearchEngine",
    "elasticsearch": "search.cluster.elasticsearch.ArchiveElasticsearch7Engine",
    "postgres": "search.postgres.backends.PostgresSearchEngine",
}


def search_connection(environ=os.environ):
    """The haystack connection, chosen by settings alone (docs/production.md,
    Search engine).

    ARCHIVE_SEARCH_ENGINE is "whoosh" (default: embedded, in
    ARCHIVE_SEARCH_PATH), "postgres" (PostgreSQL's full-text search, in a
    table of the default database, which must then be PostgreSQL:
    search.checks), "opensearch" or "elasticsearch" (a cluster at
    ARCHIVE_SEARCH_URL, default http://127.0.0.1:9200/, in the index
    ARCHIVE_SEARCH_INDEX, signed in with
    ARCHIVE_SEARCH_USERNAME and ARCHIVE_SEARCH_PASSWORD if set, its
    certificate checked against ARCHIVE_SEARCH_CA_CERTS if set, else the
    system's), or the dotted path of another haystack engine. The
    cluster's client libraries are in requirements-search.txt.
    """
    engine = environ.get("ARCHIVE_SEARCH_ENGINE", "whoosh")
    if engine not in SEARCH_ENGINES and "." not in engine:
        raise ImproperlyConfigured(
            "ARCHIVE_SEARCH_ENGINE must be whoosh, postgres, opensearch, "
            "elasticsearch or the dotted path of a haystack engine."
        )
    engine = SEARCH_ENGINES.get(engine, engine)
    if engine == SEARCH_ENGINES["whoosh"]:
        return {
            "ENGINE": engine,
            "PATH": environ.get("ARCHIVE_SEARCH_PATH", str(DATA_DIR / "whoosh")),
            # Errors must surface: a silently failed removal would leave a
            # withdrawn testimony searchable.
            "SILENTLY_FAIL": False,
            "WRITE_LOCK_TIMEOUT": float(
                environ.get("ARCHIVE_SEARCH_WRITE_TIMEOUT", "20")
            ),
        }
    if engine == SEARCH_ENGINES["postgres"]:
        # As for Whoosh: a failed removal must raise, never be logged away.
        return {"ENGINE": engine, "SILENTLY_FAIL": False}
    client = {"verify_certs": True}
    username = environ.get("ARCHIVE_SEARCH_USERNAME", "")
    if username:
        client["http_auth"] = (username, environ.get("ARCHIVE_SEARCH_PASSWORD", ""))
    if environ.get("ARCHIVE_SEARCH_CA_CERTS"):
        client["ca_certs"] = environ["ARCHIVE_SEARCH_CA_CERTS"]
    return {
        "ENGINE": engine,
        "URL": environ.get("ARCHIVE_SEARCH_URL", "http://127.0.0.1:9200/"),
        "INDEX_NAME": environ.get("ARCHIVE_SEARCH_INDEX", "testimony_archive"),
        "KWARGS": client,
        "TIMEOUT": positive_int("ARCHIVE_SEARCH_TIMEOUT", 10, environ),
        # As for Whoosh: a failed removal must raise, never be logged away.
        "SILENTLY_FAIL": False,
    }


HAYSTACK_CONNECTIONS = {"default": search_connection()}
# Index updates are scheduled by search.signals after each commit, for every
# write path (services, admin, shell), so that no change is ever missed.
HAYSTACK_SIGNAL_PROCESSOR = "search.signals.TestimonyIndexProcessor"
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20

# Keyed digests of documenters' witness keys, and pseudonyms (HMAC-SHA256).
PSEUDONYM_KEY = os.environ.get("ARCHIVE_PSEUDONYM_KEY", "")

# The identity vault (testimonies/vault/sealing.py). The master key wraps every
# witness's data key; previous master keys stay listed only while
# `manage.py rotate_master_key` re-wraps. The key store holds the wrapped
# data keys apart from the database, so that a database backup alone never
# brings back an erased witness (crypto-shredding). Back up the master key
# and the key store separately from the database (docs/operations.md, Backups).
VAULT_MASTER_KEY = os.environ.get("ARCHIVE_MASTER_KEY", "")
VAULT_PREVIOUS_MASTER_KEYS = [
    key.strip()
    for key in os.environ.get("ARCHIVE_PREVIOUS_MASTER_KEYS", "").split(",")
    if key.strip()
]
VAULT_KEYSTORE_PATH = Path(
    os.environ.get("ARCHIVE_KEYSTORE_PATH", DATA_DIR / "vault-keys.sqlite3")
)

# The archive's signing key (Ed25519, testimonies/accountability/signing.py):
# signs every accountability package. Kept like the master key: from the
# environment in production; `manage.py export_package` and the package page
# refuse to work without it. Its public half is published at /keys/.
ARCHIVE_SIGNING_KEY = os.environ.get("ARCHIVE_SIGNING_KEY", "")

SEARCH_PAGE_SIZE = 20
SEARCH_MAX_PAGE_SIZE = 100


# The most testimonies one export of search results may hold.
ARCHIVE_EXPORT_MAX_ROWS = positive_int("ARCHIVE_EXPORT_MAX_ROWS", 1000)

# Attachments (testimonies.attachments.processing): the largest file accepted, in bytes
# (refused before it is read in full; an upload is held in memory, never in
# a temporary file, so this also bounds the memory one upload takes), and
# the most pixels an image may have, read from its header before it is
# decoded (a small file can unpack to gigabytes: a decompression bomb).
ATTACHMENT_MAX_BYTES = positive_int("ARCHIVE_ATTACHMENT_MAX_BYTES", 50 * 1024 * 1024)
ATTACHMENT_MAX_PIXELS = positive_int("ARCHIVE_ATTACHMENT_MAX_PIXELS", 50_000_000)

# The re-identification check before public release warns when fewer than
# this many witnesses share a testimony's quasi-identifiers in public
# (testimonies.redaction.reidentification).
ARCHIVE_REID_K = positive_int("ARCHIVE_REID_K", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # What the client typed (a search, a form) is taken out of error
        # records and their tracebacks (archive.log_scrubbing).
        "scrubbed": {
            "()": "archive.log_scrubbing.ScrubbingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "filters": {
        "no_query_string": {"()": "archive.log_scrubbing.DropQueryString"},
    },
    "handlers": {
        # StreamHandler writes to stderr.
        "console": {"class": "logging.StreamHandler"},
        "errors": {"class": "logging.StreamHandler", "formatter": "scrubbed"},
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["no_query_string"],
        },
    },
    # Log messages name objects by public id only, never by witness identity.
    "loggers": {
        # A 500's traceback, in every environment (Django's default sends it
        # to mail_admins only when DEBUG is off: with no ADMINS, nowhere).
        "django.request": {
            "handlers": ["errors"],
            "level": "ERROR",
            "propagate": False,
        },
        "django.security": {
            "handlers": ["errors"],
            "level": "ERROR",
            "propagate": False,
        },
        # runserver's access log: the path, never the query string.
        "django.server": {
            "handlers": ["server"],
            "level": "INFO",
            "propagate": False,
        },
        "archive": {"handlers": ["console"], "level": "INFO"},
        "search": {"handlers": ["console"], "level": "INFO"},
        "testimonies": {"handlers": ["console"], "level": "INFO"},
        # At DEBUG this logger writes out a template's whole context each
        # time a variable is missing: the request's address (with the words
        # typed into search, witnesses' names among them), the CSRF token
        # and every object the page shows. Never lower than INFO.
        "django.template": {"level": "INFO"},
    },
}
