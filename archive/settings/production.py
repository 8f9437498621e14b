"""Production settings: every secret from the environment, HTTPS only.

Fails loudly at start-up when a required variable is missing. Served by
gunicorn (deploy/gunicorn.conf.py, `make serve`) behind a reverse proxy that
terminates TLS; static files by WhiteNoise from STATIC_ROOT.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from archive.settings.base import *  # noqa: F403
from archive.settings.base import (
    ALLOWED_HOSTS,
    MIDDLEWARE,
    PSEUDONYM_KEY,
    SECRET_KEY,
    VAULT_MASTER_KEY,
)

DEBUG = False

for _name, _value in [
    ("ARCHIVE_SECRET_KEY", SECRET_KEY),
    ("ARCHIVE_PSEUDONYM_KEY", PSEUDONYM_KEY),
    ("ARCHIVE_ALLOWED_HOSTS", ALLOWED_HOSTS),
    ("ARCHIVE_MASTER_KEY", VAULT_MASTER_KEY),
]:
    if not _value:
        raise ImproperlyConfigured(f"The environment variable {_name} must be set.")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("ARCHIVE_SECRET_KEY must be at least 50 characters.")

# Static files: WhiteNoise serves what `collectstatic` gathered, under names
# that carry a hash of their content (cached for ever by browsers) and with
# compressed variants beside them. Right after the security middlewares, so
# that static files get the same headers as pages.
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("archive.security_headers.SecurityHeadersMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# ARCHIVE_BEHIND_TLS_PROXY (default 1): the site is reached only through a
# reverse proxy that terminates TLS and sets X-Forwarded-Proto. 0 is for one
# machine with no proxy, browsing http://127.0.0.1 itself: it drops only the
# redirect to https, the Secure flag on cookies and trust in X-Forwarded-*,
# and only when every allowed host is a loopback name, so that the relaxed
# settings can never answer a request addressed to a public name.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
_flag = os.environ.get("ARCHIVE_BEHIND_TLS_PROXY", "1").strip()
if _flag not in {"0", "1"}:
    raise ImproperlyConfigured("ARCHIVE_BEHIND_TLS_PROXY must be 0 or 1.")
BEHIND_TLS_PROXY = _flag == "1"
if not BEHIND_TLS_PROXY and not set(ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
    raise ImproperlyConfigured(
        "ARCHIVE_BEHIND_TLS_PROXY=0 serves plain HTTP and is only for loopback: "
        "ARCHIVE_ALLOWED_HOSTS may then name only 127.0.0.1, localhost or ::1."
    )

SECURE_SSL_REDIRECT = BEHIND_TLS_PROXY
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
)
# ...and appends the client's address to X-Forwarded-For: login lockouts
# count per client address, not per proxy (which would be one for everyone).
# With no proxy in front, no X-Forwarded-For is believed.
ARCHIVE_PROXY_COUNT = int(
    os.environ.get("ARCHIVE_PROXY_COUNT", "1") if BEHIND_TLS_PROXY else "0"
)
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = BEHIND_TLS_PROXY
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = BEHIND_TLS_PROXY
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
